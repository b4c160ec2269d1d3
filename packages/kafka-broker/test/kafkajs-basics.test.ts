import { CompressionTypes, type Consumer, type KafkaMessage } from 'kafkajs';
import { Reader } from '../src/protocol/reader';
import {
  buildRecordBatch,
  encodeRequest,
  errorTypes,
  fetchRequest,
  kafkaFor,
  metadataRequest,
  parseFetchResponse,
  produceErrorCode,
  produceRequest,
  RawClient,
  startTestBroker,
  waitFor,
  type TestBroker,
} from './helpers';

describe('kafkajs against the broker', () => {
  let t: TestBroker;

  beforeAll(async () => {
    t = await startTestBroker({ defaultPartitions: 3 });
  });

  afterAll(async () => {
    await t.broker.close();
  });

  async function consumeAll(topic: string, count: number, groupId: string): Promise<KafkaMessage[]> {
    const consumer: Consumer = kafkaFor(t.broker).consumer({ groupId, maxWaitTimeInMs: 100 });
    const messages: KafkaMessage[] = [];
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        messages.push(message);
      },
    });
    await waitFor(() => messages.length >= count, `${count} messages on ${topic}`);
    await consumer.disconnect();
    return messages;
  }

  test('produces and consumes messages with keys and headers', async () => {
    const kafka = kafkaFor(t.broker);
    const producer = kafka.producer();
    await producer.connect();
    const sent = Array.from({ length: 30 }, (_, i) => ({
      key: `key-${i % 5}`,
      value: `value-${i}`,
      headers: { 'trace-id': `trace-${i}`, kind: 'test' },
    }));
    const result = await producer.send({ topic: 'basic', messages: sent });
    expect(result.every((r) => r.errorCode === 0)).toBe(true);
    await producer.disconnect();

    const received = await consumeAll('basic', sent.length, 'basic-group');
    expect(received).toHaveLength(sent.length);
    const byValue = new Map(received.map((m) => [m.value?.toString(), m]));
    for (const message of sent) {
      const got = byValue.get(message.value);
      expect(got?.key?.toString()).toBe(message.key);
      expect(got?.headers?.['trace-id']?.toString()).toBe(message.headers['trace-id']);
      expect(got?.headers?.kind?.toString()).toBe('test');
    }
  });

  test('stores gzip batches untouched and kafkajs decodes them', async () => {
    const kafka = kafkaFor(t.broker);
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'gzipped', numPartitions: 1 }] });
    await admin.disconnect();
    const producer = kafka.producer();
    await producer.connect();
    const messages = Array.from({ length: 200 }, (_, i) => ({ key: `k${i}`, value: `compressible value ${i} `.repeat(20) }));
    await producer.send({ topic: 'gzipped', compression: CompressionTypes.GZIP, messages });
    await producer.disconnect();

    const raw = await RawClient.connect(t.broker.port);
    raw.send(fetchRequest(1, 'gzipped', 0, 0));
    const fetched = parseFetchResponse(await raw.response(1));
    raw.close();
    expect(fetched.errorCode).toBe(0);
    expect(fetched.highWatermark).toBe(200);
    expect(fetched.records.readInt16BE(21) & 7).toBe(1); // still one gzip batch
    expect(fetched.records.length).toBeLessThan(200 * 400); // compressed

    const received = await consumeAll('gzipped', 200, 'gzip-group');
    expect(received.map((m) => m.value?.toString())).toEqual(messages.map((m) => m.value));
  });

  test('admin creates, describes and deletes topics', async () => {
    const admin = kafkaFor(t.broker).admin();
    await admin.connect();
    expect(await admin.createTopics({ topics: [{ topic: 'admin-a', numPartitions: 4 }, { topic: 'admin-b' }] })).toBe(true);
    // Creating it again: TOPIC_ALREADY_EXISTS, which kafkajs turns into `false`.
    expect(await admin.createTopics({ topics: [{ topic: 'admin-a', numPartitions: 4 }] })).toBe(false);
    await expect(admin.createTopics({ topics: [{ topic: 'admin-c', replicationFactor: 3 }] })).rejects.toThrow();

    const metadata = await admin.fetchTopicMetadata({ topics: ['admin-a', 'admin-b'] });
    const a = metadata.topics.find((topic) => topic.name === 'admin-a');
    expect(a?.partitions.map((p) => p.partitionId).sort()).toEqual([0, 1, 2, 3]);
    expect(a?.partitions.every((p) => p.leader === 1 && p.partitionErrorCode === 0)).toBe(true);
    expect(metadata.topics.find((topic) => topic.name === 'admin-b')?.partitions).toHaveLength(3);
    expect(await admin.listTopics()).toEqual(expect.arrayContaining(['admin-a', 'admin-b']));

    await admin.deleteTopics({ topics: ['admin-a'] });
    expect(await admin.listTopics()).not.toContain('admin-a');
    await admin.disconnect();
  });

  test('an unknown topic is UNKNOWN_TOPIC_OR_PARTITION when auto-creation is off', async () => {
    const strict = await startTestBroker({ autoCreateTopics: false, inMemory: true });
    try {
      const kafka = kafkaFor(strict.broker, { retry: { retries: 1, initialRetryTime: 20 } });
      const producer = kafka.producer();
      await producer.connect();
      const error = await producer.send({ topic: 'does-not-exist', messages: [{ value: 'x' }] }).then(
        () => null,
        (e: unknown) => e,
      );
      expect(errorTypes(error)).toContain('UNKNOWN_TOPIC_OR_PARTITION');
      await producer.disconnect();

      const admin = kafka.admin();
      await admin.connect();
      const metadataError = await admin.fetchTopicMetadata({ topics: ['does-not-exist'] }).then(
        () => null,
        (e: unknown) => e,
      );
      expect(errorTypes(metadataError)).toContain('UNKNOWN_TOPIC_OR_PARTITION');
      expect(await admin.listTopics()).not.toContain('does-not-exist');
      await admin.disconnect();
    } finally {
      await strict.broker.close();
    }
  });

  test('an out-of-range offset gets OFFSET_OUT_OF_RANGE and kafkajs resets', async () => {
    const kafka = kafkaFor(t.broker);
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'range', numPartitions: 1 }] });
    await admin.disconnect();
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic: 'range', messages: [{ value: 'a' }, { value: 'b' }, { value: 'c' }] });
    await producer.disconnect();

    const raw = await RawClient.connect(t.broker.port);
    raw.send(fetchRequest(7, 'range', 0, 1000));
    raw.send(fetchRequest(8, 'range', 0, 3));
    const beyond = parseFetchResponse(await raw.response(7));
    expect(beyond.errorCode).toBe(1);
    expect(beyond.highWatermark).toBe(3);
    const atEnd = parseFetchResponse(await raw.response(8));
    expect(atEnd.errorCode).toBe(0);
    expect(atEnd.records.length).toBe(0);
    raw.close();

    // kafkajs seeks past the end, gets error 1, resets to the earliest offset (fromBeginning).
    const consumer = kafka.consumer({ groupId: 'range-group', maxWaitTimeInMs: 100 });
    const offsets: string[] = [];
    await consumer.connect();
    await consumer.subscribe({ topic: 'range', fromBeginning: true });
    await consumer.run({ eachMessage: async ({ message }) => void offsets.push(message.offset) });
    consumer.seek({ topic: 'range', partition: 0, offset: '500' });
    await waitFor(() => offsets.length >= 3, 'messages after the reset');
    expect(offsets.slice(0, 3)).toEqual(['0', '1', '2']);
    await consumer.disconnect();
  });

  test('a batch with a bad CRC is rejected with CORRUPT_MESSAGE (2) and not stored', async () => {
    const raw = await RawClient.connect(t.broker.port);
    raw.send(metadataRequest(1, ['crc-topic']));
    await raw.response(1);

    const good = buildRecordBatch([{ key: 'k', value: 'intact' }]);
    raw.send(produceRequest(2, 'crc-topic', 0, good));
    expect(produceErrorCode(await raw.response(2))).toBe(0);

    const bad = buildRecordBatch([{ key: 'k', value: 'corrupted' }]);
    bad.writeUInt8(bad.readUInt8(bad.length - 3) ^ 0xff, bad.length - 3); // flip a byte in the value after the CRC was computed
    raw.send(produceRequest(3, 'crc-topic', 0, bad));
    expect(produceErrorCode(await raw.response(3))).toBe(2);

    raw.send(fetchRequest(4, 'crc-topic', 0, 0));
    const fetched = parseFetchResponse(await raw.response(4));
    expect(fetched.highWatermark).toBe(1);
    expect(raw.closed).toBe(false);
    raw.close();
  });

  test('a batch over maxMessageBytes is rejected with MESSAGE_TOO_LARGE (10)', async () => {
    const small = await startTestBroker({ inMemory: true, maxMessageBytes: 1024 });
    try {
      const raw = await RawClient.connect(small.broker.port);
      raw.send(metadataRequest(1, ['big']));
      await raw.response(1);
      raw.send(produceRequest(2, 'big', 0, buildRecordBatch([{ value: 'x'.repeat(2000) }])));
      expect(produceErrorCode(await raw.response(2))).toBe(10);
      raw.close();

      const producer = kafkaFor(small.broker, { retry: { retries: 0 } }).producer();
      await producer.connect();
      const error = await producer.send({ topic: 'big', messages: [{ value: 'y'.repeat(5000) }] }).then(
        () => null,
        (e: unknown) => e,
      );
      expect(errorTypes(error)).toContain('MESSAGE_TOO_LARGE');
      await producer.disconnect();
    } finally {
      await small.broker.close();
    }
  });

  test('answers pipelined requests in order, sends nothing for acks=0, handles ApiVersions fallbacks', async () => {
    const raw = await RawClient.connect(t.broker.port);
    raw.send(metadataRequest(1, ['pipelined']));
    await raw.response(1);
    // A long-polling fetch (held ~150 ms: like Kafka, the next request on this connection is only
    // read after it is answered) followed by quick requests: responses keep request order.
    raw.send(fetchRequest(10, 'pipelined', 0, 0, 150));
    raw.send(produceRequest(11, 'pipelined', 0, buildRecordBatch([{ value: 'no ack' }]), 0));
    for (let id = 12; id < 40; id++) raw.send(metadataRequest(id, ['pipelined']));
    raw.send(encodeRequest(18, 9, 40, () => {}, true)); // ApiVersions v9: unsupported
    raw.send(encodeRequest(18, 3, 41, (w) => w.uvarint(4).chunk(Buffer.from('abc')).uvarint(2).chunk(Buffer.from('1')).uvarint(0), true));
    raw.send(fetchRequest(42, 'pipelined', 0, 0, 1000));
    await raw.response(42);
    const ids = raw.responses.map((r) => r.correlationId);
    expect(ids).toEqual([1, 10, ...Array.from({ length: 28 }, (_, i) => 12 + i), 40, 41, 42]);

    // The acks=0 produce got no response but was stored.
    expect(parseFetchResponse(raw.responses[1]!.body).records.length).toBe(0);
    expect(parseFetchResponse(raw.responses.at(-1)!.body).highWatermark).toBe(1);

    const unsupported = new Reader(raw.responses.find((r) => r.correlationId === 40)!.body);
    expect(unsupported.int16()).toBe(35);
    const advertised = unsupported.array((r) => [r.int16(), r.int16(), r.int16()]);
    expect(advertised).toContainEqual([18, 0, 3]);

    const v3 = new Reader(raw.responses.find((r) => r.correlationId === 41)!.body);
    expect(v3.int16()).toBe(0);
    const count = v3.uvarint() - 1;
    const apis: number[][] = [];
    for (let i = 0; i < count; i++) {
      apis.push([v3.int16(), v3.int16(), v3.int16()]);
      v3.taggedFields();
    }
    expect(apis).toContainEqual([0, 3, 7]);
    expect(apis).toContainEqual([1, 4, 11]);
    expect(v3.int32()).toBe(0);
    v3.taggedFields();
    expect(v3.remaining).toBe(0);
    raw.close();
  });
});
