import { createSecretKey, type KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { isRole, type Role } from './roles';

/** What an access token says about its bearer. */
export interface AccessTokenClaims {
  userId: string;
  organizationId: string;
  role: Role;
  /** The refresh-token family (session) this access token was issued for; used by logout. */
  sessionId: string;
  /** Unique token id, so a single access token can be revoked. */
  tokenId: string;
  issuedAt: Date;
  expiresAt: Date;
}

export class AccessTokenError extends Error {
  constructor(
    readonly reason: 'EXPIRED' | 'INVALID',
    message: string,
  ) {
    super(message);
    this.name = 'AccessTokenError';
  }
}

const ISSUER = 'switchboard';
const AUDIENCE = 'switchboard-api';

export function signAccessToken(
  claims: Omit<AccessTokenClaims, 'expiresAt' | 'issuedAt'>,
  secret: string,
  ttlSeconds: number,
): { token: string; expiresAt: Date } {
  const token = jwt.sign(
    { org: claims.organizationId, role: claims.role, sid: claims.sessionId },
    secret,
    {
      algorithm: 'HS256',
      subject: claims.userId,
      jwtid: claims.tokenId,
      expiresIn: ttlSeconds,
      issuer: ISSUER,
      audience: AUDIENCE,
    },
  );
  return { token, expiresAt: new Date(Date.now() + ttlSeconds * 1000) };
}

/**
 * The secret as a key object. jsonwebtoken turns a string secret into one on every call, first
 * trying it as a PEM public key and throwing: about 1.5 ms a request, the gateway's largest cost.
 */
const secretKeys = new Map<string, KeyObject>();
function secretKeyOf(secret: string): KeyObject {
  let key = secretKeys.get(secret);
  if (!key) {
    key = createSecretKey(Buffer.from(secret, 'utf8'));
    if (secretKeys.size > 16) secretKeys.clear();
    secretKeys.set(secret, key);
  }
  return key;
}

/**
 * Tokens already verified, with their claims: the same token string under the same secret always
 * verifies the same way, so a client's every request after its first costs a map lookup instead
 * of an HMAC and a JSON parse. Expiry is still checked on each use. Bounded: the oldest entry
 * goes first.
 */
const verifiedTokens = new Map<string, { secret: string; claims: AccessTokenClaims }>();
const VERIFIED_TOKENS_MAX = 10_000;

/** Verifies signature, algorithm, issuer, audience and expiry; throws AccessTokenError. */
export function verifyAccessToken(token: string, secret: string): AccessTokenClaims {
  const known = verifiedTokens.get(token);
  if (known && known.secret === secret) {
    if (known.claims.expiresAt.getTime() <= Date.now()) {
      verifiedTokens.delete(token);
      throw new AccessTokenError('EXPIRED', 'Access token has expired; refresh it');
    }
    return known.claims;
  }
  const claims = verifySignedToken(token, secret);
  if (verifiedTokens.size >= VERIFIED_TOKENS_MAX) verifiedTokens.delete(verifiedTokens.keys().next().value!);
  verifiedTokens.set(token, { secret, claims: Object.freeze(claims) });
  return claims;
}

function verifySignedToken(token: string, secret: string): AccessTokenClaims {
  let payload: jwt.JwtPayload;
  try {
    const decoded = jwt.verify(token, secretKeyOf(secret), {
      algorithms: ['HS256'],
      issuer: ISSUER,
      audience: AUDIENCE,
    });
    if (typeof decoded === 'string') throw new AccessTokenError('INVALID', 'Malformed access token');
    payload = decoded;
  } catch (error) {
    if (error instanceof AccessTokenError) throw error;
    if (error instanceof jwt.TokenExpiredError) {
      throw new AccessTokenError('EXPIRED', 'Access token has expired; refresh it');
    }
    throw new AccessTokenError('INVALID', 'Access token is invalid');
  }
  const { sub, org, role, sid, jti, exp, iat } = payload;
  if (
    typeof sub !== 'string' ||
    typeof org !== 'string' ||
    !isRole(role) ||
    typeof sid !== 'string' ||
    typeof jti !== 'string' ||
    typeof exp !== 'number' ||
    typeof iat !== 'number'
  ) {
    throw new AccessTokenError('INVALID', 'Access token is missing claims');
  }
  return {
    userId: sub,
    organizationId: org,
    role,
    sessionId: sid,
    tokenId: jti,
    issuedAt: new Date(iat * 1000),
    expiresAt: new Date(exp * 1000),
  };
}
