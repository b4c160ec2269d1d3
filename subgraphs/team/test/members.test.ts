import { randomUUID } from 'node:crypto';
import { addMember, createTeam, dataOf, errorCode, member, startTeamSubgraph, type Client, type TeamSubgraph } from './harness';

const ADD = `mutation ($teamId: ID!, $userId: ID!, $role: TeamRole) {
  addTeamMember(teamId: $teamId, userId: $userId, role: $role) { id memberCount members { role addedAt user { id } } }
}`;
const ADD_DEFAULT_ROLE = `mutation ($teamId: ID!, $userId: ID!) { addTeamMember(teamId: $teamId, userId: $userId) { members { role userId user { id } } } }`;
const REMOVE = `mutation ($teamId: ID!, $userId: ID!) { removeTeamMember(teamId: $teamId, userId: $userId) { memberCount members { user { id } } } }`;
const SET_ROLE = `mutation ($teamId: ID!, $userId: ID!, $role: TeamRole!) {
  setTeamMemberRole(teamId: $teamId, userId: $userId, role: $role) { members { role user { id } } }
}`;
const USER_TEAMS = `query ($representations: [_Any!]!) { _entities(representations: $representations) { ... on User { id teams { id name } } } }`;
const TEAM_REFS = `query ($representations: [_Any!]!) { _entities(representations: $representations) { ... on Team { id name memberCount } } }`;

describe('team members (team subgraph over PostgreSQL and Redis)', () => {
  let subgraph: TeamSubgraph;
  let admin: Client;
  const organizationId = randomUUID();

  beforeAll(async () => {
    subgraph = await startTeamSubgraph();
    admin = subgraph.as(member(organizationId, 'ADMIN'));
  });
  afterAll(() => subgraph?.close());

  it('adds members (MEMBER by default), lists leads first then by time added, and counts them', async () => {
    const team = await createTeam(admin, 'Support');
    const [ana, ben, cy] = await subgraph.newMembers(organizationId, 3);
    expect(dataOf(await admin(ADD_DEFAULT_ROLE, { teamId: team.id, userId: ana })).addTeamMember.members).toEqual([
      { role: 'MEMBER', userId: ana, user: { id: ana } },
    ]);
    dataOf(await admin(ADD, { teamId: team.id, userId: ben, role: 'MEMBER' }));
    const result = dataOf(await admin(ADD, { teamId: team.id, userId: cy, role: 'LEAD' })).addTeamMember;
    expect(result.memberCount).toBe(3);
    expect(result.members.map((m: { role: string; user: { id: string } }) => [m.role, m.user.id])).toEqual([
      ['LEAD', cy],
      ['MEMBER', ana],
      ['MEMBER', ben],
    ]);
    expect(Number.isNaN(Date.parse(result.members[0].addedAt))).toBe(false);
  });

  it('refuses to add a member twice (CONFLICT) and a malformed user id (BAD_USER_INPUT on userId)', async () => {
    const team = await createTeam(admin, 'Billing');
    const userId = await subgraph.join(organizationId);
    await addMember(admin, team.id, userId);
    const again = await admin(ADD, { teamId: team.id, userId, role: 'LEAD' });
    expect(errorCode(again)).toBe('CONFLICT');
    expect(again.errors?.[0]?.extensions?.field).toBe('userId');
    for (const bad of ['', 'nobody', 'x'.repeat(500)]) {
      const result = await admin(ADD, { teamId: team.id, userId: bad });
      expect(errorCode(result)).toBe('BAD_USER_INPUT');
      expect(result.errors?.[0]?.extensions?.field).toBe('userId');
    }
    const concurrent = await subgraph.join(organizationId);
    const results = await Promise.all([1, 2, 3, 4].map(() => admin(ADD, { teamId: team.id, userId: concurrent })));
    expect(results.filter((r) => !r.errors)).toHaveLength(1);
    for (const r of results.filter((r) => r.errors)) expect(errorCode(r)).toBe('CONFLICT');
  });

  it('changes a member’s role, and removes members', async () => {
    const team = await createTeam(admin, 'Sales');
    const ana = await subgraph.join(organizationId);
    const ben = await subgraph.join(organizationId);
    await addMember(admin, team.id, ana);
    await addMember(admin, team.id, ben);
    expect(dataOf(await admin(SET_ROLE, { teamId: team.id, userId: ben, role: 'LEAD' })).setTeamMemberRole.members).toEqual([
      { role: 'LEAD', user: { id: ben } },
      { role: 'MEMBER', user: { id: ana } },
    ]);
    const removed = dataOf(await admin(REMOVE, { teamId: team.id, userId: ana })).removeTeamMember;
    expect(removed).toEqual({ memberCount: 1, members: [{ user: { id: ben } }] });
  });

  it('answers NOT_FOUND for a user who is not a member and for unknown teams', async () => {
    const team = await createTeam(admin, 'Ops');
    const stranger = randomUUID();
    for (const [query, variables] of [
      [REMOVE, { teamId: team.id, userId: stranger }],
      [SET_ROLE, { teamId: team.id, userId: stranger, role: 'LEAD' }],
    ] as const) {
      const result = await admin(query, variables);
      expect(errorCode(result)).toBe('NOT_FOUND');
      expect(result.errors?.[0]?.extensions).toMatchObject({ entity: 'TeamMember', field: 'userId' });
    }
    for (const teamId of [randomUUID(), 'not-a-team']) {
      expect(errorCode(await admin(ADD, { teamId, userId: stranger }))).toBe('NOT_FOUND');
      expect(errorCode(await admin(REMOVE, { teamId, userId: stranger }))).toBe('NOT_FOUND');
      expect(errorCode(await admin(SET_ROLE, { teamId, userId: stranger, role: 'MEMBER' }))).toBe('NOT_FOUND');
    }
  });

  it('publishes MEMBER_ADDED / MEMBER_ROLE_CHANGED / MEMBER_REMOVED after each change, nothing for no-ops and refusals', async () => {
    const team = await createTeam(admin, 'Eventful');
    const userId = await subgraph.join(organizationId);
    await addMember(admin, team.id, userId);
    expect(errorCode(await admin(ADD, { teamId: team.id, userId }))).toBe('CONFLICT');
    dataOf(await admin(SET_ROLE, { teamId: team.id, userId, role: 'LEAD' }));
    dataOf(await admin(SET_ROLE, { teamId: team.id, userId, role: 'LEAD' })); // unchanged
    dataOf(await admin(REMOVE, { teamId: team.id, userId }));
    expect(await subgraph.eventsFor(team.id, 4)).toEqual(
      ['CREATED', 'MEMBER_ADDED', 'MEMBER_ROLE_CHANGED', 'MEMBER_REMOVED'].map((kind) => ({ organizationId, teamId: team.id, kind })),
    );
  });

  it('contributes User.teams through federation: the teams of the caller’s organization the user is in', async () => {
    const userId = await subgraph.join(organizationId);
    const zulu = await createTeam(admin, 'Zulu');
    const alpha = await createTeam(admin, 'alpha squad');
    await addMember(admin, zulu.id, userId);
    await addMember(admin, alpha.id, userId, 'LEAD');
    const loner = randomUUID();
    const result = dataOf(
      await admin(USER_TEAMS, { representations: [{ __typename: 'User', id: userId }, { __typename: 'User', id: loner }] }),
    );
    expect(result._entities).toEqual([
      { id: userId, teams: [{ id: alpha.id, name: 'alpha squad' }, { id: zulu.id, name: 'Zulu' }] },
      { id: loner, teams: [] },
    ]);
    // The same user seen from another organization is in none of its teams.
    const outsider = subgraph.as(member(randomUUID(), 'OWNER'));
    expect(dataOf(await outsider(USER_TEAMS, { representations: [{ __typename: 'User', id: userId }] }))._entities).toEqual([
      { id: userId, teams: [] },
    ]);
  });

  it('resolves Team references of its own organization only', async () => {
    const team = await createTeam(admin, 'Referenced');
    await addMember(admin, team.id, await subgraph.join(organizationId));
    const representations = [{ __typename: 'Team', id: team.id }, { __typename: 'Team', id: randomUUID() }];
    expect(dataOf(await admin(TEAM_REFS, { representations }))._entities).toEqual([
      { id: team.id, name: 'Referenced', memberCount: 1 },
      null,
    ]);
    const outsider = subgraph.as(member(randomUUID(), 'ADMIN'));
    expect(dataOf(await outsider(TEAM_REFS, { representations }))._entities).toEqual([null, null]);
  });
});
