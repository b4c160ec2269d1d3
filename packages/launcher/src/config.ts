import { z } from 'zod';
import { ConfigError, env, loadConfig, loadDevSecrets } from '@switchboard/config';
import { SUBGRAPH_NAMES, parseSubgraphUrls } from '@switchboard/gateway';

const SECRET_NAMES = ['JWT_SECRET', 'INTERNAL_CONTEXT_SECRET'] as const;
const DEV_SECRETS_FILE = '.data/dev-secrets.json';
const SERVICE_NAMES = ['gateway', ...SUBGRAPH_NAMES] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);

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
    KAFKA_BROKERS: env.kafkaBrokers,
  })
  .transform((raw) => ({
    nodeEnv: raw.NODE_ENV,
    logLevel: raw.LOG_LEVEL,
    port: raw.PORT,
    host: raw.HOST,
    publicUrl: raw.PUBLIC_URL ?? `http://localhost:${raw.PORT}`,
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
    kafkaBrokers: raw.KAFKA_BROKERS,
  }));

export type SystemConfig = z.infer<typeof configSchema>;

/**
 * Parses the environment once. Outside production, JWT_SECRET and INTERNAL_CONTEXT_SECRET default
 * to secrets generated once into `.data/dev-secrets.json` (git-ignored), so `npm start` needs no
 * setup; in production they must be set. Throws ConfigError listing every problem.
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
