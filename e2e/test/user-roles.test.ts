import { inviteAndJoin, registerUser, startTestSystem, uniqueEmail, type SeededUser } from '@switchboard/testkit';

/**
 * The role matrix: for every operation of the user subgraph that needs a role, every role below
 * the minimum is refused (FORBIDDEN, nothing changes) and every role at or above it succeeds; an
 * anonymous caller is UNAUTHENTICATED.
 */

type System = Awaited<ReturnType<typeof startTestSystem>>;
type Role = 'OWNER' | 'ADMIN' | 'AGENT' | 'VIEWER';
type Result = Awaited<ReturnType<System['graphql']>>;

const ROLES: Role[] = ['OWNER', 'ADMIN', 'AGENT', 'VIEWER'];
const RANK: Record<Role, number> = { OWNER: 4, ADMIN: 3, AGENT: 2, VIEWER: 1 };

let system: System;
let owner: SeededUser;
const actors = {} as Record<Role, SeededUser>;

beforeAll(async () => {
  system = await startTestSystem();
  owner = await registerUser(system, { organizationName: 'Matrix Co' });
  actors.OWNER = owner;
  for (const role of ['ADMIN', 'AGENT', 'VIEWER'] as const) actors[role] = await inviteAndJoin(system, owner, role);
});
afterAll(async () => {
  await system?.close();
});

const codeOf = (result: Result) => result.errors?.[0]?.extensions?.code;

interface Operation {
  name: string;
  minimum: Role;
  /** Runs the operation as `actor` (null: anonymous); returns the result and a check that nothing changed. */
  run(actor: SeededUser | null): Promise<{ result: Result; unchanged: () => Promise<void> }>;
}

async function freshViewer(): Promise<SeededUser> {
  return inviteAndJoin(system, owner, 'VIEWER');
}

const operations: Operation[] = [
  {
    name: 'query invitations',
    minimum: 'ADMIN',
    run: async (actor) => ({
      result: await system.graphql('{ invitations { id } }', {}, actor ? { token: actor.accessToken } : {}),
      unchanged: async () => undefined,
    }),
  },
  {
    name: 'inviteMember',
    minimum: 'ADMIN',
    run: async (actor) => {
      const email = uniqueEmail('matrix');
      const result = await system.graphql(
        'mutation ($e: String!) { inviteMember(email: $e, role: VIEWER) { id } }',
        { e: email },
        actor ? { token: actor.accessToken } : {},
      );
      return {
        result,
        unchanged: async () => expect(await system.prisma.invitation.count({ where: { email } })).toBe(0),
      };
    },
  },
  {
    name: 'revokeInvitation',
    minimum: 'ADMIN',
    run: async (actor) => {
      const invited = await system.graphql('mutation ($e: String!) { inviteMember(email: $e, role: VIEWER) { id } }', { e: uniqueEmail('revoke') }, { token: owner.accessToken });
      const id = invited.data.inviteMember.id as string;
      const result = await system.graphql('mutation ($id: ID!) { revokeInvitation(invitationId: $id) { id } }', { id }, actor ? { token: actor.accessToken } : {});
      return {
        result,
        unchanged: async () => expect((await system.prisma.invitation.findUniqueOrThrow({ where: { id } })).revokedAt).toBeNull(),
      };
    },
  },
  {
    name: 'updateMemberRole',
    minimum: 'ADMIN',
    run: async (actor) => {
      const target = await freshViewer();
      const result = await system.graphql(
        'mutation ($u: ID!) { updateMemberRole(userId: $u, role: AGENT) { role } }',
        { u: target.user.id },
        actor ? { token: actor.accessToken } : {},
      );
      return {
        result,
        unchanged: async () => {
          const membership = await system.prisma.membership.findFirstOrThrow({ where: { userId: target.user.id, organizationId: owner.organizationId } });
          expect(membership.role).toBe('VIEWER');
        },
      };
    },
  },
  {
    name: 'removeMember',
    minimum: 'ADMIN',
    run: async (actor) => {
      const target = await freshViewer();
      const result = await system.graphql('mutation ($u: ID!) { removeMember(userId: $u) }', { u: target.user.id }, actor ? { token: actor.accessToken } : {});
      return {
        result,
        unchanged: async () =>
          expect(await system.prisma.membership.count({ where: { userId: target.user.id, organizationId: owner.organizationId } })).toBe(1),
      };
    },
  },
  {
    name: 'updateProfile',
    minimum: 'VIEWER',
    run: async (actor) => ({
      result: await system.graphql('mutation { updateProfile(name: "Renamed Person") { id name } }', {}, actor ? { token: actor.accessToken } : {}),
      unchanged: async () => undefined,
    }),
  },
  {
    name: 'changePassword',
    minimum: 'VIEWER',
    run: async (actor) => {
      const change = (from: string, to: string) =>
        system.graphql(
          'mutation ($c: String!, $n: String!) { changePassword(currentPassword: $c, newPassword: $n) }',
          { c: from, n: to },
          actor ? { token: actor.accessToken } : {},
        );
      const result = await change(actor?.password ?? 'Anything at all 1', 'Temporary secret 77');
      if (actor && !result.errors) expect((await change('Temporary secret 77', actor.password)).errors).toBeUndefined();
      return { result, unchanged: async () => undefined };
    },
  },
  {
    name: 'createOrganization',
    minimum: 'VIEWER',
    run: async (actor) => ({
      result: await system.graphql('mutation { createOrganization(name: "Side Project") { organization { id } } }', {}, actor ? { token: actor.accessToken } : {}),
      unchanged: async () => undefined,
    }),
  },
  {
    name: 'switchOrganization',
    minimum: 'VIEWER',
    run: async (actor) => ({
      result: await system.graphql(
        'mutation ($id: ID!) { switchOrganization(organizationId: $id) { role } }',
        { id: owner.organizationId },
        actor ? { token: actor.accessToken } : {},
      ),
      unchanged: async () => undefined,
    }),
  },
  {
    name: 'logout',
    minimum: 'VIEWER',
    run: async (actor) => {
      // A separate session, so the actor's main one stays usable for the other rows.
      const session = actor
        ? (await system.graphql('mutation ($i: LoginInput!) { login(input: $i) { accessToken } }', { i: { email: actor.email, password: actor.password } })).data.login
        : null;
      return {
        result: await system.graphql('mutation { logout }', {}, session ? { token: session.accessToken } : {}),
        unchanged: async () => undefined,
      };
    },
  },
  {
    name: 'query me',
    minimum: 'VIEWER',
    run: async (actor) => ({
      result: await system.graphql('{ me { id } }', {}, actor ? { token: actor.accessToken } : {}),
      unchanged: async () => undefined,
    }),
  },
  {
    name: 'query organization members',
    minimum: 'VIEWER',
    run: async (actor) => ({
      result: await system.graphql('query ($id: ID!) { organization(id: $id) { members { totalCount } } }', { id: owner.organizationId }, actor ? { token: actor.accessToken } : {}),
      unchanged: async () => undefined,
    }),
  },
];

describe('role matrix', () => {
  const rows = operations.flatMap((operation) => ROLES.map((role) => [operation.name, operation.minimum, role] as const));

  it.each(rows)('%s (minimum %s) as %s', async (name, minimum, role) => {
    const operation = operations.find((candidate) => candidate.name === name)!;
    const { result, unchanged } = await operation.run(actors[role]);
    expect(result.status).not.toBe(500);
    if (RANK[role] >= RANK[minimum]) {
      expect(result.errors).toBeUndefined();
    } else {
      expect(codeOf(result)).toBe('FORBIDDEN');
      expect(result.errors?.[0]?.message).toMatch(new RegExp(minimum));
      await unchanged();
    }
  });

  it.each(operations.map((operation) => [operation.name]))('%s as an anonymous caller is UNAUTHENTICATED', async (name) => {
    const { result, unchanged } = await operations.find((candidate) => candidate.name === name)!.run(null);
    expect(codeOf(result)).toBe('UNAUTHENTICATED');
    await unchanged();
  });
});

describe('role rules beyond the minimum', () => {
  it('an ADMIN invites up to ADMIN, never OWNER', async () => {
    const admin = actors.ADMIN;
    const asOwner = await system.graphql('mutation ($e: String!) { inviteMember(email: $e, role: OWNER) { id } }', { e: uniqueEmail('o') }, { token: admin.accessToken });
    expect(codeOf(asOwner)).toBe('FORBIDDEN');
    const asAdmin = await system.graphql('mutation ($e: String!) { inviteMember(email: $e, role: ADMIN) { role } }', { e: uniqueEmail('a') }, { token: admin.accessToken });
    expect(asAdmin.data.inviteMember).toEqual({ role: 'ADMIN' });
  });

  it('only an OWNER grants, revokes or removes OWNER, and the last OWNER stays', async () => {
    const founder = await registerUser(system);
    const admin = await inviteAndJoin(system, founder, 'ADMIN');
    const agent = await inviteAndJoin(system, founder, 'AGENT');
    const setRole = (actor: SeededUser, target: SeededUser, role: Role) =>
      system.graphql(`mutation ($u: ID!) { updateMemberRole(userId: $u, role: ${role}) { role } }`, { u: target.user.id }, { token: actor.accessToken });
    const remove = (actor: SeededUser, target: SeededUser) =>
      system.graphql('mutation ($u: ID!) { removeMember(userId: $u) }', { u: target.user.id }, { token: actor.accessToken });

    expect(codeOf(await setRole(admin, agent, 'OWNER'))).toBe('FORBIDDEN');
    expect(codeOf(await setRole(admin, founder, 'ADMIN'))).toBe('FORBIDDEN');
    expect(codeOf(await remove(admin, founder))).toBe('FORBIDDEN');
    expect((await setRole(admin, agent, 'ADMIN')).data.updateMemberRole).toEqual({ role: 'ADMIN' });

    const lastDemotion = await setRole(founder, founder, 'ADMIN');
    expect(lastDemotion.errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT', reason: 'LAST_OWNER' });
    expect((await remove(founder, founder)).errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT', reason: 'LAST_OWNER' });

    expect((await setRole(founder, agent, 'OWNER')).data.updateMemberRole).toEqual({ role: 'OWNER' });
    const coOwner = (await system.graphql('mutation ($t: String!) { refreshToken(refreshToken: $t) { accessToken role } }', { t: agent.refreshToken })).data.refreshToken;
    expect(coOwner.role).toBe('OWNER');
    expect((await setRole({ ...agent, accessToken: coOwner.accessToken }, founder, 'VIEWER')).data.updateMemberRole).toEqual({ role: 'VIEWER' });
  });

  it('a role change applies at once: the old access token is refused, a refreshed one carries the new role', async () => {
    const founder = await registerUser(system);
    const admin = await inviteAndJoin(system, founder, 'ADMIN');
    const demoted = await system.graphql('mutation ($u: ID!) { updateMemberRole(userId: $u, role: VIEWER) { role } }', { u: admin.user.id }, { token: founder.accessToken });
    expect(demoted.data.updateMemberRole).toEqual({ role: 'VIEWER' });

    const stale = await system.graphql('mutation { inviteMember(email: "x@example.com", role: AGENT) { id } }', {}, { token: admin.accessToken });
    expect(codeOf(stale)).toBe('UNAUTHENTICATED');

    const refreshed = await system.graphql('mutation ($t: String!) { refreshToken(refreshToken: $t) { accessToken role } }', { t: admin.refreshToken });
    expect(refreshed.data.refreshToken.role).toBe('VIEWER');
    const now = await system.graphql('mutation { inviteMember(email: "x@example.com", role: AGENT) { id } }', {}, { token: refreshed.data.refreshToken.accessToken });
    expect(codeOf(now)).toBe('FORBIDDEN');
    expect((await system.graphql('{ me { role } }', {}, { token: refreshed.data.refreshToken.accessToken })).data.me.role).toBe('VIEWER');
  });

  it('a removed member is signed out of the organization', async () => {
    const founder = await registerUser(system);
    const agent = await inviteAndJoin(system, founder, 'AGENT');
    expect((await system.graphql('mutation ($u: ID!) { removeMember(userId: $u) }', { u: agent.user.id }, { token: founder.accessToken })).data).toEqual({ removeMember: true });
    expect(codeOf(await system.graphql('{ me { id } }', {}, { token: agent.accessToken }))).toBe('UNAUTHENTICATED');
    expect(codeOf(await system.graphql('mutation ($t: String!) { refreshToken(refreshToken: $t) { accessToken } }', { t: agent.refreshToken }))).toBe('UNAUTHENTICATED');
    const members = await system.graphql('query ($id: ID!) { organization(id: $id) { members { nodes { user { id } } } } }', { id: founder.organizationId }, { token: founder.accessToken });
    expect(members.data.organization.members.nodes.map((n: { user: { id: string } }) => n.user.id)).not.toContain(agent.user.id);
  });
});
