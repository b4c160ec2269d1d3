import { randomUUID } from 'node:crypto';
import type { Role } from '@switchboard/auth';
import { addMember, createTeam, dataOf, errorCode, member, startTeamSubgraph, type Client, type TeamSubgraph } from './harness';

type Operation = 'team' | 'teams' | 'createTeam' | 'renameTeam' | 'deleteTeam' | 'addTeamMember' | 'removeTeamMember' | 'setTeamMemberRole';

const SNAPSHOT = `query ($id: ID!) { team(id: $id) { name members { role user { id } } } }`;

/**
 * Runs `operation` on `teamId` as `client`: `existingUserId` is a member of the team, `newcomerId`
 * a member of the organization who is not in the team.
 */
function run(client: Client, operation: Operation, teamId: string, existingUserId: string, newcomerId: string) {
  switch (operation) {
    case 'team':
      return client(`query ($id: ID!) { team(id: $id) { id } }`, { id: teamId });
    case 'teams':
      return client(`{ teams { id } }`);
    case 'createTeam':
      return client(`mutation ($name: String!) { createTeam(name: $name) { id } }`, { name: `New ${randomUUID()}` });
    case 'renameTeam':
      return client(`mutation ($id: ID!, $name: String!) { renameTeam(id: $id, name: $name) { id } }`, { id: teamId, name: `Renamed ${randomUUID()}` });
    case 'deleteTeam':
      return client(`mutation ($id: ID!) { deleteTeam(id: $id) }`, { id: teamId });
    case 'addTeamMember':
      return client(`mutation ($t: ID!, $u: ID!) { addTeamMember(teamId: $t, userId: $u) { id } }`, { t: teamId, u: newcomerId });
    case 'removeTeamMember':
      return client(`mutation ($t: ID!, $u: ID!) { removeTeamMember(teamId: $t, userId: $u) { id } }`, { t: teamId, u: existingUserId });
    case 'setTeamMemberRole':
      return client(`mutation ($t: ID!, $u: ID!) { setTeamMemberRole(teamId: $t, userId: $u, role: LEAD) { id } }`, { t: teamId, u: existingUserId });
  }
}

const READS: Operation[] = ['team', 'teams'];
const TEAM_ADMIN: Operation[] = ['createTeam', 'renameTeam', 'deleteTeam'];
const MEMBER_ADMIN: Operation[] = ['addTeamMember', 'removeTeamMember', 'setTeamMemberRole'];
const ALL = [...READS, ...TEAM_ADMIN, ...MEMBER_ADMIN];

/**
 * [organization role, the caller's role in the team (null: not a member), operations allowed].
 * Everything not listed as allowed must be FORBIDDEN and change nothing.
 */
const TABLE: [Role, 'LEAD' | 'MEMBER' | null, Operation[]][] = [
  ['OWNER', null, ALL],
  ['ADMIN', null, ALL],
  ['ADMIN', 'MEMBER', ALL],
  ['AGENT', 'LEAD', [...READS, ...MEMBER_ADMIN]],
  ['AGENT', 'MEMBER', READS],
  ['AGENT', null, READS],
  ['VIEWER', 'LEAD', READS],
  ['VIEWER', null, READS],
];

const CASES = TABLE.flatMap(([role, roleInTeam, allowed]) =>
  ALL.map((operation) => [role, roleInTeam ?? 'none', operation, allowed.includes(operation)] as const),
);

describe('roles (team subgraph over PostgreSQL)', () => {
  let subgraph: TeamSubgraph;
  let owner: Client;
  const organizationId = randomUUID();

  beforeAll(async () => {
    subgraph = await startTeamSubgraph();
    owner = subgraph.as(member(organizationId, 'OWNER'));
  });
  afterAll(() => subgraph?.close());

  it.each(CASES)('%s (team role: %s) %s → allowed: %s', async (role, roleInTeam, operation, allowed) => {
    const team = await createTeam(owner, `Team ${randomUUID()}`);
    const [existingUserId, newcomerId] = await subgraph.newMembers(organizationId, 2);
    await addMember(owner, team.id, existingUserId!);
    const caller = member(organizationId, role, await subgraph.join(organizationId));
    if (roleInTeam !== 'none') await addMember(owner, team.id, caller.userId, roleInTeam);
    const before = dataOf(await owner(SNAPSHOT, { id: team.id }));

    const result = await run(subgraph.as(caller), operation, team.id, existingUserId!, newcomerId!);

    if (allowed) {
      dataOf(result);
    } else {
      expect(errorCode(result)).toBe('FORBIDDEN');
      expect(dataOf(await owner(SNAPSHOT, { id: team.id }))).toEqual(before);
    }
  });

  it('a lead manages only the team they lead', async () => {
    const led = await createTeam(owner, 'Led by Lee');
    const other = await createTeam(owner, 'Not led by Lee');
    const lee = member(organizationId, 'AGENT', await subgraph.join(organizationId));
    await addMember(owner, led.id, lee.userId, 'LEAD');
    await addMember(owner, other.id, lee.userId, 'MEMBER');
    const asLee = subgraph.as(lee);
    const newcomer = await subgraph.join(organizationId);
    dataOf(await run(asLee, 'addTeamMember', led.id, lee.userId, newcomer));
    for (const operation of MEMBER_ADMIN) {
      expect(errorCode(await run(asLee, operation, other.id, lee.userId, newcomer))).toBe('FORBIDDEN');
    }
  });

  it('a lead may appoint another lead, and loses the right once demoted', async () => {
    const team = await createTeam(owner, 'Rotating lead');
    const [firstId, secondId, newcomerId] = await subgraph.newMembers(organizationId, 3);
    const [first, second] = [member(organizationId, 'AGENT', firstId), member(organizationId, 'AGENT', secondId)];
    await addMember(owner, team.id, first.userId, 'LEAD');
    await addMember(subgraph.as(first), team.id, second.userId, 'MEMBER');
    const promote = `mutation ($t: ID!, $u: ID!, $r: TeamRole!) { setTeamMemberRole(teamId: $t, userId: $u, role: $r) { id } }`;
    dataOf(await subgraph.as(first)(promote, { t: team.id, u: second.userId, r: 'LEAD' }));
    dataOf(await subgraph.as(second)(promote, { t: team.id, u: first.userId, r: 'MEMBER' }));
    expect(errorCode(await run(subgraph.as(first), 'addTeamMember', team.id, first.userId, newcomerId!))).toBe('FORBIDDEN');
    dataOf(await run(subgraph.as(second), 'addTeamMember', team.id, second.userId, newcomerId!));
  });
});
