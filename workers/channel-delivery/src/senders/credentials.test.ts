import { randomBytes, randomUUID } from 'node:crypto';
// The writer of the format (the messaging subgraph encrypts with it): the worker must read exactly that.
import { CredentialsCipher } from '@switchboard/crypto';
import { CredentialsKeyError, decryptCredentials, parseCredentialsKey, UnreadableCredentials } from './credentials';

const keyText = randomBytes(32).toString('base64');
const key = parseCredentialsKey(keyText);
const cipher = new CredentialsCipher(keyText);
const senderId = randomUUID();
const twilio = { provider: 'TWILIO', accountSid: `AC${'1'.repeat(32)}`, authToken: 'secret-token' };

describe('sender credentials', () => {
  it('decrypts what the messaging subgraph encrypted for the sender', () => {
    expect(decryptCredentials(key, cipher.encrypt(JSON.stringify(twilio), senderId), senderId)).toEqual(twilio);
    const smtp = { provider: 'SMTP', username: 'relay@acme.example', password: 'p@ss' };
    expect(decryptCredentials(key, cipher.encrypt(JSON.stringify(smtp), senderId), senderId)).toEqual(smtp);
  });

  it('reads the key as hex or base64, and refuses any other length', () => {
    const raw = randomBytes(32);
    expect(parseCredentialsKey(raw.toString('hex'))).toEqual(raw);
    expect(parseCredentialsKey(raw.toString('base64url'))).toEqual(raw);
    expect(() => parseCredentialsKey('too short')).toThrow(CredentialsKeyError);
  });

  it('refuses a value copied to another sender, another key, or altered', () => {
    const token = cipher.encrypt(JSON.stringify(twilio), senderId);
    expect(() => decryptCredentials(key, token, randomUUID())).toThrow(UnreadableCredentials);
    expect(() => decryptCredentials(randomBytes(32), token, senderId)).toThrow(UnreadableCredentials);
    const [v, iv, tag, data] = token.split('.') as [string, string, string, string];
    const bytes = Buffer.from(data, 'base64url');
    bytes[0] = bytes[0]! ^ 1;
    const altered = `${v}.${iv}.${tag}.${bytes.toString('base64url')}`;
    expect(() => decryptCredentials(key, altered, senderId)).toThrow(UnreadableCredentials);
    expect(() => decryptCredentials(key, 'v2.a.b.c', senderId)).toThrow(UnreadableCredentials);
  });

  it('refuses a plaintext that is not credentials', () => {
    expect(() => decryptCredentials(key, cipher.encrypt('{"provider":"FAX"}', senderId), senderId)).toThrow(UnreadableCredentials);
  });
});
