import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { silentLogger, startBroker, type BrokerHandle } from '@switchboard/kafka-broker';
import { createRedisDedupeStore, runConsumer } from '../src';
import { clearPrefix, committedOffset, kafkaFor, log, pause, produce, redisClient, teamEvents, uniqueName, waitFor } from './helpers';

jest.setTimeout(90_000);

it('a consumer rides out a broker restart (same port and data dir): it resumes after its last commit and, with the dedupe store, handles each id once', async () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-kafka-restart-'));
  const redis = redisClient();
  const redisPrefix = `test:kafka-restart:${randomUUID()}:`;
  let broker: BrokerHandle = await startBroker({ port: 0, dataDir, logger: silentLogger });
  const { port } = broker;
  const topic = uniqueName('team.changed');
  const groupId = uniqueName('group');
  const before = teamEvents(5);
  const after = teamEvents(5);
  const handled: string[] = [];
  await produce(kafkaFor(broker.brokers), topic, before);
  const consumer = await runConsumer({
    kafka: kafkaFor(broker.brokers),
    groupId,
    topics: [topic],
    log,
    maxWaitTimeMs: 100,
    heartbeatIntervalMs: 300,
    dedupe: createRedisDedupeStore({ redis, keyPrefix: redisPrefix }),
    handle: async (event) => void handled.push(event.id),
  });
  try {
    await waitFor(() => handled.length === 5, 'the first 5');
    await pause(200);
    await broker.close();
    await pause(2_000);
    broker = await startBroker({ port, dataDir, logger: silentLogger });
    await produce(kafkaFor(broker.brokers), topic, after);
    await waitFor(() => handled.length >= 10, 'the next 5 after the restart', 60_000);
    await pause(300);
    expect(handled).toEqual([...before, ...after].map((e) => e.id));
    // At least once: the embedded broker forgets group generations on restart, so the first commit
    // after it fails (ILLEGAL_GENERATION), the member rejoins and the message is delivered again.
    const stats = consumer.stats();
    expect(stats.received - stats.duplicates).toBe(10);
  } finally {
    await consumer.stop();
    const admin = kafkaFor(broker.brokers).admin();
    await admin.connect();
    expect(await committedOffset(admin, groupId, topic)).toBe(10);
    await admin.disconnect();
    await broker.close();
    await clearPrefix(redis, redisPrefix);
    redis.disconnect();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});
