import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/**
 * Provider credentials at rest: AES-256-GCM with a 32-byte key from SENDER_CREDENTIALS_KEY, a
 * random 96-bit IV per encryption, and the sender's id as additional authenticated data — a
 * ciphertext copied onto another sender row does not decrypt. Stored as
 * `v1.<iv>.<tag>.<ciphertext>` (base64url). Plaintexts never leave this module's callers' memory:
 * they are not returned by the API and not logged.
 */

const VERSION = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;

export class CredentialsKeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CredentialsKeyError';
  }
}

/** A stored ciphertext that is malformed, or was tampered with, or was made with another key. */
export class CredentialsDecryptError extends Error {
  constructor() {
    super('Sender credentials could not be decrypted (wrong key, or the stored value was altered)');
    this.name = 'CredentialsDecryptError';
  }
}

/** Reads a 32-byte key written as 64 hex digits or base64 / base64url. */
export function parseCredentialsKey(text: string): Buffer {
  const value = text.trim();
  const key = /^[0-9a-fA-F]{64}$/u.test(value) ? Buffer.from(value, 'hex') : Buffer.from(value.replace(/-/gu, '+').replace(/_/gu, '/'), 'base64');
  if (key.length !== 32) {
    throw new CredentialsKeyError('SENDER_CREDENTIALS_KEY must be 32 bytes, written as 64 hex digits or base64 (openssl rand -base64 32)');
  }
  return key;
}

export class CredentialsCipher {
  private readonly key: Buffer;

  constructor(key: Buffer | string) {
    this.key = typeof key === 'string' ? parseCredentialsKey(key) : Buffer.from(key);
    if (this.key.length !== 32) throw new CredentialsKeyError('the credentials key must be 32 bytes');
  }

  /** Encrypts `plaintext` bound to `context` (the sender id). */
  encrypt(plaintext: string, context: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(Buffer.from(context, 'utf8'));
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    const tag = cipher.getAuthTag();
    return [VERSION, iv.toString('base64url'), tag.toString('base64url'), ciphertext.toString('base64url')].join('.');
  }

  /** Decrypts a value made by `encrypt` with the same key and context; throws CredentialsDecryptError otherwise. */
  decrypt(token: string, context: string): string {
    const parts = token.split('.');
    if (parts.length !== 4 || parts[0] !== VERSION) throw new CredentialsDecryptError();
    const [, ivText, tagText, ciphertextText] = parts as [string, string, string, string];
    const iv = Buffer.from(ivText, 'base64url');
    const tag = Buffer.from(tagText, 'base64url');
    if (iv.length !== IV_BYTES || tag.length !== TAG_BYTES) throw new CredentialsDecryptError();
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, iv, { authTagLength: TAG_BYTES });
      decipher.setAAD(Buffer.from(context, 'utf8'));
      decipher.setAuthTag(tag);
      return Buffer.concat([decipher.update(Buffer.from(ciphertextText, 'base64url')), decipher.final()]).toString('utf8');
    } catch {
      throw new CredentialsDecryptError();
    }
  }
}
