import { randomBytes, scrypt as scryptCallback, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/**
 * Memory-hard password hashing with scrypt from node:crypto. A stored hash carries its own
 * parameters and salt — `$scrypt$ln=15,r=8,p=1$<salt>$<hash>` (PHC-like, base64url) — so the cost
 * can be raised later without invalidating existing hashes (`needsRehash`).
 */
export interface ScryptParams {
  /** log2 of the CPU/memory cost N. */
  ln: number;
  r: number;
  p: number;
}

export const DEFAULT_SCRYPT_PARAMS: ScryptParams = { ln: 15, r: 8, p: 1 };

const SALT_BYTES = 16;
const KEY_BYTES = 32;

function scrypt(password: string, salt: Buffer, keyLength: number, params: ScryptParams): Promise<Buffer> {
  const N = 2 ** params.ln;
  const options: ScryptOptions = {
    N,
    r: params.r,
    p: params.p,
    // scrypt needs 128·N·r bytes; node's default ceiling (32 MiB) is exactly the need at ln=15.
    maxmem: 256 * N * params.r,
  };
  return new Promise((resolve, reject) => {
    scryptCallback(password.normalize('NFKC'), salt, keyLength, options, (error, key) =>
      error ? reject(error) : resolve(key),
    );
  });
}

export async function hashPassword(password: string, params: ScryptParams = DEFAULT_SCRYPT_PARAMS): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const key = await scrypt(password, salt, KEY_BYTES, params);
  return `$scrypt$ln=${params.ln},r=${params.r},p=${params.p}$${salt.toString('base64url')}$${key.toString('base64url')}`;
}

interface ParsedHash {
  params: ScryptParams;
  salt: Buffer;
  key: Buffer;
}

export function parsePasswordHash(encoded: string): ParsedHash | null {
  const parts = encoded.split('$');
  // ['', 'scrypt', 'ln=15,r=8,p=1', salt, key]
  if (parts.length !== 5 || parts[0] !== '' || parts[1] !== 'scrypt') return null;
  const fields = new Map(
    (parts[2] ?? '').split(',').map((pair) => {
      const [name, value] = pair.split('=');
      return [name, Number(value)] as const;
    }),
  );
  const ln = fields.get('ln');
  const r = fields.get('r');
  const p = fields.get('p');
  const valid = (n: number | undefined, max: number): n is number => Number.isInteger(n) && n! >= 1 && n! <= max;
  if (!valid(ln, 20) || !valid(r, 32) || !valid(p, 16)) return null;
  const salt = Buffer.from(parts[3] ?? '', 'base64url');
  const key = Buffer.from(parts[4] ?? '', 'base64url');
  if (salt.length < 8 || key.length < 16) return null;
  return { params: { ln, r, p }, salt, key };
}

/** Constant-time comparison against a stored hash; a malformed hash never verifies. */
export async function verifyPassword(password: string, encoded: string): Promise<boolean> {
  const parsed = parsePasswordHash(encoded);
  if (!parsed) return false;
  const key = await scrypt(password, parsed.salt, parsed.key.length, parsed.params);
  return key.length === parsed.key.length && timingSafeEqual(key, parsed.key);
}

/** True when a stored hash was made with weaker parameters than today's. */
export function needsRehash(encoded: string, params: ScryptParams = DEFAULT_SCRYPT_PARAMS): boolean {
  const parsed = parsePasswordHash(encoded);
  if (!parsed) return true;
  return parsed.params.ln < params.ln || parsed.params.r < params.r || parsed.params.p < params.p;
}

let dummyHash: Promise<string> | undefined;

/** Computes the hash `burnPasswordVerification` compares against, ahead of the first sign-in. */
export function prepareDummyHash(): Promise<string> {
  dummyHash ??= hashPassword(randomBytes(16).toString('hex'));
  return dummyHash;
}

/**
 * Spends the same work as a real verification, for unknown accounts: a login for an address that
 * does not exist takes as long as one with a wrong password, so timing does not reveal accounts.
 */
export async function burnPasswordVerification(password: string): Promise<false> {
  await verifyPassword(password, await prepareDummyHash());
  return false;
}
