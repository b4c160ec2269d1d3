import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { eventCatalog, type EventEnvelope } from '@switchboard/events';
import type { BrokerHandle } from '@switchboard/kafka-broker';
import type { Redis } from 'ioredis';
import {
  connectProducer,
  createKafka,
  createRedisDedupeStore,
  ensureTopics,
  parkingTopics,
  sendEvents,
  startEmbeddedBrokerIfNeeded,
} from '../src';
import { clearPrefix, kafkaFor, log, readTopic, redisClient, startTestBroker, teamEvents, uniqueName } from './helpers';

let broker: BrokerHandle;
let redis: Redis;
const redisPrefix = `test:kafka-wiring:${randomUUID()}:`;

beforeAll(async () => {
  broker = await startTestBroker();
  redis = redisClient();
});

afterAll(async () => {
  await clearPrefix(redis, redisPrefix);
  redis.disconnect();
  await broker.close();
});

describe('producer', () => {
  it('is idempotent against the embedded broker and publishes encoded events to their topic, key and headers, in order', async () => {
    const kafka = kafkaFor(broker.brokers);
    const { producer, idempotent } = await connectProducer(kafka, { log });
    expect(idempotent).toBe(true);
    const events: EventEnvelope[] = teamEvents(3);
    // Unique topic per run: publish through the catalog encoding, then rename the topic.
    const topic = uniqueName('team.changed');
    const encoded = events.map((event) => ({ ...eventCatalog.encode(event), topic }));
    const metadata = await sendEvents(producer, encoded);
    expect(metadata).toHaveLength(1);
    await producer.disconnect();

    const messages = await readTopic(kafka, topic, 3);
    expect(messages.map((m) => JSON.parse(m.value!.toString()).id)).toEqual(events.map((e) => e.id));
    expect(messages[0]!.key!.toString()).toBe((events[0]!.payload as { teamId: string }).teamId);
    expect(messages[0]!.headers!['event-type']!.toString()).toBe('team.changed');
    expect(messages[0]!.headers!['event-id']!.toString()).toBe(events[0]!.id);
  });

  it('fails to connect, without hanging, when no broker listens', async () => {
    const kafka = createKafka({ brokers: ['127.0.0.1:1'], clientId: 'nobody', log, logLevel: 'nothing', retry: { retries: 1, initialRetryTime: 50 } });
    const started = Date.now();
    await expect(connectProducer(kafka, { log })).rejects.toThrow();
    expect(Date.now() - started).toBeLessThan(10_000);
  });
});

describe('ensureTopics', () => {
  it('creates missing topics with the partition count and leaves existing ones alone', async () => {
    const kafka = kafkaFor(broker.brokers);
    const admin = kafka.admin();
    await admin.connect();
    try {
      const a = uniqueName('widget.made');
      const b = uniqueName('widget.sold');
      expect(await ensureTopics(admin, [a], 1)).toEqual([a]);
      expect((await ensureTopics(admin, [a, b, b], 3)).sort()).toEqual([b]);
      const metadata = await admin.fetchTopicMetadata({ topics: [a, b] });
      const partitions = Object.fromEntries(metadata.topics.map((t) => [t.name, t.partitions.length]));
      expect(partitions).toEqual({ [a]: 1, [b]: 3 });
      expect(await ensureTopics(admin, [a, b], 3)).toEqual([]);
    } finally {
      await admin.disconnect();
    }
  });

  it('lists the parking topics of consumer topics', () => {
    expect(parkingTopics(['message.status'])).toEqual(['message.status.unreadable', 'message.status.deadletter']);
  });
});

describe('startEmbeddedBrokerIfNeeded', () => {
  it('uses the configured brokers as they are', async () => {
    const endpoint = await startEmbeddedBrokerIfNeeded(['kafka-1:9092', 'kafka-2:9092']);
    expect(endpoint).toMatchObject({ brokers: ['kafka-1:9092', 'kafka-2:9092'], embedded: false });
    await endpoint.close();
  });

  it('starts the embedded broker when none is configured, keeping its log in dataDir across restarts', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-kafka-embedded-'));
    try {
      const first = await startEmbeddedBrokerIfNeeded(undefined, dataDir, { log });
      expect(first.embedded).toBe(true);
      expect(first.brokers[0]).toMatch(/^127\.0\.0\.1:\d+$/);
      const topic = uniqueName('team.changed');
      const [event] = teamEvents(1);
      let kafka = kafkaFor(first.brokers);
      const { producer } = await connectProducer(kafka, { log });
      await sendEvents(producer, [{ ...eventCatalog.encode(event!), topic }]);
      await producer.disconnect();
      await first.close();

      const second = await startEmbeddedBrokerIfNeeded([], dataDir, { log });
      kafka = kafkaFor(second.brokers);
      const [message] = await readTopic(kafka, topic, 1);
      expect(JSON.parse(message!.value!.toString()).id).toBe(event!.id);
      await second.close();
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe('Redis dedupe store', () => {
  it('claims once, reports done after complete, busy while another holder has the lease, and frees on release', async () => {
    const a = createRedisDedupeStore({ redis, keyPrefix: redisPrefix, leaseMs: 300 });
    const b = createRedisDedupeStore({ redis, keyPrefix: redisPrefix, leaseMs: 300 });
    const key = `g:${randomUUID()}`;
    expect(await a.claim(key)).toBe('claimed');
    expect(await b.claim(key)).toBe('busy');
    await b.release(key); // not b's lease: no effect
    expect(await b.claim(key)).toBe('busy');
    await a.release(key);
    expect(await b.claim(key)).toBe('claimed');
    await b.complete(key);
    expect(await a.claim(key)).toBe('done');
    expect(await redis.ttl(`${redisPrefix}${key}`)).toBeGreaterThan(6 * 24 * 3600);

    const crashed = `g:${randomUUID()}`;
    expect(await a.claim(crashed)).toBe('claimed');
    await new Promise((resolve) => setTimeout(resolve, 350));
    expect(await b.claim(crashed)).toBe('claimed');
  });
});
