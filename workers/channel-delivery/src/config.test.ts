import { randomBytes } from 'node:crypto';
import { ConfigError } from '@switchboard/config';
import { loadDeliveryConfig } from './config';

const SID = `AC${'a'.repeat(32)}`;

function problems(env: Record<string, string>): string[] {
  try {
    loadDeliveryConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('channel-delivery config', () => {
  it('builds the workers settings from one account per provider', () => {
    const config = loadDeliveryConfig({
      KAFKA_BROKERS: 'k1:9092,k2:9092',
      SMTP_URL: 'smtp://relay:pw@127.0.0.1:2525?ignoreTLS=true',
      TWILIO_ACCOUNT_SID: SID,
      TWILIO_AUTH_TOKEN: 'token',
      TWILIO_API_URL: 'http://127.0.0.1:4010',
      TWILIO_STATUS_CALLBACK_URL: 'https://app.example/webhooks/twilio/status',
      TWILIO_CONTENT_SIDS: `order_update:en_US=HX${'b'.repeat(32)}, welcome=HX${'c'.repeat(32)}`,
      WHATSAPP_TOKEN: 'meta-token',
      RATE_LIMIT_SMS_PER_SECOND: '1',
      DELIVERY_MAX_ATTEMPTS: '7',
    });
    expect(config.kafkaBrokers).toEqual(['k1:9092', 'k2:9092']);
    expect(config.channels).toEqual(['email', 'sms', 'whatsapp']);
    expect(config.databaseUrl).toBeUndefined();
    expect(config.workers.accounts).toMatchObject({
      smtp: { url: 'smtp://relay:pw@127.0.0.1:2525?ignoreTLS=true', messageIdDomain: 'switchboard' },
      twilio: {
        accountSid: SID,
        apiBaseUrl: 'http://127.0.0.1:4010',
        statusCallbackUrl: 'https://app.example/webhooks/twilio/status',
        contentSids: { 'order_update:en_US': `HX${'b'.repeat(32)}`, welcome: `HX${'c'.repeat(32)}` },
      },
      metaCloud: { accessToken: 'meta-token', apiBaseUrl: 'https://graph.facebook.com', apiVersion: 'v23.0' },
    });
    expect(config.workers.rateLimitPerSecond).toEqual({ EMAIL: 10, SMS: 1, WHATSAPP: 80 });
    expect(config.workers.retry).toEqual({ maxAttempts: 7, baseMs: 200, capMs: 30_000 });
  });

  it('says which account a configured channel lacks, all problems at once', () => {
    const found = problems({ CHANNELS: 'email,sms,whatsapp,fax' });
    expect(found.join('\n')).toMatch(/CHANNELS: must be a comma list/);
    expect(problems({ CHANNELS: 'email,sms', TWILIO_ACCOUNT_SID: SID })).toEqual([
      'TWILIO_AUTH_TOKEN: TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN go together',
      'CHANNELS: email needs SMTP_URL (or leave it out of CHANNELS)',
      'CHANNELS: sms needs TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN (or leave it out of CHANNELS)',
    ]);
    expect(problems({ CHANNELS: 'whatsapp', WHATSAPP_PROVIDER: 'twilio', WHATSAPP_TOKEN: 'x' })).toHaveLength(1);
  });

  it('reads senders from the database only with a valid credentials key', () => {
    expect(problems({ SENDER_SOURCE: 'database', SENDER_CREDENTIALS_KEY: 'short' })).toEqual([
      'SENDER_CREDENTIALS_KEY: needed with SENDER_SOURCE=database: 32 bytes as 64 hex digits or base64',
    ]);
    const key = randomBytes(32).toString('hex');
    const config = loadDeliveryConfig({ SENDER_SOURCE: 'database', SENDER_CREDENTIALS_KEY: key, DATABASE_URL: 'postgresql://db/switchboard' });
    expect(config.databaseUrl).toBe('postgresql://db/switchboard');
    expect(config.workers.senderCredentialsKey).toBe(key);
  });

  it('refuses a malformed content sid list', () => {
    expect(problems({ CHANNELS: 'sms', TWILIO_ACCOUNT_SID: SID, TWILIO_AUTH_TOKEN: 't', TWILIO_CONTENT_SIDS: 'welcome=HX1' })).toEqual([
      'TWILIO_CONTENT_SIDS: must be a comma list of <template>[:<language>]=HX<32 hex>',
    ]);
  });
});
