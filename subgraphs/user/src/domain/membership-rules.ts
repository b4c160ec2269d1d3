import { roleAtLeast, type Role } from '@switchboard/auth';

/**
 * Who may do what to memberships, as pure rules (the services enforce them against the roles in
 * the database). The strongest role is OWNER; only an OWNER can make or unmake an OWNER, nobody
 * hands out a role above their own, and an organization always keeps at least one OWNER.
 */
export type MembershipRefusal =
  | { code: 'FORBIDDEN'; message: string }
  | { code: 'CONFLICT'; reason: 'LAST_OWNER'; message: string };

/** The minimum role for managing members (invite, revoke invitations, change roles, remove). */
export const MANAGE_MEMBERS_ROLE: Role = 'ADMIN';

export function checkInvite(actorRole: Role, invitedRole: Role): MembershipRefusal | null {
  if (!roleAtLeast(actorRole, MANAGE_MEMBERS_ROLE)) {
    return { code: 'FORBIDDEN', message: `Inviting members needs the ${MANAGE_MEMBERS_ROLE} role or higher` };
  }
  if (invitedRole === 'OWNER' && actorRole !== 'OWNER') {
    return { code: 'FORBIDDEN', message: 'Only an OWNER can invite an OWNER' };
  }
  if (!roleAtLeast(actorRole, invitedRole)) {
    return { code: 'FORBIDDEN', message: `You cannot invite someone as ${invitedRole}, a role above your own (${actorRole})` };
  }
  return null;
}

export function checkRoleChange(input: {
  actorRole: Role;
  currentRole: Role;
  newRole: Role;
  ownerCount: number;
}): MembershipRefusal | null {
  const { actorRole, currentRole, newRole, ownerCount } = input;
  if (!roleAtLeast(actorRole, MANAGE_MEMBERS_ROLE)) {
    return { code: 'FORBIDDEN', message: `Changing roles needs the ${MANAGE_MEMBERS_ROLE} role or higher` };
  }
  if ((currentRole === 'OWNER' || newRole === 'OWNER') && actorRole !== 'OWNER') {
    return { code: 'FORBIDDEN', message: 'Only an OWNER can grant or revoke the OWNER role' };
  }
  if (!roleAtLeast(actorRole, newRole)) {
    return { code: 'FORBIDDEN', message: `You cannot grant ${newRole}, a role above your own (${actorRole})` };
  }
  if (currentRole === 'OWNER' && newRole !== 'OWNER' && ownerCount <= 1) {
    return {
      code: 'CONFLICT',
      reason: 'LAST_OWNER',
      message: 'The last OWNER cannot be demoted; make someone else OWNER first',
    };
  }
  return null;
}

export function checkRemoval(input: { actorRole: Role; targetRole: Role; ownerCount: number }): MembershipRefusal | null {
  const { actorRole, targetRole, ownerCount } = input;
  if (!roleAtLeast(actorRole, MANAGE_MEMBERS_ROLE)) {
    return { code: 'FORBIDDEN', message: `Removing members needs the ${MANAGE_MEMBERS_ROLE} role or higher` };
  }
  if (targetRole === 'OWNER' && actorRole !== 'OWNER') {
    return { code: 'FORBIDDEN', message: 'Only an OWNER can remove an OWNER' };
  }
  if (targetRole === 'OWNER' && ownerCount <= 1) {
    return {
      code: 'CONFLICT',
      reason: 'LAST_OWNER',
      message: 'The last OWNER cannot be removed; make someone else OWNER first',
    };
  }
  return null;
}
