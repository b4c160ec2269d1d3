import { createHash, randomBytes } from 'node:crypto';

/**
 * Bearer secrets that live in the database only as hashes (refresh tokens, invitation and
 * password-reset tokens): 32 random bytes, given to the client base64url-encoded; the database
 * keeps SHA-256 of it, so a leaked table grants nothing. A fast hash is enough here because the
 * secret has 256 bits of entropy — there is nothing to brute-force.
 */
export function createOpaqueToken(): { token: string; hash: string } {
  const token = randomBytes(32).toString('base64url');
  return { token, hash: hashOpaqueToken(token) };
}

export function hashOpaqueToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** Cheap shape check before touching the database: 32 bytes base64url = 43 characters. */
export function looksLikeOpaqueToken(token: string): boolean {
  return /^[A-Za-z0-9_-]{43}$/u.test(token);
}
