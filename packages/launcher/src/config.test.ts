import { ConfigError, loadSystemConfig } from './config';

const secrets = { JWT_SECRET: 'j'.repeat(40), INTERNAL_CONTEXT_SECRET: 'i'.repeat(40), SENDER_CREDENTIALS_KEY: 'k'.repeat(64).replace(/k/g, 'a') };

function problemsOf(environment: Record<string, string>): string[] {
  try {
    loadSystemConfig(environment);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems.map((p) => p.split(':')[0] as string).sort();
  }
  throw new Error('expected a ConfigError');
}

describe('loadSystemConfig', () => {
  it('applies the documented defaults', () => {
    const config = loadSystemConfig({ ...secrets });
    expect(config).toMatchObject({
      port: 4000,
      subgraphPortBase: 4001,
      supergraphMode: 'static',
      accessTokenTtlSeconds: 900,
      refreshTokenTtlSeconds: 30 * 24 * 3600,
      queryDepthLimit: 12,
      queryCostLimit: 10_000,
      maxBodyBytes: 1_048_576,
      trustProxy: false,
      services: ['gateway', 'user', 'team', 'contact', 'template', 'campaign', 'inbox', 'messaging', 'outbox-relay', 'consumers', 'channel-delivery'],
      publicUrl: 'http://localhost:4000',
      publicUrlConfigured: false,
      webhookPublicUrl: undefined,
      kafka: { brokers: undefined, dataDir: '.data/kafka', port: 9092, topicPartitions: 8 },
      outbox: { schemas: ['user', 'team', 'contact', 'template', 'campaign', 'inbox', 'messaging'], batchSize: 200, pollIntervalMs: 100, retentionHours: 24 },
      providers: { noneConfigured: true, twilio: undefined, whatsapp: undefined, smtpUrl: undefined },
      standIns: { callbackDelayMs: 300 },
    });
  });

  it('requires the secrets in production and lists every problem at once', () => {
    expect(problemsOf({ NODE_ENV: 'production', PORT: 'eighty', SERVICES: 'gateway,billing', SUBGRAPH_URLS: 'user=ftp://x' })).toEqual(
      ['INTERNAL_CONTEXT_SECRET', 'JWT_SECRET', 'PORT', 'SERVICES', 'SUBGRAPH_URLS'].sort(),
    );
  });

  it('requires SENDER_CREDENTIALS_KEY in production only where messaging or the workers run', () => {
    const production = { NODE_ENV: 'production', JWT_SECRET: secrets.JWT_SECRET, INTERNAL_CONTEXT_SECRET: secrets.INTERNAL_CONTEXT_SECRET };
    expect(problemsOf({ ...production, SERVICES: 'messaging' })).toEqual(['SENDER_CREDENTIALS_KEY']);
    expect(problemsOf({ ...production, SERVICES: 'channel-delivery' })).toEqual(['SENDER_CREDENTIALS_KEY']);
    expect(loadSystemConfig({ ...production, SERVICES: 'gateway' }).senderCredentialsKey).toBeUndefined();
    expect(problemsOf({ ...production, SERVICES: 'messaging', SENDER_CREDENTIALS_KEY: 'too-short' })).toEqual(['SENDER_CREDENTIALS_KEY']);
  });

  it('reads provider accounts, and checks the ones that go together', () => {
    const config = loadSystemConfig({
      ...secrets,
      TWILIO_ACCOUNT_SID: `AC${'0'.repeat(32)}`,
      TWILIO_AUTH_TOKEN: 'token',
      SMTP_URL: 'smtp://mail:587',
      WEBHOOK_PUBLIC_URL: 'https://hooks.example.com',
      KAFKA_BROKERS: 'kafka:9092, kafka2:9092',
      KAFKA_DATA_DIR: 'memory',
    });
    expect(config.providers).toMatchObject({ noneConfigured: false, twilio: { accountSid: `AC${'0'.repeat(32)}`, authToken: 'token' }, smtpUrl: 'smtp://mail:587' });
    expect(config.webhookPublicUrl).toBe('https://hooks.example.com');
    expect(config.kafka).toMatchObject({ brokers: ['kafka:9092', 'kafka2:9092'], dataDir: undefined });

    expect(problemsOf({ ...secrets, TWILIO_ACCOUNT_SID: `AC${'0'.repeat(32)}` })).toEqual(['TWILIO_AUTH_TOKEN']);
    expect(problemsOf({ ...secrets, WHATSAPP_TOKEN: 'token' })).toEqual(['WHATSAPP_APP_SECRET']);
    expect(problemsOf({ ...secrets, TWILIO_ACCOUNT_SID: 'nope', SMTP_URL: 'http://mail', OUTBOX_SCHEMAS: 'User' })).toEqual(
      ['OUTBOX_SCHEMAS', 'SMTP_URL', 'TWILIO_ACCOUNT_SID'].sort(),
    );
  });

  it('runs one role with remote subgraphs', () => {
    const config = loadSystemConfig({ ...secrets, SERVICES: 'gateway', SUBGRAPH_URLS: 'user=http://user:4001/graphql' });
    expect(config.services).toEqual(['gateway']);
    expect(config.subgraphUrls).toEqual({ user: 'http://user:4001/graphql' });
  });

  it('reads the outbox retention: whole hours, 0 to keep published rows forever', () => {
    expect(loadSystemConfig({ ...secrets, OUTBOX_RETENTION_HOURS: '168' }).outbox.retentionHours).toBe(168);
    expect(loadSystemConfig({ ...secrets, OUTBOX_RETENTION_HOURS: '0' }).outbox.retentionHours).toBe(0);
    expect(problemsOf({ ...secrets, OUTBOX_RETENTION_HOURS: '-1' })).toEqual(['OUTBOX_RETENTION_HOURS']);
    expect(problemsOf({ ...secrets, OUTBOX_RETENTION_HOURS: 'a day' })).toEqual(['OUTBOX_RETENTION_HOURS']);
  });

  it('runs the pipeline roles on their own', () => {
    expect(loadSystemConfig({ ...secrets, SERVICES: 'outbox-relay,channel-delivery' }).services).toEqual(['outbox-relay', 'channel-delivery']);
  });
});
