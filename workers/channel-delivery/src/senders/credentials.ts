import { CredentialsCipher, CredentialsDecryptError } from '@switchboard/crypto';
import { z } from 'zod';

export { CredentialsKeyError, parseCredentialsKey } from '@switchboard/crypto';

/**
 * Reads the provider credentials the messaging subgraph stores on `messaging.sender`
 * (`credentials_ciphertext`): AES-256-GCM under SENDER_CREDENTIALS_KEY, the sender's id as
 * additional authenticated data, written `v1.<iv>.<tag>.<ciphertext>` in base64url, the plaintext
 * a JSON object tagged with the provider. Decrypt only: the worker never writes credentials.
 * (The cipher is @switchboard/crypto's, the one messaging encrypts with.)
 */
export const storedCredentialsSchema = z.discriminatedUnion('provider', [
  z.object({ provider: z.literal('TWILIO'), accountSid: z.string(), authToken: z.string() }),
  z.object({ provider: z.literal('META_WHATSAPP'), accessToken: z.string() }),
  z.object({ provider: z.literal('SMTP'), username: z.string(), password: z.string() }),
]);
export type StoredCredentials = z.infer<typeof storedCredentialsSchema>;

/** A stored value that does not decrypt with this key for this sender, or is not credentials. */
export class UnreadableCredentials extends Error {
  override readonly name = 'UnreadableCredentials';
}

export function decryptCredentials(key: Buffer, ciphertext: string, senderId: string): StoredCredentials {
  let plaintext: string;
  try {
    plaintext = new CredentialsCipher(key).decrypt(ciphertext, senderId);
  } catch (error) {
    if (error instanceof CredentialsDecryptError) throw new UnreadableCredentials('the credentials do not decrypt with this key for this sender');
    throw error;
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
