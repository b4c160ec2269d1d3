import { inviteAndJoin, registerUser, startTestSystem, uniqueEmail, type SeededUser } from '@switchboard/testkit';

/**
 * Tenant isolation: a member of organization A gets NOT_FOUND for every id of organization B, on
 * every query and mutation of the user subgraph that takes an id — never FORBIDDEN, never data.
 */

type System = Awaited<ReturnType<typeof startTestSystem>>;

let system: System;
let ownerA: SeededUser;
let ownerB: SeededUser;
let memberB: SeededUser;
let invitationB: string;

beforeAll(async () => {
  system = await startTestSystem();
  ownerA = await registerUser(system, { organizationName: 'Tenant A' });
  ownerB = await registerUser(system, { organizationName: 'Tenant B' });
  memberB = await inviteAndJoin(system, ownerB, 'AGENT');
  const invited = await system.graphql('mutation ($e: String!) { inviteMember(email: $e, role: VIEWER) { id } }', { e: uniqueEmail('b') }, { token: ownerB.accessToken });
  invitationB = invited.data.inviteMember.id;
});
afterAll(async () => {
  await system?.close();
});

type Probe = [name: string, query: string, variables: () => Record<string, unknown>];

const probes: Probe[] = [
  ['query user (B owner)', 'query ($id: ID!) { user(id: $id) { id email } }', () => ({ id: ownerB.user.id })],
  ['query user (B member)', 'query ($id: ID!) { user(id: $id) { id email } }', () => ({ id: memberB.user.id })],
  ['query organization', 'query ($id: ID!) { organization(id: $id) { id name } }', () => ({ id: ownerB.organizationId })],
  ['query organization members', 'query ($id: ID!) { organization(id: $id) { members { totalCount } } }', () => ({ id: ownerB.organizationId })],
  ['switchOrganization', 'mutation ($id: ID!) { switchOrganization(organizationId: $id) { accessToken } }', () => ({ id: ownerB.organizationId })],
  ['updateMemberRole (B owner)', 'mutation ($id: ID!) { updateMemberRole(userId: $id, role: VIEWER) { role } }', () => ({ id: ownerB.user.id })],
  ['updateMemberRole (B member)', 'mutation ($id: ID!) { updateMemberRole(userId: $id, role: ADMIN) { role } }', () => ({ id: memberB.user.id })],
  ['removeMember (B owner)', 'mutation ($id: ID!) { removeMember(userId: $id) }', () => ({ id: ownerB.user.id })],
  ['removeMember (B member)', 'mutation ($id: ID!) { removeMember(userId: $id) }', () => ({ id: memberB.user.id })],
  ['revokeInvitation', 'mutation ($id: ID!) { revokeInvitation(invitationId: $id) { id } }', () => ({ id: invitationB })],
];

describe('tenant isolation', () => {
  it.each(probes)('%s with an id of B is NOT_FOUND for the OWNER of A', async (_name, query, variables) => {
    const result = await system.graphql(query, variables(), { token: ownerA.accessToken });
    expect(result.status).not.toBe(500);
    expect(result.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expect(JSON.stringify(result)).not.toMatch(/Tenant B|@example\.com/);
  });

  it('signing in to B by id is NOT_FOUND for a member of A', async () => {
    const result = await system.graphql('mutation ($i: LoginInput!) { login(input: $i) { accessToken } }', {
      i: { email: ownerA.email, password: ownerA.password, organizationId: ownerB.organizationId },
    });
    expect(result.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });

  it('lists show only the caller’s organization', async () => {
    const members = await system.graphql('query ($id: ID!) { organization(id: $id) { members { nodes { user { id } } } } }', { id: ownerA.organizationId }, { token: ownerA.accessToken });
    expect(members.data.organization.members.nodes).toEqual([{ user: { id: ownerA.user.id } }]);
    expect((await system.graphql('{ invitations { id } }', {}, { token: ownerA.accessToken })).data.invitations).toEqual([]);
    const me = await system.graphql('{ me { memberships { organization { id } } } }', {}, { token: ownerA.accessToken });
    expect(me.data.me.memberships).toEqual([{ organization: { id: ownerA.organizationId } }]);
  });

  it('left B untouched', async () => {
    const memberships = await system.prisma.membership.findMany({ where: { organizationId: ownerB.organizationId }, orderBy: { role: 'asc' } });
    expect(memberships.map((m) => [m.userId, m.role])).toEqual([
      [ownerB.user.id, 'OWNER'],
      [memberB.user.id, 'AGENT'],
    ]);
    expect((await system.prisma.invitation.findUniqueOrThrow({ where: { id: invitationB } })).revokedAt).toBeNull();
    expect((await system.graphql('{ me { id } }', {}, { token: memberB.accessToken })).data.me.id).toBe(memberB.user.id);
  });
});
