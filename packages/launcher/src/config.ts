import { z } from 'zod';
import { ConfigError, env, loadConfig, loadDevSecrets } from '@switchboard/config';
import { SUBGRAPH_NAMES, parseSubgraphUrls } from '@switchboard/gateway';

const SECRET_NAMES = ['JWT_SECRET', 'INTERNAL_CONTEXT_SECRET', 'SENDER_CREDENTIALS_KEY'] as const;
const DEV_SECRETS_FILE = '.data/dev-secrets.json';
/** Background parts of the delivery pipeline, runnable as roles of their own like the subgraphs. */
export const PIPELINE_SERVICES = ['outbox-relay', 'consumers', 'channel-delivery'] as const;
export const SERVICE_NAMES = ['gateway', ...SUBGRAPH_NAMES, ...PIPELINE_SERVICES] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];
/** Schemas the outbox relay publishes by default: every subgraph's (those without an `outbox` table are skipped at start). */
const DEFAULT_OUTBOX_SCHEMAS = SUBGRAPH_NAMES.join(',');

const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);
const httpUrl = env.url(['http:', 'https:']);
const optionalText = z
  .string()
  .optional()
  .transform((value) => (value === undefined || value.trim() === '' ? undefined : value));

/** SENDER_CREDENTIALS_KEY: 32 bytes as 64 hex digits or base64 / base64url (what the messaging cipher reads). */
const credentialsKey = z.string().refine((value) => {
  const text = value.trim();
  if (/^[0-9a-fA-F]{64}$/u.test(text)) return true;
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/u.test(text)) return false;
  return Buffer.from(text.replace(/-/gu, '+').replace(/_/gu, '/'), 'base64').length === 32;
}, 'must be 32 bytes written as 64 hex digits or base64 (openssl rand -base64 32)');

/** The one schema over the environment of a Switchboard process (`npm start`, or one role of it). */
export const configSchema = z
  .object({
    NODE_ENV: env.nodeEnv,
    LOG_LEVEL: env.logLevel,
    PORT: env.port(4000),
    HOST: z.string().min(1).default('127.0.0.1'),
    PUBLIC_URL: env.url(['http:', 'https:']).optional(),
    DATABASE_URL: env.databaseUrl,
    REDIS_URL: env.redisUrl,
    REDIS_KEY_PREFIX: z.string().regex(/^[A-Za-z0-9:_.-]*$/, 'letters, digits and : _ . - only').default('sb:'),
    JWT_SECRET: env.secret,
    INTERNAL_CONTEXT_SECRET: env.secret,
    ACCESS_TOKEN_TTL: env.duration(900),
    REFRESH_TOKEN_TTL: env.duration(30 * 24 * 3600),
    /** Which parts run in this process: `all`, or a comma list of gateway and subgraph names. */
    SERVICES: z
      .string()
      .default('all')
      .transform((value, ctx) => {
        const names = value.split(',').map((s) => s.trim()).filter(Boolean);
        if (names.length === 1 && names[0] === 'all') return [...SERVICE_NAMES];
        const unknown = names.filter((n) => !(SERVICE_NAMES as readonly string[]).includes(n));
        if (unknown.length > 0 || names.length === 0) {
          ctx.addIssue({ code: 'custom', message: `must be "all" or a comma list of ${SERVICE_NAMES.join(', ')}` });
          return z.NEVER;
        }
        return names as ServiceName[];
      }),
    /** Subgraph ports are SUBGRAPH_PORT_BASE + index (user, team, contact, template, campaign, inbox, messaging); 0 = any free port. */
    SUBGRAPH_PORT_BASE: env.port(4001),
    SUBGRAPH_HOST: z.string().min(1).default('127.0.0.1'),
    /** Where the gateway reaches subgraphs that run elsewhere: `user=http://user:4001/graphql,…`. */
    SUBGRAPH_URLS: z
      .string()
      .optional()
      .transform((value, ctx) => {
        try {
          return parseSubgraphUrls(value);
        } catch (error) {
          ctx.addIssue({ code: 'custom', message: (error as Error).message });
          return z.NEVER;
        }
      }),
    SUPERGRAPH_MODE: z.enum(['static', 'introspect']).default('static'),
    QUERY_DEPTH_LIMIT: positiveInt(12),
    QUERY_COST_LIMIT: positiveInt(10_000),
    MAX_BODY_BYTES: positiveInt(1_048_576),
    /** Events a subscriber may fall behind before its connection is dropped (close 1013). */
    SUBSCRIPTION_QUEUE_SIZE: positiveInt(100),
    TRUST_PROXY: env.boolean.default(false),
    CORS_ORIGINS: z
      .string()
      .optional()
      .transform((value) => (value ? value.split(',').map((o) => o.trim()).filter(Boolean) : [])),
    MIGRATE_ON_START: env.boolean.default(true),
    /** A real cluster (`host:port,…`); unset runs the embedded Kafka-protocol broker in this process. */
    KAFKA_BROKERS: env.kafkaBrokers,
    /** Embedded broker: where its log lives (`memory`: nothing on disk) and its port (0 = any free port). */
    KAFKA_DATA_DIR: z.string().min(1).default('.data/kafka'),
    KAFKA_PORT: env.port(9092),
    /** Partitions of the topics created at start when missing (existing topics are left alone). */
    KAFKA_TOPIC_PARTITIONS: positiveInt(8),
    /** Schemas whose `outbox` table the relay publishes (comma list); schemas without one are skipped. */
    OUTBOX_SCHEMAS: z
      .string()
      .default(DEFAULT_OUTBOX_SCHEMAS)
      .transform((value, ctx) => {
        const names = [...new Set(value.split(',').map((s) => s.trim()).filter(Boolean))];
        if (names.some((name) => !/^[a-z_][a-z0-9_]{0,62}$/u.test(name))) {
          ctx.addIssue({ code: 'custom', message: 'must be a comma list of PostgreSQL schema names (lower case)' });
          return z.NEVER;
        }
        return names;
      }),
    OUTBOX_BATCH_SIZE: positiveInt(200),
    OUTBOX_POLL_MS: positiveInt(100),
    /** Published outbox rows older than this many hours are deleted by the relay; 0 keeps them forever. */
    OUTBOX_RETENTION_HOURS: z.coerce.number().int().min(0).default(24),
    /** Encrypts senders' provider credentials at rest; generated into .data/dev-secrets.json outside production. */
    SENDER_CREDENTIALS_KEY: credentialsKey.optional(),
    /**
     * Base URL providers call for webhooks (Twilio signs it); default PUBLIC_URL. It must reach
     * /webhooks/* of the gateway (which proxies them) or of the messaging server itself.
     */
    WEBHOOK_PUBLIC_URL: httpUrl.optional(),
    /** Provider accounts. With none of them set (and not in production), local stand-ins run instead. */
    TWILIO_ACCOUNT_SID: z.string().regex(/^AC[0-9a-fA-F]{32}$/u, 'must be AC followed by 32 hex digits').optional(),
    TWILIO_AUTH_TOKEN: optionalText,
    TWILIO_API_URL: httpUrl.default('https://api.twilio.com'),
    WHATSAPP_TOKEN: optionalText,
    WHATSAPP_APP_SECRET: optionalText,
    WHATSAPP_VERIFY_TOKEN: optionalText,
    WHATSAPP_API_URL: httpUrl.default('https://graph.facebook.com'),
    WHATSAPP_API_VERSION: z.string().regex(/^v\d+\.\d+$/u, 'like v23.0').default('v23.0'),
    SMTP_URL: env.url(['smtp:', 'smtps:']).optional(),
    /** Stand-ins: delay before each status callback (ms) — long enough to watch QUEUED → SENT → DELIVERED. */
    STAND_IN_CALLBACK_DELAY_MS: z.coerce.number().int().min(0).default(300),
    /** Channel workers: partitions of a channel topic handled at once, attempts and backoff, provider timeout. */
    DELIVERY_CONCURRENCY: positiveInt(8),
    DELIVERY_MAX_ATTEMPTS: positiveInt(5),
    DELIVERY_BACKOFF_BASE_MS: positiveInt(200),
    DELIVERY_BACKOFF_CAP_MS: positiveInt(30_000),
    PROVIDER_TIMEOUT_MS: positiveInt(10_000),
    /** Partitions of a topic each subgraph consumer (messaging statuses, contact, template) handles at once. */
    CONSUMER_CONCURRENCY: positiveInt(8),
    /** PostgreSQL connections of this process's Prisma client. */
    DATABASE_POOL_SIZE: positiveInt(20),
  })
  .superRefine((raw, ctx) => {
    const handlesCredentials = raw.SERVICES.some((name) => name === 'messaging' || name === 'channel-delivery' || name === 'consumers');
    if (!raw.SENDER_CREDENTIALS_KEY && handlesCredentials) {
      ctx.addIssue({ code: 'custom', path: ['SENDER_CREDENTIALS_KEY'], message: 'required (in production) where messaging or the channel workers run' });
    }
    if (Boolean(raw.TWILIO_ACCOUNT_SID) !== Boolean(raw.TWILIO_AUTH_TOKEN)) {
      ctx.addIssue({ code: 'custom', path: ['TWILIO_AUTH_TOKEN'], message: 'TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN go together' });
    }
    if (raw.WHATSAPP_TOKEN && !(raw.WHATSAPP_APP_SECRET && raw.WHATSAPP_VERIFY_TOKEN)) {
      ctx.addIssue({
        code: 'custom',
        path: ['WHATSAPP_APP_SECRET'],
        message: 'WHATSAPP_TOKEN needs WHATSAPP_APP_SECRET (webhook signatures) and WHATSAPP_VERIFY_TOKEN (webhook handshake)',
      });
    }
  })
  .transform((raw) => ({
    nodeEnv: raw.NODE_ENV,
    logLevel: raw.LOG_LEVEL,
    port: raw.PORT,
    host: raw.HOST,
    publicUrl: raw.PUBLIC_URL ?? `http://localhost:${raw.PORT}`,
    /** False when PUBLIC_URL was derived from PORT (then a port of 0 is resolved once the gateway listens). */
    publicUrlConfigured: raw.PUBLIC_URL !== undefined,
    databaseUrl: raw.DATABASE_URL,
    redisUrl: raw.REDIS_URL,
    redisKeyPrefix: raw.REDIS_KEY_PREFIX,
    jwtSecret: raw.JWT_SECRET,
    internalSecret: raw.INTERNAL_CONTEXT_SECRET,
    accessTokenTtlSeconds: raw.ACCESS_TOKEN_TTL,
    refreshTokenTtlSeconds: raw.REFRESH_TOKEN_TTL,
    services: raw.SERVICES,
    subgraphPortBase: raw.SUBGRAPH_PORT_BASE,
    subgraphHost: raw.SUBGRAPH_HOST,
    subgraphUrls: raw.SUBGRAPH_URLS,
    supergraphMode: raw.SUPERGRAPH_MODE,
    queryDepthLimit: raw.QUERY_DEPTH_LIMIT,
    queryCostLimit: raw.QUERY_COST_LIMIT,
    maxBodyBytes: raw.MAX_BODY_BYTES,
    subscriptionQueueSize: raw.SUBSCRIPTION_QUEUE_SIZE,
    trustProxy: raw.TRUST_PROXY,
    corsOrigins: raw.CORS_ORIGINS,
    migrateOnStart: raw.MIGRATE_ON_START,
    databasePoolSize: raw.DATABASE_POOL_SIZE,
    kafka: {
      /** Set: a real cluster. Unset: the embedded broker. */
      brokers: raw.KAFKA_BROKERS,
      /** Embedded broker's log directory; undefined = in memory. */
      dataDir: raw.KAFKA_DATA_DIR === 'memory' ? undefined : raw.KAFKA_DATA_DIR,
      port: raw.KAFKA_PORT,
      topicPartitions: raw.KAFKA_TOPIC_PARTITIONS,
    },
    outbox: {
      schemas: raw.OUTBOX_SCHEMAS,
      batchSize: raw.OUTBOX_BATCH_SIZE,
      pollIntervalMs: raw.OUTBOX_POLL_MS,
      retentionHours: raw.OUTBOX_RETENTION_HOURS,
    },
    senderCredentialsKey: raw.SENDER_CREDENTIALS_KEY,
    /** Undefined: the public URL (the gateway serves /webhooks/*). */
    webhookPublicUrl: raw.WEBHOOK_PUBLIC_URL,
    providers: {
      twilio: raw.TWILIO_ACCOUNT_SID && raw.TWILIO_AUTH_TOKEN ? { accountSid: raw.TWILIO_ACCOUNT_SID, authToken: raw.TWILIO_AUTH_TOKEN } : undefined,
      twilioApiUrl: raw.TWILIO_API_URL,
      whatsapp:
        raw.WHATSAPP_TOKEN && raw.WHATSAPP_APP_SECRET && raw.WHATSAPP_VERIFY_TOKEN
          ? { token: raw.WHATSAPP_TOKEN, appSecret: raw.WHATSAPP_APP_SECRET, verifyToken: raw.WHATSAPP_VERIFY_TOKEN }
          : undefined,
      /** Webhook secrets without a sending token (another process sends): still checked here. */
      whatsappWebhook:
        raw.WHATSAPP_APP_SECRET && raw.WHATSAPP_VERIFY_TOKEN ? { appSecret: raw.WHATSAPP_APP_SECRET, verifyToken: raw.WHATSAPP_VERIFY_TOKEN } : undefined,
      whatsappApiUrl: raw.WHATSAPP_API_URL,
      whatsappApiVersion: raw.WHATSAPP_API_VERSION,
      smtpUrl: raw.SMTP_URL,
      /** No provider variable set at all: outside production, the launcher runs local stand-ins. */
      noneConfigured: ![
        raw.TWILIO_ACCOUNT_SID,
        raw.TWILIO_AUTH_TOKEN,
        raw.WHATSAPP_TOKEN,
        raw.WHATSAPP_APP_SECRET,
        raw.WHATSAPP_VERIFY_TOKEN,
        raw.SMTP_URL,
      ].some(Boolean),
      timeoutMs: raw.PROVIDER_TIMEOUT_MS,
    },
    standIns: { callbackDelayMs: raw.STAND_IN_CALLBACK_DELAY_MS },
    delivery: {
      concurrency: raw.DELIVERY_CONCURRENCY,
      retry: { maxAttempts: raw.DELIVERY_MAX_ATTEMPTS, baseMs: raw.DELIVERY_BACKOFF_BASE_MS, capMs: raw.DELIVERY_BACKOFF_CAP_MS },
    },
    consumerConcurrency: raw.CONSUMER_CONCURRENCY,
  }));

export type SystemConfig = z.infer<typeof configSchema>;

/**
 * Parses the environment once. Outside production, JWT_SECRET, INTERNAL_CONTEXT_SECRET and
 * SENDER_CREDENTIALS_KEY default to secrets generated once into `.data/dev-secrets.json`
 * (git-ignored), so `npm start` needs no setup; in production they must be set. Throws
 * ConfigError listing every problem.
 */
export function loadSystemConfig(source: Record<string, string | undefined> = process.env): SystemConfig {
  const environment = { ...source };
  const production = environment.NODE_ENV === 'production';
  if (!production && SECRET_NAMES.some((name) => !environment[name])) {
    const secrets = loadDevSecrets(DEV_SECRETS_FILE, SECRET_NAMES);
    for (const name of SECRET_NAMES) environment[name] ||= secrets[name];
  }
  return loadConfig(configSchema, environment);
}

export { ConfigError };
