import type { Logger } from '@switchboard/config';
import type { PrismaClient } from '@switchboard/db';
import type { Channel } from '@switchboard/events';
import { connectProducer, runConsumer, type ConsumerHandle, type ConsumerStats, type Kafka } from '@switchboard/kafka';
import type { Redis } from 'ioredis';
import { CHANNEL_NAMES, CHANNEL_SPECS, type ChannelName } from './delivery/channels';
import { createDeliveryHandler } from './delivery/delivery-handler';
import { createDeliveryRecords } from './delivery/delivery-records';
import type { RetryPolicy } from './delivery/processor';
import { createRateLimiter } from './delivery/rate-limiter';
import { createDeliveryWriter } from './delivery/writer';
import { ProviderRegistry } from './providers/registry';
import { configuredAccount, createConfigSenderDirectory, type ConfiguredAccounts } from './senders/config-senders';
import { createDatabaseSenderDirectory } from './senders/database-senders';
import type { SenderDirectory } from './senders/sender-directory';

/** The workers' settings (config.ts builds them from the environment; the launcher builds its own). */
export interface ChannelWorkersConfig {
  /** Provider settings and one account per provider (every sender's account when no `prisma` is given). */
  accounts?: ConfiguredAccounts;
  /** SENDER_CREDENTIALS_KEY: decrypts senders' credentials when senders come from the database (`prisma`). */
  senderCredentialsKey?: string;
  /** Rate limit of every sender of a channel when the accounts come from configuration (default 10 / 10 / 80 per second). */
  rateLimitPerSecond?: Partial<Record<Channel, number>>;
  /** Token bucket capacity (default 1: evenly spaced sends, never more than the rate in any second). */
  rateLimitBurst?: number;
  /** Share of each sender's rate held back for network jitter (default 0.05). */
  rateLimitHeadroom?: number;
  /** Provider attempts per request and their backoff (default 5 attempts, 200 ms doubling to 30 s, with jitter). */
  retry?: Partial<RetryPolicy>;
  /** Publish `message.status` SENDING before each provider call (default true; messaging counts attempts by them). */
  publishSending?: boolean;
  /** How long `delivery:<messageId>` outcomes are kept (default 30 days). */
  deliveryRecordTtlSeconds?: number;
  /** Consumer group of a channel: `<prefix>.<channel>` (default `channel-delivery`). */
  groupIdPrefix?: string;
  /** Partitions of a channel topic handled at the same time (default 1). */
  concurrency?: number;
  /** Create the request topics (and their parking topics) with this many partitions when missing (default: no). */
  ensureTopics?: { partitions: number };
  sessionTimeoutMs?: number;
  heartbeatIntervalMs?: number;
  /** Longest fetch wait when idle (default 1 000 ms; bounds how fast stop() returns). */
  maxWaitTimeMs?: number;
}

export interface StartChannelWorkersOptions {
  kafka: Kafka;
  /** Delivery records and rate-limit buckets (its keyPrefix, if any, applies). */
  redis: Redis;
  config: ChannelWorkersConfig;
  log: Logger;
  /** Channels to run (`email`/`EMAIL` …; default: every channel). */
  channels?: readonly (ChannelName | Channel)[];
  /**
   * Read-only access to messaging's sender table: each sender's provider, rate limit and
   * credentials (needs `config.senderCredentialsKey`). Without it, every sender of a channel uses
   * the configured account and the channel's configured rate limit.
   */
  prisma?: PrismaClient;
}

export interface ChannelWorkers {
  readonly channels: Channel[];
  stats(): Partial<Record<Channel, ConsumerStats>>;
  /** Pauses consumption, lets in-flight provider calls finish and their outcomes publish, commits, disconnects. */
  stop(): Promise<void>;
}

const DEFAULT_RATES: Record<Channel, number> = { EMAIL: 10, SMS: 10, WHATSAPP: 80 };

function toChannel(name: ChannelName | Channel): Channel {
  return (CHANNEL_NAMES as Record<string, Channel>)[name] ?? (name as Channel);
}

/**
 * Starts one consumer per channel topic (`message.requested.<channel>`), each in its own group
 * (`channel-delivery.<channel>`), sharing one producer, the provider clients, the rate-limit
 * buckets and the delivery records.
 */
export async function startChannelWorkers(options: StartChannelWorkersOptions): Promise<ChannelWorkers> {
  const { kafka, redis, config } = options;
  const log = options.log.child({ component: 'channel-delivery' });
  const channels = [...new Set((options.channels ?? (Object.keys(CHANNEL_SPECS) as Channel[])).map(toChannel))];
  const unknown = channels.filter((channel) => !(channel in CHANNEL_SPECS));
  if (unknown.length > 0) throw new Error(`unknown channel(s): ${unknown.join(', ')}`);

  const accounts = config.accounts ?? {};
  let senders: SenderDirectory;
  if (options.prisma) {
    if (!config.senderCredentialsKey) throw new Error('senders from the database need config.senderCredentialsKey');
    senders = createDatabaseSenderDirectory({ prisma: options.prisma, credentialsKey: config.senderCredentialsKey, accounts });
  } else {
    const missing = channels.filter((channel) => configuredAccount(accounts, channel) === undefined);
    if (missing.length > 0) throw new Error(`no provider account configured for ${missing.join(', ')}`);
    senders = createConfigSenderDirectory(accounts, { ...DEFAULT_RATES, ...config.rateLimitPerSecond });
  }

  const retry: RetryPolicy = { maxAttempts: 5, baseMs: 200, capMs: 30_000, ...config.retry };
  const heartbeatIntervalMs = config.heartbeatIntervalMs ?? 3_000;
  const stopping = new AbortController();
  const providers = new ProviderRegistry();
  const { producer } = await connectProducer(kafka, { log });
  const records = createDeliveryRecords({ redis, ...(config.deliveryRecordTtlSeconds ? { ttlSeconds: config.deliveryRecordTtlSeconds } : {}) });
  const deps = {
    senders,
    providers,
    limiter: createRateLimiter({ redis, burst: config.rateLimitBurst ?? 1, headroom: config.rateLimitHeadroom ?? 0.05 }),
    records,
    writer: createDeliveryWriter(producer, records),
    retry,
    publishSending: config.publishSending ?? true,
    signal: stopping.signal,
    heartbeatIntervalMs,
    log,
  };

  const consumers = new Map<Channel, ConsumerHandle>();
  const release = async (): Promise<void> => {
    await producer.disconnect().catch((error: unknown) => log.warn({ err: error }, 'producer disconnect failed'));
    await providers.close();
    await senders.close();
  };
  try {
    for (const channel of channels) {
      const spec = CHANNEL_SPECS[channel];
      const handle = await runConsumer({
        kafka,
        groupId: `${config.groupIdPrefix ?? 'channel-delivery'}.${channel.toLowerCase()}`,
        topics: [spec.topic],
        handle: createDeliveryHandler(spec, deps),
        log,
        concurrency: config.concurrency ?? 1,
        heartbeatIntervalMs,
        ...(config.ensureTopics ? { ensureTopics: config.ensureTopics } : {}),
        ...(config.sessionTimeoutMs ? { sessionTimeoutMs: config.sessionTimeoutMs } : {}),
        ...(config.maxWaitTimeMs ? { maxWaitTimeMs: config.maxWaitTimeMs } : {}),
      });
      consumers.set(channel, handle);
    }
  } catch (error) {
    await Promise.allSettled([...consumers.values()].map((handle) => handle.stop()));
    await release();
    throw error;
  }
  log.info({ channels, retry, publishSending: deps.publishSending }, 'channel workers running');

  let stopped: Promise<void> | undefined;
  return {
    channels,
    stats: () => Object.fromEntries([...consumers].map(([channel, handle]) => [channel, handle.stats()])),
    stop() {
      stopped ??= (async () => {
        // stop() pauses each consumer at once (synchronously), then waits for its batch in flight;
        // aborting our signal right after ends rate-limit and backoff waits, whose requests stay
        // uncommitted. A provider call in flight completes and its outcome is published.
        const consumersStopped = [...consumers.values()].map((handle) => handle.stop());
        stopping.abort();
        const results = await Promise.allSettled(consumersStopped);
        for (const result of results) {
          if (result.status === 'rejected') log.warn({ err: result.reason }, 'a channel consumer did not stop cleanly');
        }
        await release();
        log.info('channel workers stopped');
      })();
      return stopped;
    },
  };
}
