import fs from 'node:fs';
import path from 'node:path';
import { startBroker } from '../src';
import { buildRecordBatch, captureLogger, kafkaFor, sleep, startTestBroker, tempDir, trackBroker, waitFor } from './helpers';

function segmentFiles(dataDir: string, topic: string, partition: number): string[] {
  const dir = path.join(dataDir, 'topics', topic, String(partition));
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.log'))
    .sort()
    .map((f) => path.join(dir, f));
}

async function consumeValues(
  brokers: Parameters<typeof kafkaFor>[0],
  topic: string,
  count: number,
  groupId: string,
): Promise<{ offset: string; value: string }[]> {
  const consumer = kafkaFor(brokers).consumer({ groupId, maxWaitTimeInMs: 100 });
  const got: { offset: string; value: string }[] = [];
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({ eachMessage: async ({ message }) => void got.push({ offset: message.offset, value: String(message.value) }) });
  await waitFor(() => got.length >= count, `${count} messages from ${topic}`);
  await sleep(200); // nothing more may arrive
  await consumer.disconnect();
  return got;
}

describe('persistence', () => {
  test('committed offsets resume after a restart with no loss and no re-delivery', async () => {
    const dataDir = tempDir();
    const logger = captureLogger();
    let broker = trackBroker(await startBroker({ port: 0, dataDir, logger }));
    const topic = 'durable';
    let kafka = kafkaFor(broker);
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 2 }] });
    await admin.disconnect();
    const producer = kafka.producer();
    await producer.connect();
    for (let partition = 0; partition < 2; partition++) {
      await producer.send({ topic, messages: Array.from({ length: 50 }, (_, i) => ({ partition, value: `${partition}:${i}` })) });
    }

    // First run: process (and commit one by one) only 30 messages, then stop.
    const committed = new Map<number, number>();
    const first = kafka.consumer({ groupId: 'resume', maxWaitTimeInMs: 100 });
    let processed = 0;
    await first.connect();
    await first.subscribe({ topic, fromBeginning: true });
    await first.run({
      autoCommit: false,
      eachMessage: async ({ partition, message }) => {
        if (processed >= 30) return;
        processed++;
        const next = Number(message.offset) + 1;
        await first.commitOffsets([{ topic, partition, offset: String(next) }]);
        committed.set(partition, next);
      },
    });
    await waitFor(() => processed >= 30, '30 processed messages');
    await first.disconnect();
    // Records acknowledged just before the broker stops must survive too.
    await producer.send({ topic, messages: [{ partition: 0, value: '0:50' }, { partition: 1, value: '1:50' }] });
    await producer.disconnect();
    await broker.close();

    broker = trackBroker(await startBroker({ port: 0, dataDir, logger }));
    kafka = kafkaFor(broker);
    const second = kafka.consumer({ groupId: 'resume', maxWaitTimeInMs: 100 });
    const received: { partition: number; offset: number }[] = [];
    await second.connect();
    await second.subscribe({ topic, fromBeginning: true });
    await second.run({ eachMessage: async ({ partition, message }) => void received.push({ partition, offset: Number(message.offset) }) });
    const expected = 102 - 30;
    await waitFor(() => received.length >= expected, `${expected} messages after the restart`);
    await sleep(300);
    await second.disconnect();

    expect(received).toHaveLength(expected);
    for (const partition of [0, 1]) {
      const offsets = received.filter((r) => r.partition === partition).map((r) => r.offset);
      const from = committed.get(partition) ?? 0;
      expect(offsets).toEqual(Array.from({ length: 51 - from }, (_, i) => from + i));
    }
    // And everything is still there from the beginning for a new group.
    const everything = await consumeValues(broker, topic, 102, 'fresh-group');
    expect(new Set(everything.map((m) => m.value)).size).toBe(102);
    await broker.close();
    expect(logger.entries.filter((e) => e.level !== 'info')).toEqual([]);
  });

  test.each([
    ['random garbage', (segment: Buffer) => Buffer.concat([segment, Buffer.from('this is not a record batch, just junk bytes')])],
    [
      'a torn copy of the last batch',
      (segment: Buffer) => {
        const batch = buildRecordBatch([{ value: 'torn' }, { value: 'write' }]);
        return Buffer.concat([segment, batch.subarray(0, batch.length - 7)]);
      },
    ],
    [
      'a whole batch with a bad CRC',
      (segment: Buffer) => {
        const batch = buildRecordBatch([{ value: 'bit rot' }]);
        batch.writeUInt8(batch.readUInt8(batch.length - 1) ^ 1, batch.length - 1);
        return Buffer.concat([segment, batch]);
      },
    ],
  ])('a torn tail (%s) is truncated on restart and acknowledged records survive', async (_name, damage) => {
    const first = await startTestBroker();
    const dataDir = first.dataDir as string;
    const producer = kafkaFor(first.broker).producer();
    await producer.connect();
    for (let i = 0; i < 4; i++) {
      await producer.send({ topic: 'torn', messages: Array.from({ length: 5 }, (_, j) => ({ value: `m${i * 5 + j}` })) });
    }
    await producer.disconnect();
    await first.broker.close();

    const [segment] = segmentFiles(dataDir, 'torn', 0);
    const intactSize = fs.statSync(segment!).size;
    fs.writeFileSync(segment!, damage(fs.readFileSync(segment!)));

    const second = await startTestBroker({ dataDir });
    expect(fs.statSync(segment!).size).toBe(intactSize);
    expect(second.logs.some((l) => l.message === 'truncating torn log tail')).toBe(true);
    const producer2 = kafkaFor(second.broker).producer();
    await producer2.connect();
    const [ack] = await producer2.send({ topic: 'torn', messages: [{ value: 'm20' }] });
    expect(ack?.baseOffset).toBe('20');
    await producer2.disconnect();
    const values = await consumeValues(second.broker, 'torn', 21, 'torn-group');
    expect(values.map((v) => v.value)).toEqual(Array.from({ length: 21 }, (_, i) => `m${i}`));
    expect(values.map((v) => v.offset)).toEqual(Array.from({ length: 21 }, (_, i) => String(i)));
    await second.broker.close();
  });

  test('size retention deletes whole old segments; the index finds offsets in the rest', async () => {
    const t = await startTestBroker({ segmentBytes: 4096, retentionBytes: 16384, retentionCheckIntervalMs: 50, indexIntervalBytes: 512 });
    const kafka = kafkaFor(t.broker);
    const producer = kafka.producer();
    await producer.connect();
    for (let i = 0; i < 200; i++) {
      await producer.send({ topic: 'retained', messages: [{ value: `${i}:${'x'.repeat(200)}` }] });
    }
    await producer.disconnect();
    const dataDir = t.dataDir as string;
    // Retention runs on a timer: wait until it has nothing left to delete (its rule: drop the
    // oldest segment while the log would still be at least retention.bytes without it).
    await waitFor(() => {
      const sizes = segmentFiles(dataDir, 'retained', 0).map((file) => fs.statSync(file).size);
      const total = sizes.reduce((a, b) => a + b, 0);
      return sizes.length > 1 && total - 16384 < (sizes[0] as number);
    }, 'old segments to be deleted');
    expect(segmentFiles(dataDir, 'retained', 0).length).toBeLessThanOrEqual(6);
    const admin = kafka.admin();
    await admin.connect();
    const [offsets] = await admin.fetchTopicOffsets('retained');
    await admin.disconnect();
    const low = Number(offsets?.low);
    expect(low).toBeGreaterThan(100);
    expect(offsets?.high).toBe('200');
    expect(path.basename(segmentFiles(dataDir, 'retained', 0)[0]!)).toBe(`${String(low).padStart(20, '0')}.log`);

    const values = await consumeValues(t.broker, 'retained', 200 - low, 'retained-group');
    expect(values.map((v) => Number(v.offset))).toEqual(Array.from({ length: 200 - low }, (_, i) => low + i));
    expect(values.every((v) => v.value.startsWith(`${v.offset}:`))).toBe(true);
    await t.broker.close();
  });

  test('time retention (per-topic retention.ms) deletes expired segments and survives restart', async () => {
    const t = await startTestBroker({ segmentBytes: 2048, retentionCheckIntervalMs: 50 });
    const kafka = kafkaFor(t.broker);
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({
      topics: [{ topic: 'aged', numPartitions: 1, configEntries: [{ name: 'retention.ms', value: '60000' }] }],
    });
    const producer = kafka.producer();
    await producer.connect();
    const hourAgo = String(Date.now() - 3_600_000);
    for (let i = 0; i < 20; i++) {
      await producer.send({ topic: 'aged', messages: [{ value: `old-${i}-${'y'.repeat(300)}`, timestamp: hourAgo }] });
    }
    // Every segment, the active one too, holds only expired records: all are deleted.
    await waitFor(async () => (await admin.fetchTopicOffsets('aged'))[0]?.low === '20', 'expired segments to go');
    expect(segmentFiles(t.dataDir as string, 'aged', 0).map((f) => path.basename(f))).toEqual(['00000000000000000020.log']);
    const [ack] = await producer.send({ topic: 'aged', messages: [{ value: 'fresh' }] });
    expect(ack?.baseOffset).toBe('20');
    await producer.disconnect();
    await admin.disconnect();
    await t.broker.close();

    const again = await startTestBroker({ dataDir: t.dataDir });
    const values = await consumeValues(again.broker, 'aged', 1, 'aged-group');
    expect(values).toEqual([{ offset: '20', value: 'fresh' }]);
    await again.broker.close();
  });
});
