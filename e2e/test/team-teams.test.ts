import { inviteAndJoin, registerUser, startTestSystem, type SeededUser, type GraphQLResponse, type TestSystem } from '@switchboard/testkit';
import { waitFor } from './support/messaging';
import { addTeamMemberOnceJoined, isNotAnOrganizationMember } from './support/team';

/**
 * Teams through the gateway: the team subgraph's queries and mutations, `me { teams }` and
 * `members { user { … } }` resolved across the user and team subgraphs, and role checks with
 * real members (registered and invited through the API). Who may be added to a team is what the
 * user subgraph's events told the team subgraph (outbox → relay → Kafka → team consumer): a member
 * who just joined is waited for with a bounded poll.
 */

type System = TestSystem;

const CREATE = `mutation ($name: String!) { createTeam(name: $name) { id name createdAt memberCount members { role } } }`;
const RENAME = `mutation ($id: ID!, $name: String!) { renameTeam(id: $id, name: $name) { id name } }`;
const DELETE = `mutation ($id: ID!) { deleteTeam(id: $id) }`;
const TEAMS = `{ teams { id name memberCount } }`;
const ADD = `mutation ($teamId: ID!, $userId: ID!, $role: TeamRole) { addTeamMember(teamId: $teamId, userId: $userId, role: $role) { id memberCount } }`;
const REMOVE = `mutation ($teamId: ID!, $userId: ID!) { removeTeamMember(teamId: $teamId, userId: $userId) { id memberCount } }`;
const SET_ROLE = `mutation ($teamId: ID!, $userId: ID!, $role: TeamRole!) { setTeamMemberRole(teamId: $teamId, userId: $userId, role: $role) { id } }`;

let system: System;
let owner: SeededUser;

beforeAll(async () => {
  system = await startTestSystem();
  owner = await registerUser(system, { organizationName: 'Acme Support' });
});
afterAll(async () => {
  await system?.close();
});

function as(user: SeededUser) {
  return (query: string, variables?: Record<string, unknown>) => system.graphql(query, variables, { token: user.accessToken });
}

function ok(result: GraphQLResponse) {
  expect({ status: result.status, errors: result.errors }).toEqual({ status: 200, errors: undefined });
  return result.data;
}

function code(result: GraphQLResponse): unknown {
  expect(result.status).toBe(200);
  expect(result.errors).toHaveLength(1);
  return result.errors?.[0]?.extensions?.code;
}

describe('teams through the gateway', () => {
  it('creates, lists (by name), renames and deletes teams', async () => {
    const gql = as(owner);
    const support = ok(await gql(CREATE, { name: ' Support ' })).createTeam;
    expect(support).toMatchObject({ name: 'Support', memberCount: 0, members: [] });
    const billing = ok(await gql(CREATE, { name: 'billing' })).createTeam;
    expect(ok(await gql(TEAMS)).teams.map((t: { name: string }) => t.name)).toEqual(['billing', 'Support']);

    expect(ok(await gql(RENAME, { id: billing.id, name: 'Billing & Refunds' })).renameTeam).toEqual({ id: billing.id, name: 'Billing & Refunds' });
    expect(ok(await gql(DELETE, { id: support.id })).deleteTeam).toBe(support.id);
    expect(ok(await gql(TEAMS)).teams).toEqual([{ id: billing.id, name: 'Billing & Refunds', memberCount: 0 }]);
    expect(code(await gql(`query ($id: ID!) { team(id: $id) { id } }`, { id: support.id }))).toBe('NOT_FOUND');
    ok(await gql(DELETE, { id: billing.id }));
  });

  it('answers bad input and conflicts with typed errors, never a 500', async () => {
    const gql = as(owner);
    const result = await gql(CREATE, { name: '' });
    expect(code(result)).toBe('BAD_USER_INPUT');
    expect(result.errors?.[0]?.extensions?.field).toBe('name');
    expect(code(await gql(CREATE, { name: 'x'.repeat(81) }))).toBe('BAD_USER_INPUT');
    const sales = ok(await gql(CREATE, { name: 'Sales' })).createTeam;
    const duplicate = await gql(CREATE, { name: 'SALES' });
    expect(code(duplicate)).toBe('CONFLICT');
    expect(duplicate.errors?.[0]?.message).toContain('"Sales"');
    expect(code(await gql(RENAME, { id: '00000000-0000-4000-8000-000000000000', name: 'Ghost' }))).toBe('NOT_FOUND');
    expect(code(await gql(ADD, { teamId: sales.id, userId: 'not-a-user' }))).toBe('BAD_USER_INPUT');
    expect(code(await system.graphql(TEAMS))).toBe('UNAUTHENTICATED');
  });

  it('resolves me { id organization { name } teams { name } } across the user and team subgraphs', async () => {
    const member = await registerUser(system, { organizationName: 'Federation Ltd' });
    const gql = as(member);
    expect(ok(await gql(`{ me { id organization { name } teams { name } } }`)).me).toEqual({
      id: member.user.id,
      organization: { name: 'Federation Ltd' },
      teams: [],
    });
    const zeta = ok(await gql(CREATE, { name: 'Zeta' })).createTeam;
    const alpha = ok(await gql(CREATE, { name: 'Alpha' })).createTeam;
    ok(await gql(CREATE, { name: 'Not mine' }));
    ok(await gql(ADD, { teamId: zeta.id, userId: member.user.id, role: 'LEAD' }));
    ok(await gql(ADD, { teamId: alpha.id, userId: member.user.id }));
    expect(ok(await gql(`{ me { id organization { name } teams { name } } }`)).me).toEqual({
      id: member.user.id,
      organization: { name: 'Federation Ltd' },
      teams: [{ name: 'Alpha' }, { name: 'Zeta' }],
    });
  });

  it('resolves members { user { name email } } from the user subgraph, leads first', async () => {
    const agent = await inviteAndJoin(system, owner, 'AGENT', { name: 'Agent Ana' });
    const gql = as(owner);
    const team = ok(await gql(CREATE, { name: 'Escalations' })).createTeam;
    ok(await addTeamMemberOnceJoined(system, owner, { teamId: team.id, userId: agent.user.id }));
    ok(await gql(ADD, { teamId: team.id, userId: owner.user.id, role: 'LEAD' }));
    const read = ok(await gql(`query ($id: ID!) { team(id: $id) { name memberCount members { role addedAt user { id name email } } } }`, { id: team.id })).team;
    expect(read.memberCount).toBe(2);
    expect(read.members.map((m: { role: string; user: unknown }) => ({ role: m.role, user: m.user }))).toEqual([
      { role: 'LEAD', user: { id: owner.user.id, name: owner.user.name, email: owner.email } },
      { role: 'MEMBER', user: { id: agent.user.id, name: 'Agent Ana', email: agent.email } },
    ]);
    // The agent sees the team in their own `me`.
    expect(ok(await as(agent)(`{ me { teams { name } } }`)).me.teams).toEqual([{ name: 'Escalations' }]);
    ok(await gql(REMOVE, { teamId: team.id, userId: agent.user.id }));
    expect(ok(await as(agent)(`{ me { teams { name } } }`)).me.teams).toEqual([]);
  });

  it('refuses to add a user of another organization or an unknown id: NOT_FOUND on the User, the same for both', async () => {
    const stranger = await registerUser(system, { organizationName: 'Elsewhere' });
    const gql = as(owner);
    const team = ok(await gql(CREATE, { name: 'Members only' })).createTeam;
    // The stranger's joining of their own organization reaches the team subgraph too: it changes nothing here.
    await waitFor(async () => (await system.prisma.organizationMemberProjection.count({ where: { userId: stranger.user.id } })) > 0, 'the stranger’s joining');
    const foreign = await gql(ADD, { teamId: team.id, userId: stranger.user.id });
    const unknown = await gql(ADD, { teamId: team.id, userId: '00000000-0000-4000-8000-000000000000' });
    for (const result of [foreign, unknown]) {
      expect(code(result)).toBe('NOT_FOUND');
      expect(isNotAnOrganizationMember(result)).toBe(true);
    }
    expect(foreign.errors?.[0]?.extensions).toEqual(unknown.errors?.[0]?.extensions);
    expect(foreign.errors?.[0]?.message).toContain('is not a member of your organization');
    expect(ok(await gql(`query ($id: ID!) { team(id: $id) { memberCount } }`, { id: team.id })).team.memberCount).toBe(0);
    ok(await gql(DELETE, { id: team.id }));
  });

  it('an invited member becomes addable once their joining arrives, and leaves its teams when removed from the organization', async () => {
    const leaver = await inviteAndJoin(system, owner, 'AGENT', { name: 'Leaving Lee' });
    const gql = as(owner);
    const [first, second] = [ok(await gql(CREATE, { name: 'First shift' })).createTeam, ok(await gql(CREATE, { name: 'Second shift' })).createTeam];
    ok(await addTeamMemberOnceJoined(system, owner, { teamId: first.id, userId: leaver.user.id, role: 'LEAD' }));
    ok(await gql(ADD, { teamId: second.id, userId: leaver.user.id }));
    ok(await gql(ADD, { teamId: second.id, userId: owner.user.id }));

    ok(await gql(`mutation ($userId: ID!) { removeMember(userId: $userId) }`, { userId: leaver.user.id }));
    const memberIds = async () =>
      (ok(await gql(`{ teams { id members { userId } } }`)).teams as { id: string; members: { userId: string }[] }[])
        .filter((team) => team.id === first.id || team.id === second.id)
        .map((team) => team.members.map((member) => member.userId));
    await waitFor(async () => JSON.stringify(await memberIds()) === JSON.stringify([[], [owner.user.id]]), 'the removed member to leave the teams');
    // And cannot be added back while removed.
    const again = await gql(ADD, { teamId: first.id, userId: leaver.user.id });
    expect(isNotAnOrganizationMember(again)).toBe(true);
    ok(await gql(DELETE, { id: first.id }));
    ok(await gql(DELETE, { id: second.id }));
  });

  it('enforces roles: a VIEWER reads only, an AGENT manages members only as the team’s LEAD', async () => {
    const viewer = await inviteAndJoin(system, owner, 'VIEWER');
    const agent = await inviteAndJoin(system, owner, 'AGENT');
    const lead = await inviteAndJoin(system, owner, 'AGENT');
    const admin = await inviteAndJoin(system, owner, 'ADMIN');
    const team = ok(await as(admin)(CREATE, { name: 'Roles' })).createTeam;
    ok(await addTeamMemberOnceJoined(system, admin, { teamId: team.id, userId: lead.user.id, role: 'LEAD' }));
    ok(await addTeamMemberOnceJoined(system, admin, { teamId: team.id, userId: agent.user.id }));
    ok(await addTeamMemberOnceJoined(system, admin, { teamId: team.id, userId: viewer.user.id, role: 'LEAD' }));

    expect(ok(await as(viewer)(TEAMS)).teams.map((t: { id: string }) => t.id)).toContain(team.id);
    expect(code(await as(viewer)(CREATE, { name: 'Viewer team' }))).toBe('FORBIDDEN');
    expect(code(await as(viewer)(ADD, { teamId: team.id, userId: owner.user.id }))).toBe('FORBIDDEN');
    expect(code(await as(agent)(CREATE, { name: 'Agent team' }))).toBe('FORBIDDEN');
    expect(code(await as(agent)(ADD, { teamId: team.id, userId: owner.user.id }))).toBe('FORBIDDEN');
    expect(code(await as(agent)(RENAME, { id: team.id, name: 'Renamed by agent' }))).toBe('FORBIDDEN');
    expect(code(await as(lead)(RENAME, { id: team.id, name: 'Renamed by lead' }))).toBe('FORBIDDEN');
    expect(code(await as(lead)(DELETE, { id: team.id }))).toBe('FORBIDDEN');

    ok(await addTeamMemberOnceJoined(system, lead, { teamId: team.id, userId: owner.user.id }));
    ok(await as(lead)(SET_ROLE, { teamId: team.id, userId: agent.user.id, role: 'LEAD' }));
    ok(await as(agent)(REMOVE, { teamId: team.id, userId: owner.user.id })); // now a lead too
    expect(ok(await as(owner)(`query ($id: ID!) { team(id: $id) { name memberCount } }`, { id: team.id })).team).toEqual({ name: 'Roles', memberCount: 3 });
  });
});
