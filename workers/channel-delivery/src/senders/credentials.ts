import { createDecipheriv } from 'node:crypto';
import { z } from 'zod';

/**
 * Reads the provider credentials the messaging subgraph stores on `messaging.sender`
 * (`credentials_ciphertext`): AES-256-GCM under SENDER_CREDENTIALS_KEY, the sender's id as
 * additional authenticated data, written `v1.<iv>.<tag>.<ciphertext>` in base64url, the plaintext
 * a JSON object tagged with the provider. Decrypt only: the worker never writes credentials.
 * (The format is messaging's — subgraphs/messaging/src/domain/credentials-crypto.ts; the test
 * decrypts what that module encrypts.)
 */
export const storedCredentialsSchema = z.discriminatedUnion('provider', [
  z.object({ provider: z.literal('TWILIO'), accountSid: z.string(), authToken: z.string() }),
  z.object({ provider: z.literal('META_WHATSAPP'), accessToken: z.string() }),
  z.object({ provider: z.literal('SMTP'), username: z.string(), password: z.string() }),
]);
export type StoredCredentials = z.infer<typeof storedCredentialsSchema>;

/** The key is malformed (a deployment problem: the worker refuses to start). */
export class CredentialsKeyError extends Error {
  override readonly name = 'CredentialsKeyError';
}

/** A stored value that does not decrypt with this key for this sender, or is not credentials. */
export class UnreadableCredentials extends Error {
  override readonly name = 'UnreadableCredentials';
}

/** A 32-byte key written as 64 hex digits or base64 / base64url. */
export function parseCredentialsKey(text: string): Buffer {
  const value = text.trim();
  const key = /^[0-9a-fA-F]{64}$/u.test(value) ? Buffer.from(value, 'hex') : Buffer.from(value.replace(/-/gu, '+').replace(/_/gu, '/'), 'base64');
  if (key.length !== 32) throw new CredentialsKeyError('SENDER_CREDENTIALS_KEY must be 32 bytes, written as 64 hex digits or base64');
  return key;
}

export function decryptCredentials(key: Buffer, ciphertext: string, senderId: string): StoredCredentials {
  const parts = ciphertext.split('.');
  if (parts.length !== 4 || parts[0] !== 'v1') throw new UnreadableCredentials('not a v1 credentials value');
  const [, iv, tag, data] = parts as [string, string, string, string];
  let plaintext: string;
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'), { authTagLength: 16 });
    decipher.setAAD(Buffer.from(senderId, 'utf8'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    plaintext = Buffer.concat([decipher.update(Buffer.from(data, 'base64url')), decipher.final()]).toString('utf8');
  } catch {
    throw new UnreadableCredentials('the credentials do not decrypt with this key for this sender');
  }
  let json: unknown;
  try {
    json = JSON.parse(plaintext);
  } catch {
    throw new UnreadableCredentials('the decrypted credentials are not JSON');
  }
  const parsed = storedCredentialsSchema.safeParse(json);
  if (!parsed.success) throw new UnreadableCredentials('the decrypted credentials have an unknown shape');
  return parsed.data;
}
