import { checkCredentials, credentialsHint } from './sender-credentials';

const SID = 'AC0123456789abcdef0123456789abcdef';

describe('sender credentials input', () => {
  it('accepts the provider’s own credentials', () => {
    expect(checkCredentials('TWILIO', { twilio: { accountSid: SID, authToken: 'abcdefgh12345678' } })).toEqual({
      ok: true,
      credentials: { provider: 'TWILIO', accountSid: SID, authToken: 'abcdefgh12345678' },
    });
    expect(checkCredentials('SMTP', { smtp: { username: 'mailer@acme.example', password: 'pw' } }).ok).toBe(true);
    expect(checkCredentials('META_WHATSAPP', { whatsapp: { accessToken: 'EAAB-long-token' } }).ok).toBe(true);
  });

  it('refuses another provider’s credentials, or two at once', () => {
    expect(checkCredentials('TWILIO', { smtp: { username: 'a', password: 'b' } })).toMatchObject({ ok: false, field: 'credentials' });
    expect(
      checkCredentials('TWILIO', { twilio: { accountSid: SID, authToken: 'abcdefgh12345678' }, smtp: { username: 'a', password: 'b' } }),
    ).toMatchObject({ ok: false, field: 'credentials' });
    expect(checkCredentials('TWILIO', {})).toMatchObject({ ok: false, field: 'credentials' });
  });

  it('checks the shape of each field', () => {
    expect(checkCredentials('TWILIO', { twilio: { accountSid: 'AC123', authToken: 'abcdefgh12345678' } })).toMatchObject({
      ok: false,
      field: 'credentials.twilio.accountSid',
    });
    expect(checkCredentials('TWILIO', { twilio: { accountSid: SID, authToken: 'x' } })).toMatchObject({ field: 'credentials.twilio.authToken' });
  });

  it('hints without revealing the secret', () => {
    expect(credentialsHint({ provider: 'TWILIO', accountSid: SID, authToken: 'secret-token-1234' })).toBe('AC…cdef');
    expect(credentialsHint({ provider: 'META_WHATSAPP', accessToken: 'EAAB-very-secret-9f3a' })).toBe('token …9f3a');
    expect(credentialsHint({ provider: 'SMTP', username: 'mailer@acme.example', password: 'pw' })).toBe('m…@acme.example');
  });
});
