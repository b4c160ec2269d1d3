import { roleAtLeast, type Role } from '@switchboard/auth';
import { forbidden } from '@switchboard/subgraph-kit';

export type TeamRole = 'LEAD' | 'MEMBER';

/** Creating, renaming and deleting teams: ADMIN or higher. */
export function canManageTeams(role: Role): boolean {
  return roleAtLeast(role, 'ADMIN');
}

/**
 * Adding and removing members of a team and changing their roles: ADMIN or higher, or a LEAD of
 * that very team whose organization role is at least AGENT (a VIEWER is read-only even when they
 * lead a team).
 */
export function canManageMembers(role: Role, roleInTeam: TeamRole | null): boolean {
  if (roleAtLeast(role, 'ADMIN')) return true;
  return roleInTeam === 'LEAD' && roleAtLeast(role, 'AGENT');
}

export function assertCanManageTeams(role: Role): void {
  if (!canManageTeams(role)) throw forbidden(`Managing teams needs the ADMIN role or higher; you are ${role}`);
}

export function assertCanManageMembers(role: Role, roleInTeam: TeamRole | null): void {
  if (canManageMembers(role, roleInTeam)) return;
  if (!roleAtLeast(role, 'AGENT')) throw forbidden(`Managing team members needs the AGENT role or higher; you are ${role}`);
  throw forbidden('Only an ADMIN or a lead of this team can manage its members');
}
