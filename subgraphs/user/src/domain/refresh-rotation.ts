/**
 * Refresh-token rotation, decided without side effects. A refresh token is used once: using it
 * rotates it (a successor is issued in the same family). Presenting a token that was already
 * rotated means two parties hold the family's secrets — the legitimate client and a thief — and
 * the server cannot tell which is which, so the whole family (session) is revoked.
 */
export interface StoredRefreshToken {
  familyId: string;
  userId: string;
  organizationId: string;
  expiresAt: Date;
  rotatedAt: Date | null;
  revoked: boolean;
}

export type RefreshDecision =
  | { action: 'ROTATE' }
  | { action: 'REFUSE'; reason: 'UNKNOWN' | 'EXPIRED' | 'REVOKED' }
  | { action: 'REVOKE_FAMILY'; reason: 'REUSED' };

export function decideRefresh(token: StoredRefreshToken | null, now: Date): RefreshDecision {
  if (!token) return { action: 'REFUSE', reason: 'UNKNOWN' };
  if (token.revoked) return { action: 'REFUSE', reason: 'REVOKED' };
  if (token.rotatedAt) return { action: 'REVOKE_FAMILY', reason: 'REUSED' };
  if (token.expiresAt.getTime() <= now.getTime()) return { action: 'REFUSE', reason: 'EXPIRED' };
  return { action: 'ROTATE' };
}

export const REFRESH_REFUSAL_MESSAGES: Record<'UNKNOWN' | 'EXPIRED' | 'REVOKED' | 'REUSED', string> = {
  UNKNOWN: 'Refresh token is invalid; sign in again',
  EXPIRED: 'Refresh token has expired; sign in again',
  REVOKED: 'This session has ended; sign in again',
  REUSED: 'Refresh token was already used; the session has been revoked for your safety — sign in again',
};
