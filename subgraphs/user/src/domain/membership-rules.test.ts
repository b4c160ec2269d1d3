import { ROLES, type Role } from '@switchboard/auth';
import { checkInvite, checkRemoval, checkRoleChange } from './membership-rules';

describe('membership rules', () => {
  it('lets ADMIN+ invite at or below their own role, and only an OWNER invite an OWNER', () => {
    const allowed: Record<Role, Role[]> = {
      OWNER: ['OWNER', 'ADMIN', 'AGENT', 'VIEWER'],
      ADMIN: ['ADMIN', 'AGENT', 'VIEWER'],
      AGENT: [],
      VIEWER: [],
    };
    for (const actor of ROLES) {
      for (const invited of ROLES) {
        const refusal = checkInvite(actor, invited);
        expect({ actor, invited, ok: refusal === null }).toEqual({ actor, invited, ok: allowed[actor].includes(invited) });
        if (refusal) expect(refusal.code).toBe('FORBIDDEN');
      }
    }
  });

  it('lets only an OWNER grant or revoke OWNER', () => {
    expect(checkRoleChange({ actorRole: 'ADMIN', currentRole: 'AGENT', newRole: 'OWNER', ownerCount: 1 })?.code).toBe('FORBIDDEN');
    expect(checkRoleChange({ actorRole: 'ADMIN', currentRole: 'OWNER', newRole: 'ADMIN', ownerCount: 2 })?.code).toBe('FORBIDDEN');
    expect(checkRoleChange({ actorRole: 'OWNER', currentRole: 'AGENT', newRole: 'OWNER', ownerCount: 1 })).toBeNull();
    expect(checkRoleChange({ actorRole: 'ADMIN', currentRole: 'VIEWER', newRole: 'ADMIN', ownerCount: 1 })).toBeNull();
    expect(checkRoleChange({ actorRole: 'AGENT', currentRole: 'VIEWER', newRole: 'AGENT', ownerCount: 1 })?.code).toBe('FORBIDDEN');
  });

  it('never demotes or removes the last OWNER', () => {
    expect(checkRoleChange({ actorRole: 'OWNER', currentRole: 'OWNER', newRole: 'ADMIN', ownerCount: 1 })).toMatchObject({
      code: 'CONFLICT',
      reason: 'LAST_OWNER',
    });
    expect(checkRoleChange({ actorRole: 'OWNER', currentRole: 'OWNER', newRole: 'ADMIN', ownerCount: 2 })).toBeNull();
    expect(checkRemoval({ actorRole: 'OWNER', targetRole: 'OWNER', ownerCount: 1 })).toMatchObject({ reason: 'LAST_OWNER' });
    expect(checkRemoval({ actorRole: 'OWNER', targetRole: 'OWNER', ownerCount: 2 })).toBeNull();
    expect(checkRemoval({ actorRole: 'ADMIN', targetRole: 'OWNER', ownerCount: 3 })?.code).toBe('FORBIDDEN');
    expect(checkRemoval({ actorRole: 'ADMIN', targetRole: 'AGENT', ownerCount: 1 })).toBeNull();
    expect(checkRemoval({ actorRole: 'AGENT', targetRole: 'VIEWER', ownerCount: 1 })?.code).toBe('FORBIDDEN');
  });
});
