import type { Redis } from 'ioredis';
import { AccessTokenError, verifyAccessToken, type AccessTokenClaims, type AuthenticatedCaller } from '@switchboard/auth';
import { revocationKeys } from '@switchboard/subgraph-kit';

/** Why a presented access token was refused. A missing token is not a failure: the caller is anonymous. */
export type AuthFailureReason = 'MALFORMED' | 'EXPIRED' | 'INVALID' | 'REVOKED';

export class AuthenticationError extends Error {
  constructor(
    readonly reason: AuthFailureReason,
    message: string,
  ) {
    super(message);
    this.name = 'AuthenticationError';
  }
}

export interface Authenticator {
  /**
   * Verifies an `Authorization` value ("Bearer <jwt>"). Returns null when there is none (anonymous
   * caller); throws AuthenticationError for a present but unusable token — even for public
   * operations, so a client never silently runs as anonymous with a broken token.
   */
  authenticate(authorization: string | undefined): Promise<AccessTokenClaims | null>;
  /** Re-checks revocation for a token verified earlier (long-lived subscriptions). */
  assertStillValid(claims: AccessTokenClaims): Promise<void>;
}

/**
 * The caller signed for subgraphs once a token is verified: one mapping for HTTP requests and
 * WebSocket connections, so a subgraph sees the same identity whichever way the client came.
 */
export function callerOfClaims(claims: AccessTokenClaims, clientIp: string, requestId: string): AuthenticatedCaller {
  return {
    kind: 'user',
    userId: claims.userId,
    organizationId: claims.organizationId,
    role: claims.role,
    sessionId: claims.sessionId,
    tokenId: claims.tokenId,
    clientIp,
    requestId,
  };
}

/**
 * Access tokens are stateless JWTs; revocation lives in Redis, written by the user subgraph:
 * a revoked session (logout, refresh-token reuse) or a membership change newer than the token.
 */
export function createAuthenticator(options: { jwtSecret: string; redis: Redis }): Authenticator {
  const { jwtSecret, redis } = options;

  async function assertStillValid(claims: AccessTokenClaims): Promise<void> {
    if (claims.expiresAt.getTime() <= Date.now()) {
      throw new AuthenticationError('EXPIRED', 'Access token has expired; refresh it');
    }
    const [sessionRevoked, membershipChangedAt] = await redis.mget(
      revocationKeys.session(claims.sessionId),
      revocationKeys.membership(claims.organizationId, claims.userId),
    );
    if (sessionRevoked !== null) {
      throw new AuthenticationError('REVOKED', 'Access token has been revoked: this session was signed out; sign in again');
    }
    const issuedAtSeconds = Math.floor(claims.issuedAt.getTime() / 1000);
    if (membershipChangedAt !== null && issuedAtSeconds <= Number(membershipChangedAt)) {
      throw new AuthenticationError(
        'REVOKED',
        'Access token has been revoked: your membership in this organization changed; refresh or sign in again',
      );
    }
  }

  return {
    assertStillValid,
    async authenticate(authorization) {
      if (authorization === undefined || authorization.trim() === '') return null;
      const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
      if (!match) {
        throw new AuthenticationError('MALFORMED', 'Authorization must be "Bearer <access token>"');
      }
      let claims: AccessTokenClaims;
      try {
        claims = verifyAccessToken(match[1] as string, jwtSecret);
      } catch (error) {
        if (error instanceof AccessTokenError) {
          throw new AuthenticationError(
            error.reason,
            error.reason === 'EXPIRED' ? 'Access token has expired; refresh it' : 'Access token is invalid',
          );
        }
        throw error;
      }
      await assertStillValid(claims);
      return claims;
    },
  };
}
