import { randomUUID } from 'node:crypto';
import { createLogger } from '@switchboard/config';
import { createEvent, eventCatalog, SAMPLE_PAYLOADS, teamChanged, type EventEnvelope } from '@switchboard/events';
import { silentLogger, startBroker, type BrokerHandle } from '@switchboard/kafka-broker';
import { Redis } from 'ioredis';
import type { Admin, Kafka, KafkaMessage } from 'kafkajs';
import { createKafka, runConsumer, type ConsumerHandle, type KafkaLogLevel, type RunConsumerOptions } from '../src';

export const log = createLogger('kafka-test', process.env.TEST_LOG_LEVEL ?? 'silent');

export async function startTestBroker(): Promise<BrokerHandle> {
  return startBroker({ port: 0, logger: silentLogger });
}

export function kafkaFor(brokers: string | string[], clientId = 'kafka-test'): Kafka {
  return createKafka({
    brokers: Array.isArray(brokers) ? brokers : [brokers],
    clientId,
    log,
    // TEST_KAFKAJS_LOG=info (with TEST_LOG_LEVEL=info) shows kafkajs's own lines when debugging.
    logLevel: (process.env.TEST_KAFKAJS_LOG as KafkaLogLevel | undefined) ?? 'nothing',
    retry: { initialRetryTime: 50, retries: 8 },
  });
}

export function uniqueName(prefix: string): string {
  return `${prefix}.${randomUUID().slice(0, 8)}`;
}

/** team.changed events with distinct ids (all keyed by the same team, so one partition, in order). */
export function teamEvents(count: number, teamId = randomUUID()): EventEnvelope[] {
  return Array.from({ length: count }, (_, i) =>
    createEvent(
      teamChanged,
      { ...SAMPLE_PAYLOADS['team.changed'], teamId, name: `Team ${i}` },
      { organizationId: randomUUID(), traceId: `trace-${i}` },
    ),
  );
}

/** Publishes events (or raw values) to a topic, in order, one partition key. */
export async function produce(kafka: Kafka, topic: string, values: (EventEnvelope | string | Buffer | null)[], key = 'k'): Promise<void> {
  const producer = kafka.producer();
  await producer.connect();
  try {
    await producer.send({
      topic,
      acks: -1,
      messages: values.map((value) => ({
        key,
        value: value === null || typeof value === 'string' || Buffer.isBuffer(value) ? value : eventCatalog.encode(value).value,
      })),
    });
  } finally {
    await producer.disconnect();
  }
}

/** Reads `count` messages of a topic from the beginning with a throwaway group. */
export async function readTopic(kafka: Kafka, topic: string, count: number, timeoutMs = 15_000): Promise<KafkaMessage[]> {
  const consumer = kafka.consumer({ groupId: uniqueName('reader'), maxWaitTimeInMs: 100 });
  const messages: KafkaMessage[] = [];
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message }) => {
      messages.push(message);
    },
  });
  try {
    await waitFor(() => messages.length >= count, `${count} messages on ${topic}`, timeoutMs);
  } finally {
    await consumer.disconnect();
  }
  return messages;
}

/** The group's committed offset of partition 0 (-1 when nothing is committed). */
export async function committedOffset(admin: Admin, groupId: string, topic: string): Promise<number> {
  const [result] = await admin.fetchOffsets({ groupId, topics: [topic] });
  const partition = result?.partitions.find((p) => p.partition === 0);
  return Number(partition?.offset ?? -1);
}

export async function waitFor(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await condition()) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export function redisClient(): Redis {
  return new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { lazyConnect: false, maxRetriesPerRequest: 2 });
}

/** A Redis key prefix of its own per test, removed afterwards. */
export async function clearPrefix(redis: Redis, prefix: string): Promise<void> {
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length > 0) await redis.del(...keys);
}

/** A topic of its own with `values` on it (see `produce`), and a group of its own to read it with. */
export async function freshTopic(kafka: Kafka, values: (EventEnvelope | string | Buffer | null)[]): Promise<{ topic: string; groupId: string }> {
  const topic = uniqueName('team.changed');
  await produce(kafka, topic, values);
  return { topic, groupId: uniqueName('group') };
}

/** A test names the topics and what it cares about; `run` / `start` fill in the rest. */
export type TestConsumerOptions = Partial<RunConsumerOptions> & Pick<RunConsumerOptions, 'topics'>;

export interface ConsumerTestBed {
  broker: BrokerHandle;
  kafka: Kafka;
  /** Connected for the whole file. */
  admin: Admin;
  redis: Redis;
  /** The file's dedupe keys go under it, so they can be removed afterwards. */
  redisPrefix: string;
  /** runConsumer with short polls (tests wait on what it does) and a group of its own unless given; the test stops it. */
  run(options: TestConsumerOptions): Promise<ConsumerHandle>;
  /** `run` with short heartbeats and backoff too; stopped after the test. */
  start(options: TestConsumerOptions): Promise<ConsumerHandle>;
}

/**
 * One broker, client, admin and Redis connection per test file, set up in beforeAll and closed in
 * afterAll. The hooks fill the fields in, so read them inside tests, not when the file loads.
 */
export function useConsumerTestBed(name: string): ConsumerTestBed {
  const handles: ConsumerHandle[] = [];
  const bed = { redisPrefix: `test:${name}:${randomUUID()}:`, run, start } as ConsumerTestBed;

  function run(options: TestConsumerOptions): Promise<ConsumerHandle> {
    return runConsumer({ kafka: bed.kafka, groupId: uniqueName('group'), log, maxWaitTimeMs: 100, ...options });
  }

  async function start(options: TestConsumerOptions): Promise<ConsumerHandle> {
    const handle = await run({ heartbeatIntervalMs: 300, retry: { initialMs: 20, maxMs: 100 }, ...options });
    handles.push(handle);
    return handle;
  }

  beforeAll(async () => {
    bed.broker = await startTestBroker();
    bed.kafka = kafkaFor(bed.broker.brokers);
    bed.admin = bed.kafka.admin();
    await bed.admin.connect();
    bed.redis = redisClient();
  });

  afterEach(async () => {
    await Promise.all(handles.splice(0).map((handle) => handle.stop()));
  });

  afterAll(async () => {
    await bed.admin.disconnect();
    await clearPrefix(bed.redis, bed.redisPrefix);
    bed.redis.disconnect();
    await bed.broker.close();
  });

  return bed;
}
