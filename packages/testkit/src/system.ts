import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import type { PrismaClient } from '@switchboard/db';
import { loadSystemConfig, startSystem, type ProviderSettings, type RunningSystem, type SystemConfig, type SystemKafka } from '@switchboard/launcher';
import type { ProviderStandIns } from '@switchboard/provider-stand-ins';
import type { RunningSubgraph } from '@switchboard/subgraph-kit';
import { createTestDatabase } from './database';

/** Response data in tests is read ad hoc (`result.data.createTeam.id`); callers may type it. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyData = any;

export interface GraphQLResponse<TData = AnyData> {
  status: number;
  data?: TData | null;
  errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, AnyData> }[];
  headers: Headers;
}

export interface TestSystem {
  gatewayUrl: string;
  wsUrl: string;
  graphiqlUrl: string;
  /** Base URL of the gateway (`http://127.0.0.1:<port>`), for /healthz, /readyz, /graphiql. */
  baseUrl: string;
  prisma: PrismaClient;
  /** The system's Redis client (with its unique key prefix). */
  redis: Redis;
  redisKeyPrefix: string;
  subgraphs: RunningSubgraph[];
  subgraphUrls: Record<string, string>;
  secrets: { jwtSecret: string; internalSecret: string; senderCredentialsKey: string };
  config: SystemConfig;
  /** The embedded broker (in memory unless `KAFKA_DATA_DIR` is given) and the system's Kafka client. */
  kafka: SystemKafka;
  /** The provider stand-ins (Twilio, WhatsApp Cloud API, SMTP) the workers and webhooks use. */
  standIns: ProviderStandIns;
  /** Where workers and providers are pointed (webhook public URL = the gateway's). */
  providers: ProviderSettings;
  /** Everything startSystem returned (relay, consumers, workers …). */
  running: RunningSystem;
  /** POSTs an operation to the gateway, as a client would. */
  graphql<TData = AnyData>(
    query: string,
    variables?: Record<string, unknown>,
    options?: { token?: string; headers?: Record<string, string> },
  ): Promise<GraphQLResponse<TData>>;
  /** Stops everything, deletes the system's Redis keys and drops its database. */
  close(): Promise<void>;
}

export interface StartTestSystemOptions {
  /** Extra environment for the system's config (e.g. `{ QUERY_COST_LIMIT: '50' }`). */
  env?: Record<string, string>;
  /** Default `silent`. */
  logLevel?: SystemConfig['logLevel'];
}

async function deleteKeys(redisUrl: string, prefix: string): Promise<void> {
  const client = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await client.connect();
    let cursor = '0';
    do {
      const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
      cursor = next;
      if (keys.length > 0) await client.del(...keys);
    } while (cursor !== '0');
  } finally {
    client.disconnect();
  }
}

/**
 * The whole system in-process for one test file: a fresh database (from the migrated template),
 * the seven subgraphs and the real gateway on free ports, random secrets and a Redis key prefix of
 * its own — so test files run in parallel without seeing each other.
 */
export async function startTestSystem(options: StartTestSystemOptions = {}): Promise<TestSystem> {
  const database = await createTestDatabase({ prefix: 'system' });
  const redisKeyPrefix = `sbt:${randomBytes(6).toString('hex')}:`;
  const secrets = {
    jwtSecret: randomBytes(32).toString('base64url'),
    internalSecret: randomBytes(32).toString('base64url'),
    senderCredentialsKey: randomBytes(32).toString('base64'),
  };
  let config: SystemConfig;
  try {
    config = loadSystemConfig({
      NODE_ENV: 'test',
      LOG_LEVEL: options.logLevel ?? 'silent',
      PORT: '0',
      HOST: '127.0.0.1',
      SUBGRAPH_PORT_BASE: '0',
      DATABASE_URL: database.url,
      // The one variable read here: CI may point tests at another Redis.
      ...(process.env.REDIS_URL ? { REDIS_URL: process.env.REDIS_URL } : {}),
      REDIS_KEY_PREFIX: redisKeyPrefix,
      JWT_SECRET: secrets.jwtSecret,
      INTERNAL_CONTEXT_SECRET: secrets.internalSecret,
      SENDER_CREDENTIALS_KEY: secrets.senderCredentialsKey,
      MIGRATE_ON_START: 'false',
      // The delivery pipeline, quick to start and quick to watch: an in-memory broker on a free
      // port, few partitions, fast stand-in callbacks and short retry backoffs.
      KAFKA_DATA_DIR: 'memory',
      KAFKA_PORT: '0',
      KAFKA_TOPIC_PARTITIONS: '2',
      OUTBOX_POLL_MS: '50',
      STAND_IN_CALLBACK_DELAY_MS: '20',
      DELIVERY_CONCURRENCY: '2',
      CONSUMER_CONCURRENCY: '2',
      DELIVERY_BACKOFF_BASE_MS: '50',
      DELIVERY_BACKOFF_CAP_MS: '400',
      DATABASE_POOL_SIZE: '10',
      ...options.env,
    });
  } catch (error) {
    await database.drop();
    throw error;
  }

  let system: Awaited<ReturnType<typeof startSystem>>;
  try {
    system = await startSystem(config);
  } catch (error) {
    await database.drop();
    throw error;
  }
  const gatewayUrl = system.gatewayUrl as string;
  const baseUrl = new URL(gatewayUrl).origin;

  return {
    gatewayUrl,
    wsUrl: system.wsUrl as string,
    graphiqlUrl: system.graphiqlUrl as string,
    baseUrl,
    prisma: system.prisma,
    redis: system.redis,
    redisKeyPrefix,
    subgraphs: system.subgraphs,
    subgraphUrls: system.subgraphUrls,
    secrets,
    config,
    kafka: system.kafka as SystemKafka,
    standIns: system.standIns as ProviderStandIns,
    providers: system.providers,
    running: system,
    async graphql(query, variables, requestOptions = {}) {
      const response = await fetch(gatewayUrl, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(requestOptions.token ? { authorization: `Bearer ${requestOptions.token}` } : {}),
          ...requestOptions.headers,
        },
        body: JSON.stringify({ query, ...(variables ? { variables } : {}) }),
      });
      const text = await response.text();
      let body: { data?: unknown; errors?: GraphQLResponse['errors'] };
      try {
        body = JSON.parse(text) as typeof body;
      } catch {
        throw new Error(`Gateway answered ${response.status} with a non-JSON body: ${text.slice(0, 200)}`);
      }
      return { status: response.status, data: body.data as never, errors: body.errors, headers: response.headers };
    },
    async close() {
      await system.close();
      await deleteKeys(config.redisUrl, redisKeyPrefix).catch(() => undefined);
      await database.drop();
    },
  };
}
