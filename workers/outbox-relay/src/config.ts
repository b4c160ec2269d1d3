import { env, loadConfig } from '@switchboard/config';
import { z } from 'zod';
import { DEFAULT_RETENTION_HOURS } from './relay';

const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);

const schema = z
  .object({
    NODE_ENV: env.nodeEnv,
    LOG_LEVEL: env.logLevel,
    DATABASE_URL: env.databaseUrl,
    /** The cluster to publish to; `npm run broker` listens on 127.0.0.1:9092 by default. */
    KAFKA_BROKERS: env.kafkaBrokers,
    /** Comma-separated PostgreSQL schemas, or `all` (every schema with an outbox table). */
    OUTBOX_SCHEMAS: z
      .string()
      .default('all')
      .transform((value) => (value.trim() === 'all' ? ('all' as const) : value.split(',').map((s) => s.trim()).filter(Boolean))),
    OUTBOX_BATCH_SIZE: positiveInt(100),
    OUTBOX_POLL_MS: positiveInt(100),
    OUTBOX_MAX_POLL_MS: positiveInt(500),
    /** Published rows older than this many hours are deleted; 0 keeps them forever. */
    OUTBOX_RETENTION_HOURS: z.coerce.number().int().min(0).default(DEFAULT_RETENTION_HOURS),
  })
  .transform((raw) => ({
    nodeEnv: raw.NODE_ENV,
    logLevel: raw.LOG_LEVEL,
    databaseUrl: raw.DATABASE_URL,
    kafkaBrokers: raw.KAFKA_BROKERS ?? ['127.0.0.1:9092'],
    schemas: raw.OUTBOX_SCHEMAS,
    batchSize: raw.OUTBOX_BATCH_SIZE,
    pollIntervalMs: raw.OUTBOX_POLL_MS,
    maxPollIntervalMs: raw.OUTBOX_MAX_POLL_MS,
    retentionHours: raw.OUTBOX_RETENTION_HOURS,
  }));

export type RelayConfig = z.infer<typeof schema>;

/** Parses the environment once (throws ConfigError listing every problem). */
export function loadRelayConfig(source: Record<string, string | undefined> = process.env): RelayConfig {
  return loadConfig(schema, source);
}
