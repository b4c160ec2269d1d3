import { randomUUID } from 'node:crypto';
import { registerUser, startTestSystem, type SeededUser, type GraphQLResponse, type TestSystem } from '@switchboard/testkit';

/**
 * Tenant isolation of teams through the gateway: an organization gets NOT_FOUND for every id of
 * another organization on every query and mutation — exactly what an unknown id gets — and nothing
 * of the other organization changes or shows.
 */

type System = TestSystem;

let system: System;
let alice: SeededUser; // OWNER of organization A
let bob: SeededUser; // OWNER of organization B
let teamB: { id: string; name: string };

const SNAPSHOT = `{ teams { id name memberCount members { role user { id } } } }`;

function ok(result: GraphQLResponse) {
  expect({ status: result.status, errors: result.errors }).toEqual({ status: 200, errors: undefined });
  return result.data;
}

beforeAll(async () => {
  system = await startTestSystem();
  alice = await registerUser(system, { organizationName: 'Org A' });
  bob = await registerUser(system, { organizationName: 'Org B' });
  teamB = ok(await system.graphql(`mutation { createTeam(name: "B Private") { id name } }`, {}, { token: bob.accessToken })).createTeam;
  ok(
    await system.graphql(
      `mutation ($t: ID!, $u: ID!) { addTeamMember(teamId: $t, userId: $u, role: LEAD) { id } }`,
      { t: teamB.id, u: bob.user.id },
      { token: bob.accessToken },
    ),
  );
  ok(await system.graphql(`mutation { createTeam(name: "A Public") { id } }`, {}, { token: alice.accessToken }));
});
afterAll(async () => {
  await system?.close();
});

const OPERATIONS: [string, string, (teamId: string) => Record<string, unknown>][] = [
  ['team', `query ($id: ID!) { team(id: $id) { id name members { user { id } } } }`, (id) => ({ id })],
  ['renameTeam', `mutation ($id: ID!) { renameTeam(id: $id, name: "Taken over") { id } }`, (id) => ({ id })],
  ['deleteTeam', `mutation ($id: ID!) { deleteTeam(id: $id) }`, (id) => ({ id })],
  ['addTeamMember', `mutation ($id: ID!, $u: ID!) { addTeamMember(teamId: $id, userId: $u, role: LEAD) { id } }`, (id) => ({ id, u: alice.user.id })],
  ['removeTeamMember', `mutation ($id: ID!, $u: ID!) { removeTeamMember(teamId: $id, userId: $u) { id } }`, (id) => ({ id, u: bob.user.id })],
  ['setTeamMemberRole', `mutation ($id: ID!, $u: ID!) { setTeamMemberRole(teamId: $id, userId: $u, role: MEMBER) { id } }`, (id) => ({ id, u: bob.user.id })],
];

describe('team tenant isolation through the gateway', () => {
  it.each(OPERATIONS)('%s on another organization’s team: NOT_FOUND like an unknown id; nothing changes', async (_name, query, variables) => {
    const before = ok(await system.graphql(SNAPSHOT, {}, { token: bob.accessToken }));
    const foreign = await system.graphql(query, variables(teamB.id), { token: alice.accessToken });
    const unknown = await system.graphql(query, variables(randomUUID()), { token: alice.accessToken });
    for (const result of [foreign, unknown]) {
      expect(result.status).toBe(200);
      expect(result.errors).toHaveLength(1);
      expect(result.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    }
    expect(foreign.errors?.[0]?.extensions).toEqual(unknown.errors?.[0]?.extensions);
    expect(JSON.stringify(foreign)).not.toContain('B Private');
    expect(ok(await system.graphql(SNAPSHOT, {}, { token: bob.accessToken }))).toEqual(before);
  });

  it('teams and me.teams show only the caller’s organization', async () => {
    expect(ok(await system.graphql(`{ teams { name } }`, {}, { token: alice.accessToken })).teams).toEqual([{ name: 'A Public' }]);
    expect(ok(await system.graphql(`{ teams { name } }`, {}, { token: bob.accessToken })).teams).toEqual([{ name: 'B Private' }]);
    expect(ok(await system.graphql(`{ me { teams { name } } }`, {}, { token: bob.accessToken })).me.teams).toEqual([{ name: 'B Private' }]);
    expect(ok(await system.graphql(`{ me { teams { name } } }`, {}, { token: alice.accessToken })).me.teams).toEqual([]);
  });

  it('the same team name is free in another organization', async () => {
    const result = await system.graphql(`mutation { createTeam(name: "b private") { name } }`, {}, { token: alice.accessToken });
    expect(ok(result).createTeam).toEqual({ name: 'b private' });
  });
});
