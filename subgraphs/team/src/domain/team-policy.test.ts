import type { Role } from '@switchboard/auth';
import { GraphQLError } from 'graphql';
import { assertCanManageMembers, assertCanManageTeams, canManageMembers, canManageTeams, type TeamRole } from './team-policy';

describe('who may manage teams', () => {
  it.each<[Role, boolean]>([
    ['OWNER', true],
    ['ADMIN', true],
    ['AGENT', false],
    ['VIEWER', false],
  ])('%s → %s', (role, allowed) => {
    expect(canManageTeams(role)).toBe(allowed);
    if (allowed) expect(() => assertCanManageTeams(role)).not.toThrow();
    else expect(() => assertCanManageTeams(role)).toThrow(expect.objectContaining({ extensions: { code: 'FORBIDDEN' } }));
  });
});

describe('who may manage the members of a team', () => {
  it.each<[Role, TeamRole | null, boolean]>([
    ['OWNER', null, true],
    ['ADMIN', null, true],
    ['ADMIN', 'MEMBER', true],
    ['AGENT', 'LEAD', true],
    ['AGENT', 'MEMBER', false],
    ['AGENT', null, false],
    ['VIEWER', 'LEAD', false],
    ['VIEWER', 'MEMBER', false],
    ['VIEWER', null, false],
  ])('%s with team role %s → %s', (role, roleInTeam, allowed) => {
    expect(canManageMembers(role, roleInTeam)).toBe(allowed);
    const check = () => assertCanManageMembers(role, roleInTeam);
    if (allowed) expect(check).not.toThrow();
    else expect(check).toThrow(GraphQLError);
  });

  it('tells an agent that only leads may, and a viewer that the role is too low', () => {
    expect(() => assertCanManageMembers('AGENT', 'MEMBER')).toThrow(/lead of this team/);
    expect(() => assertCanManageMembers('VIEWER', 'LEAD')).toThrow(/AGENT role or higher; you are VIEWER/);
  });
});
