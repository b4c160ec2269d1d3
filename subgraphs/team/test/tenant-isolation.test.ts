import { randomUUID } from 'node:crypto';
import { addMember, createTeam, dataOf, errorCode, member, startTeamSubgraph, type Client, type TeamSubgraph } from './harness';

const SNAPSHOT = `{ teams { id name memberCount members { role user { id } } } }`;

describe('tenant isolation (team subgraph over PostgreSQL)', () => {
  let subgraph: TeamSubgraph;
  let ownerA: Client;
  let ownerB: Client;
  const [orgA, orgB] = [randomUUID(), randomUUID()];
  let teamB: { id: string; name: string };
  let memberOfB: string;

  beforeAll(async () => {
    subgraph = await startTeamSubgraph();
    ownerA = subgraph.as(member(orgA, 'OWNER'));
    ownerB = subgraph.as(member(orgB, 'OWNER'));
    teamB = await createTeam(ownerB, 'B Secret Team');
    memberOfB = await subgraph.join(orgB);
    await addMember(ownerB, teamB.id, memberOfB, 'LEAD');
    await createTeam(ownerA, 'A Team');
  });
  afterAll(() => subgraph?.close());

  const operations: [string, string, (teamId: string) => Record<string, unknown>][] = [
    ['team', `query ($id: ID!) { team(id: $id) { id name } }`, (id) => ({ id })],
    ['renameTeam', `mutation ($id: ID!) { renameTeam(id: $id, name: "Hijacked") { id } }`, (id) => ({ id })],
    ['deleteTeam', `mutation ($id: ID!) { deleteTeam(id: $id) }`, (id) => ({ id })],
    ['addTeamMember', `mutation ($id: ID!, $u: ID!) { addTeamMember(teamId: $id, userId: $u, role: LEAD) { id } }`, (id) => ({ id, u: randomUUID() })],
    ['removeTeamMember', `mutation ($id: ID!, $u: ID!) { removeTeamMember(teamId: $id, userId: $u) { id } }`, (id) => ({ id, u: memberOfB })],
    ['setTeamMemberRole', `mutation ($id: ID!, $u: ID!) { setTeamMemberRole(teamId: $id, userId: $u, role: MEMBER) { id } }`, (id) => ({ id, u: memberOfB })],
  ];

  it.each(operations)('%s with another organization’s team id is NOT_FOUND, exactly like an unknown id, and changes nothing', async (_name, query, variables) => {
    const before = dataOf(await ownerB(SNAPSHOT));
    const foreign = await ownerA(query, variables(teamB.id));
    const unknown = await ownerA(query, variables(randomUUID()));
    expect(errorCode(foreign)).toBe('NOT_FOUND');
    expect(errorCode(unknown)).toBe('NOT_FOUND');
    // Nothing tells the two apart but the id in the message.
    expect(foreign.errors?.[0]?.extensions).toEqual(unknown.errors?.[0]?.extensions);
    expect(foreign.errors?.[0]?.message.replace(teamB.id, '<id>')).toBe(unknown.errors?.[0]?.message.replace(/[0-9a-f-]{36}/, '<id>'));
    expect(foreign.errors?.[0]?.message).not.toContain('B Secret Team');
    expect(dataOf(await ownerB(SNAPSHOT))).toEqual(before);
  });

  it('teams lists only the caller’s organization', async () => {
    expect(dataOf(await ownerA(SNAPSHOT)).teams.map((t: { name: string }) => t.name)).toEqual(['A Team']);
    expect(dataOf(await ownerB(SNAPSHOT)).teams.map((t: { name: string }) => t.name)).toEqual(['B Secret Team']);
  });

  it('Team and User references from another organization resolve to nothing', async () => {
    const refs = await ownerA(
      `query ($r: [_Any!]!) { _entities(representations: $r) { ... on Team { id name } ... on User { id teams { id name } } } }`,
      { r: [{ __typename: 'Team', id: teamB.id }, { __typename: 'User', id: memberOfB }] },
    );
    expect(dataOf(refs)._entities).toEqual([null, { id: memberOfB, teams: [] }]);
  });

  it('team names are unique per organization only', async () => {
    expect((await createTeam(ownerA, 'b secret team')).name).toBe('b secret team');
  });

  it('a member of another organization cannot be added: NOT_FOUND exactly like an id nobody has', async () => {
    const teamA = await createTeam(ownerA, 'Mixed');
    const add = `mutation ($t: ID!, $u: ID!) { addTeamMember(teamId: $t, userId: $u) { id } }`;
    const foreign = await ownerA(add, { t: teamA.id, u: memberOfB });
    const unknown = await ownerA(add, { t: teamA.id, u: randomUUID() });
    expect(errorCode(foreign)).toBe('NOT_FOUND');
    expect(foreign.errors?.[0]?.extensions).toEqual(unknown.errors?.[0]?.extensions);
    expect(foreign.errors?.[0]?.extensions).toMatchObject({ entity: 'User', field: 'userId' });
    expect(foreign.errors?.[0]?.message.replace(memberOfB, '<id>')).toBe(unknown.errors?.[0]?.message.replace(/[0-9a-f-]{36}/, '<id>'));
    const userTeams = `query ($r: [_Any!]!) { _entities(representations: $r) { ... on User { teams { name } } } }`;
    expect(dataOf(await ownerA(userTeams, { r: [{ __typename: 'User', id: memberOfB }] }))._entities).toEqual([{ teams: [] }]);
    expect(dataOf(await ownerB(userTeams, { r: [{ __typename: 'User', id: memberOfB }] }))._entities).toEqual([
      { teams: [{ name: 'B Secret Team' }] },
    ]);
  });
});
