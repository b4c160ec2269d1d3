import { randomBytes } from 'node:crypto';
import { CredentialsCipher, CredentialsDecryptError, CredentialsKeyError, parseCredentialsKey } from '../src';

const key = randomBytes(32);
const cipher = new CredentialsCipher(key);
const secret = JSON.stringify({ accountSid: 'AC0123', authToken: 'super-secret-token' });
const senderId = '7b0c2f7e-3f7a-4c55-9d43-1c1f1c2b9a01';

function flip(token: string, partIndex: number): string {
  const parts = token.split('.');
  const bytes = Buffer.from(parts[partIndex]!, 'base64url');
  bytes[0] = bytes[0]! ^ 0x01;
  parts[partIndex] = bytes.toString('base64url');
  return parts.join('.');
}

describe('credentials encryption (AES-256-GCM)', () => {
  it('round-trips', () => {
    const token = cipher.encrypt(secret, senderId);
    expect(cipher.decrypt(token, senderId)).toBe(secret);
  });

  it('never contains the plaintext and differs on every call (random IV)', () => {
    const a = cipher.encrypt(secret, senderId);
    const b = cipher.encrypt(secret, senderId);
    expect(a).not.toBe(b);
    expect(a).not.toContain('super-secret-token');
    expect(Buffer.from(a.split('.')[3]!, 'base64url').toString('utf8')).not.toContain('super-secret');
    expect(a).toMatch(/^v1\.[\w-]+\.[\w-]+\.[\w-]+$/);
  });

  it.each([
    ['the ciphertext', 3],
    ['the tag', 2],
    ['the IV', 1],
  ])('refuses a value whose %s was altered', (_name, index) => {
    const token = cipher.encrypt(secret, senderId);
    expect(() => cipher.decrypt(flip(token, index), senderId)).toThrow(CredentialsDecryptError);
  });

  it('refuses a value moved to another sender (the id is authenticated)', () => {
    const token = cipher.encrypt(secret, senderId);
    expect(() => cipher.decrypt(token, '00000000-0000-4000-8000-000000000000')).toThrow(CredentialsDecryptError);
  });

  it('refuses another key, a truncated value and an unknown version', () => {
    const token = cipher.encrypt(secret, senderId);
    expect(() => new CredentialsCipher(randomBytes(32)).decrypt(token, senderId)).toThrow(CredentialsDecryptError);
    expect(() => cipher.decrypt(token.split('.').slice(0, 3).join('.'), senderId)).toThrow(CredentialsDecryptError);
    expect(() => cipher.decrypt(token.replace(/^v1/, 'v9'), senderId)).toThrow(CredentialsDecryptError);
    expect(() => cipher.decrypt('garbage', senderId)).toThrow(CredentialsDecryptError);
  });

  it('reads keys as hex or base64 and refuses other lengths', () => {
    expect(parseCredentialsKey(key.toString('hex'))).toEqual(key);
    expect(parseCredentialsKey(key.toString('base64'))).toEqual(key);
    expect(parseCredentialsKey(key.toString('base64url'))).toEqual(key);
    expect(() => parseCredentialsKey(randomBytes(16).toString('base64'))).toThrow(CredentialsKeyError);
    expect(() => parseCredentialsKey('short')).toThrow(CredentialsKeyError);
  });
});
