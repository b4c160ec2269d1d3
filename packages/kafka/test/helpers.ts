import { randomUUID } from 'node:crypto';
import { createLogger } from '@switchboard/config';
import { createEvent, eventCatalog, SAMPLE_PAYLOADS, teamChanged, type EventEnvelope } from '@switchboard/events';
import { silentLogger, startBroker, type BrokerHandle } from '@switchboard/kafka-broker';
import { Redis } from 'ioredis';
import type { Admin, Kafka, KafkaMessage } from 'kafkajs';
import { createKafka, type KafkaLogLevel } from '../src';

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
