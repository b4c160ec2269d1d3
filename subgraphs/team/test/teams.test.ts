import { randomUUID } from 'node:crypto';
import { createTeam, dataOf, errorCode, member, startTeamSubgraph, TEAM_FIELDS, type Client, type TeamSubgraph } from './harness';

const CREATE = `mutation ($name: String!) { createTeam(name: $name) { ${TEAM_FIELDS} } }`;
const RENAME = `mutation ($id: ID!, $name: String!) { renameTeam(id: $id, name: $name) { id name } }`;
const DELETE = `mutation ($id: ID!) { deleteTeam(id: $id) }`;
const TEAM = `query ($id: ID!) { team(id: $id) { ${TEAM_FIELDS} } }`;
const TEAMS = `{ teams { id name } }`;

describe('teams (team subgraph over PostgreSQL and Redis)', () => {
  let subgraph: TeamSubgraph;
  let admin: Client;
  const organizationId = randomUUID();

  beforeAll(async () => {
    subgraph = await startTeamSubgraph();
    admin = subgraph.as(member(organizationId, 'ADMIN'));
  });
  afterAll(() => subgraph?.close());

  it('creates a team with a trimmed name and no members, and reads it back', async () => {
    const before = Date.now();
    const created = dataOf(await admin(CREATE, { name: '  Support   Tier 1 ' })).createTeam;
    expect(created).toMatchObject({ name: 'Support Tier 1', memberCount: 0, members: [] });
    expect(new Date(created.createdAt).getTime()).toBeGreaterThanOrEqual(before - 1000);
    expect(dataOf(await admin(TEAM, { id: created.id })).team).toEqual(created);
  });

  it('lists the organization’s teams ordered by name regardless of letter case', async () => {
    for (const name of ['delta', 'Bravo', 'alpha', 'Charlie']) await createTeam(admin, name);
    const names = dataOf(await admin(TEAMS)).teams.map((team: { name: string }) => team.name);
    expect(names).toEqual(['alpha', 'Bravo', 'Charlie', 'delta', 'Support Tier 1']);
  });

  it('refuses empty, blank and too-long names on the name field', async () => {
    for (const name of ['', '   ', 'x'.repeat(81)]) {
      const result = await admin(CREATE, { name });
      expect(errorCode(result)).toBe('BAD_USER_INPUT');
      expect(result.errors?.[0]?.extensions?.field).toBe('name');
    }
    expect(dataOf(await admin(CREATE, { name: 'n'.repeat(80) })).createTeam.name).toHaveLength(80);
  });

  it('refuses a name another team has in any letter case, naming that team', async () => {
    const sales = await createTeam(admin, 'Sales EMEA');
    const result = await admin(CREATE, { name: 'SALES emea' });
    expect(errorCode(result)).toBe('CONFLICT');
    expect(result.errors?.[0]?.message).toContain('"Sales EMEA"');
    expect(result.errors?.[0]?.extensions).toMatchObject({ field: 'name', existingTeamId: sales.id, existingTeamName: 'Sales EMEA' });
  });

  it('keeps names unique under concurrent creation: exactly one wins, the rest get CONFLICT', async () => {
    const results = await Promise.all(Array.from({ length: 6 }, (_, i) => admin(CREATE, { name: i % 2 ? 'Night Shift' : 'NIGHT SHIFT' })));
    const created = results.filter((result) => !result.errors);
    expect(created).toHaveLength(1);
    for (const result of results.filter((r) => r.errors)) expect(errorCode(result)).toBe('CONFLICT');
  });

  it('allows the same name in another organization', async () => {
    const other = subgraph.as(member(randomUUID(), 'OWNER'));
    expect((await createTeam(other, 'Sales EMEA')).name).toBe('Sales EMEA');
  });

  it('renames a team, also to a different letter case of its own name', async () => {
    const team = await createTeam(admin, 'Billing');
    expect(dataOf(await admin(RENAME, { id: team.id, name: 'Billing & Invoices' })).renameTeam).toEqual({ id: team.id, name: 'Billing & Invoices' });
    expect(dataOf(await admin(RENAME, { id: team.id, name: 'BILLING & invoices' })).renameTeam.name).toBe('BILLING & invoices');
    expect(dataOf(await admin(TEAM, { id: team.id })).team.name).toBe('BILLING & invoices');
  });

  it('refuses to rename to another team’s name or to a bad name, and changes nothing', async () => {
    const ops = await createTeam(admin, 'Ops');
    await createTeam(admin, 'Platform');
    const taken = await admin(RENAME, { id: ops.id, name: 'platform' });
    expect(errorCode(taken)).toBe('CONFLICT');
    expect(taken.errors?.[0]?.message).toContain('"Platform"');
    expect(errorCode(await admin(RENAME, { id: ops.id, name: ' ' }))).toBe('BAD_USER_INPUT');
    expect(errorCode(await admin(RENAME, { id: ops.id, name: 'o'.repeat(81) }))).toBe('BAD_USER_INPUT');
    expect(dataOf(await admin(TEAM, { id: ops.id })).team.name).toBe('Ops');
  });

  it('deletes a team with its memberships; its name is free again', async () => {
    const team = await createTeam(admin, 'Temporary');
    dataOf(await admin(`mutation ($id: ID!, $u: ID!) { addTeamMember(teamId: $id, userId: $u) { id } }`, { id: team.id, u: await subgraph.join(organizationId) }));
    expect(dataOf(await admin(DELETE, { id: team.id })).deleteTeam).toBe(team.id);
    expect(errorCode(await admin(TEAM, { id: team.id }))).toBe('NOT_FOUND');
    expect(await subgraph.prisma.teamMember.count({ where: { teamId: team.id } })).toBe(0);
    expect(errorCode(await admin(DELETE, { id: team.id }))).toBe('NOT_FOUND');
    expect((await createTeam(admin, 'temporary')).name).toBe('temporary');
  });

  it('answers unknown and malformed team ids with NOT_FOUND errors (never null, never a 500)', async () => {
    for (const id of [randomUUID(), 'not-a-uuid', "' OR 1=1 --", '']) {
      const result = await admin(TEAM, { id });
      expect(errorCode(result)).toBe('NOT_FOUND');
      expect(result.errors?.[0]?.path).toEqual(['team']);
      expect(errorCode(await admin(RENAME, { id, name: 'Anything' }))).toBe('NOT_FOUND');
      expect(errorCode(await admin(DELETE, { id }))).toBe('NOT_FOUND');
    }
  });

  it('publishes one event per committed change on the prefixed Redis channel, none for refused ones', async () => {
    const team = await createTeam(admin, 'Events');
    dataOf(await admin(RENAME, { id: team.id, name: 'Events 2' }));
    dataOf(await admin(RENAME, { id: team.id, name: 'Events 2' })); // unchanged: no event
    expect(errorCode(await admin(CREATE, { name: 'events 2' }))).toBe('CONFLICT');
    dataOf(await admin(DELETE, { id: team.id }));
    expect(await subgraph.eventsFor(team.id, 3)).toEqual([
      { organizationId, teamId: team.id, kind: 'CREATED' },
      { organizationId, teamId: team.id, kind: 'RENAMED' },
      { organizationId, teamId: team.id, kind: 'DELETED' },
    ]);
  });

  it('refuses anonymous callers and requests without the gateway’s signature', async () => {
    const anonymous = subgraph.as({ kind: 'anonymous', clientIp: '127.0.0.1', requestId: randomUUID() });
    expect(errorCode(await anonymous(TEAMS))).toBe('UNAUTHENTICATED');
    expect(errorCode(await anonymous(CREATE, { name: 'Nope' }))).toBe('UNAUTHENTICATED');
    expect((await subgraph.post({ query: TEAMS }, undefined)).status).toBe(401);
    expect((await subgraph.post({ query: TEAMS }, 'forged.header')).status).toBe(401);
  });
});
