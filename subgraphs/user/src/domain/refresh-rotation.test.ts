import { decideRefresh, type StoredRefreshToken } from './refresh-rotation';

const now = new Date('2026-01-01T12:00:00Z');
const base: StoredRefreshToken = {
  familyId: 'f',
  userId: 'u',
  organizationId: 'o',
  expiresAt: new Date('2026-01-08T12:00:00Z'),
  rotatedAt: null,
  revoked: false,
};

describe('refresh-token rotation', () => {
  it('rotates a live, unused token', () => {
    expect(decideRefresh(base, now)).toEqual({ action: 'ROTATE' });
  });

  it('revokes the family when an already-rotated token is replayed', () => {
    expect(decideRefresh({ ...base, rotatedAt: new Date('2026-01-01T11:00:00Z') }, now)).toEqual({
      action: 'REVOKE_FAMILY',
      reason: 'REUSED',
    });
  });

  it('refuses unknown, revoked and expired tokens without touching the family', () => {
    expect(decideRefresh(null, now)).toEqual({ action: 'REFUSE', reason: 'UNKNOWN' });
    expect(decideRefresh({ ...base, revoked: true, rotatedAt: now }, now)).toEqual({ action: 'REFUSE', reason: 'REVOKED' });
    expect(decideRefresh({ ...base, expiresAt: now }, now)).toEqual({ action: 'REFUSE', reason: 'EXPIRED' });
  });
});
