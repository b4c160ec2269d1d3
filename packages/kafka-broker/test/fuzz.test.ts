import net from 'node:net';
import { CompressionTypes } from 'kafkajs';
import {
  buildRecordBatch,
  encodeRequest,
  fetchRequest,
  kafkaFor,
  metadataRequest,
  produceRequest,
  sleep,
  startTestBroker,
  waitFor,
  type TestBroker,
} from './helpers';

/** Deterministic PRNG (mulberry32) so a failure can be replayed with the same seed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Splits a captured client byte stream into whole frames (size prefix included). */
function splitFrames(stream: Buffer): Buffer[] {
  const frames: Buffer[] = [];
  let at = 0;
  while (at + 4 <= stream.length) {
    const size = stream.readInt32BE(at);
    if (at + 4 + size > stream.length) break;
    frames.push(Buffer.from(stream.subarray(at, at + 4 + size)));
    at += 4 + size;
  }
  return frames;
}

/**
 * Runs a realistic kafkajs session through a recording TCP proxy (the broker advertises the proxy's
 * port, so every kafkajs connection goes through it) and returns the request frames it sent.
 */
async function captureKafkajsFrames(): Promise<Buffer[]> {
  const proxy = net.createServer();
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  const proxyPort = (proxy.address() as net.AddressInfo).port;
  const t = await startTestBroker({ inMemory: true, advertisedPort: proxyPort });
  const streams: Buffer[][] = [];
  proxy.on('connection', (client) => {
    const chunks: Buffer[] = [];
    streams.push(chunks);
    const upstream = net.connect(t.broker.port, '127.0.0.1');
    client.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => client.write(chunk));
    const end = (): void => {
      client.destroy();
      upstream.destroy();
    };
    client.on('close', end);
    upstream.on('close', end);
    client.on('error', end);
    upstream.on('error', end);
  });

  const kafka = kafkaFor(t.broker, { brokers: [`127.0.0.1:${proxyPort}`] });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: 'fuzz-topic', numPartitions: 3 }] });
  await admin.fetchTopicMetadata({ topics: ['fuzz-topic'] });
  const producer = kafka.producer({ idempotent: true });
  await producer.connect();
  await producer.send({ topic: 'fuzz-topic', messages: [{ key: 'a', value: 'plain', headers: { h: '1' } }] });
  await producer.send({ topic: 'fuzz-topic', compression: CompressionTypes.GZIP, messages: [{ value: 'zipped' }] });
  const consumer = kafka.consumer({ groupId: 'fuzz-group', maxWaitTimeInMs: 50 });
  let seen = 0;
  await consumer.connect();
  await consumer.subscribe({ topic: 'fuzz-topic', fromBeginning: true });
  await consumer.run({ eachMessage: async () => void seen++ });
  await waitFor(() => seen >= 2, 'capture consumer');
  await consumer.disconnect();
  await admin.fetchOffsets({ groupId: 'fuzz-group', topics: ['fuzz-topic'] });
  await admin.describeGroups(['fuzz-group']);
  await admin.listGroups();
  await admin.fetchTopicOffsets('fuzz-topic');
  await admin.deleteTopics({ topics: ['fuzz-topic'] });
  await producer.disconnect();
  await admin.disconnect();
  await t.broker.close();
  await new Promise<void>((resolve) => proxy.close(() => resolve()));
  return streams.flatMap((chunks) => splitFrames(Buffer.concat(chunks)));
}

function handcraftedFrames(): Buffer[] {
  return [
    encodeRequest(18, 0, 1, () => {}),
    encodeRequest(18, 3, 2, (w) => w.uvarint(4).chunk(Buffer.from('abc')).uvarint(2).chunk(Buffer.from('1')).uvarint(0), true),
    metadataRequest(3, null),
    metadataRequest(4, ['fuzz-topic', 'other']),
    produceRequest(5, 'fuzz-topic', 0, buildRecordBatch([{ key: 'k', value: 'v' }, { value: 'w' }])),
    produceRequest(6, 'fuzz-topic', 1, buildRecordBatch([{ value: 'acks zero' }]), 0),
    fetchRequest(7, 'fuzz-topic', 0, 0, 20),
  ];
}

function mutate(frame: Buffer, random: () => number): Buffer {
  const int = (n: number): number => Math.floor(random() * n);
  const copy = Buffer.from(frame);
  // Half the frames stay valid, so connections get further before a broken frame closes them.
  switch (random() < 0.5 ? -1 : int(8)) {
    case 0: {
      // flip a few body bytes
      const flips = 1 + int(8);
      for (let i = 0; i < flips && copy.length > 4; i++) {
        const at = 4 + int(copy.length - 4);
        copy.writeUInt8(copy.readUInt8(at) ^ (1 + int(255)), at);
      }
      return copy;
    }
    case 1: {
      // truncate the body and make the size prefix agree
      const body = copy.subarray(4, 4 + int(copy.length - 4));
      const out = Buffer.alloc(4 + body.length);
      out.writeInt32BE(body.length, 0);
      body.copy(out, 4);
      return out;
    }
    case 2:
      // truncated without fixing the prefix: the broker waits for bytes that never come
      return copy.subarray(0, int(copy.length));
    case 3: {
      const sizes = [-1, 0, 3, 9, 0x7fffffff, 200 * 1024 * 1024, -2147483648, int(0xffffffff) | 0];
      copy.writeInt32BE(sizes[int(sizes.length)] as number, 0);
      return copy;
    }
    case 4:
      // random api key / version
      if (copy.length >= 8) {
        copy.writeInt16BE(int(70) - 3, 4);
        copy.writeInt16BE(int(20) - 2, 6);
      }
      return copy;
    case 5: {
      // pure garbage, sometimes with a plausible size prefix
      const garbage = Buffer.alloc(1 + int(300));
      for (let i = 0; i < garbage.length; i++) garbage.writeUInt8(int(256), i);
      if (random() < 0.5 && garbage.length > 4) garbage.writeInt32BE(garbage.length - 4, 0);
      return garbage;
    }
    case 6: {
      // trailing junk inside the frame
      const extra = Buffer.alloc(1 + int(64), int(256));
      const out = Buffer.concat([copy, extra]);
      out.writeInt32BE(out.length - 4, 0);
      return out;
    }
    case 7: {
      // overwrite an int32 inside the body (array counts, lengths) with an extreme value
      if (copy.length >= 12) {
        const values = [-1, -2, 0x7fffffff, 0x10000, 65535, -32768];
        copy.writeInt32BE(values[int(values.length)] as number, 4 + int(copy.length - 8));
      }
      return copy;
    }
    default:
      return copy; // a valid frame among the broken ones
  }
}

async function fuzzConnection(port: number, frames: Buffer[], random: () => number): Promise<number> {
  const socket = net.connect(port, '127.0.0.1');
  socket.on('error', () => {});
  socket.on('data', () => {});
  await new Promise<void>((resolve) => {
    socket.once('connect', resolve);
    socket.once('close', resolve);
  });
  const payload = Buffer.concat(frames.map((f) => mutate(f, random)));
  // Deliver in a few random pieces so frames straddle TCP chunks.
  let at = 0;
  while (at < payload.length && !socket.destroyed) {
    const n = 1 + Math.floor(random() * Math.min(payload.length - at, 4096));
    socket.write(payload.subarray(at, at + n));
    at += n;
    if (random() < 0.2) await sleep(1);
  }
  await Promise.race([new Promise((resolve) => socket.once('close', resolve)), sleep(30)]);
  socket.destroy();
  return frames.length;
}

describe('fuzzing the wire protocol', () => {
  let t: TestBroker;

  afterAll(async () => {
    await t?.broker.close();
  });

  test('thousands of random and mutated frames never hurt the broker', async () => {
    const valid = [...(await captureKafkajsFrames()), ...handcraftedFrames()];
    expect(valid.length).toBeGreaterThan(20);
    t = await startTestBroker({ groupInitialRebalanceDelayMs: 0 });
    const seed = Number(process.env.FUZZ_SEED ?? Date.now() % 1_000_000);
    const random = prng(seed);
    let sent = 0;
    const connections = 1000;
    const concurrency = 50;
    for (let start = 0; start < connections; start += concurrency) {
      const batch = Array.from({ length: Math.min(concurrency, connections - start) }, () => {
        const count = 1 + Math.floor(random() * 8);
        const frames = Array.from({ length: count }, () => valid[Math.floor(random() * valid.length)] as Buffer);
        return fuzzConnection(t.broker.port, frames, random);
      });
      sent += (await Promise.all(batch)).reduce((a, b) => a + b, 0);
    }
    expect(sent).toBeGreaterThan(3000);
    if (process.env.FUZZ_DEBUG) console.warn(JSON.stringify({ seed, sent, valid: valid.length, keys: [...new Set(valid.map((f) => f.readInt16BE(4)))], warns: t.logs.filter((l) => l.level === 'warn').length, topics: t.logs.filter((l) => l.message.includes('topic')).length }));

    // Bad input is logged as a warning per closed connection; nothing is an unexpected error.
    const errors = t.logs.filter((l) => l.level === 'error');
    if (errors.length > 0) throw new Error(`seed ${seed}: ${JSON.stringify(errors.slice(0, 5))}`);
    expect(t.logs.filter((l) => l.message === 'closing connection after bad request').length).toBeGreaterThan(300);

    // A normal client still works.
    const kafka = kafkaFor(t.broker);
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic: 'after-fuzz', messages: Array.from({ length: 10 }, (_, i) => ({ value: `ok-${i}` })) });
    await producer.disconnect();
    const consumer = kafka.consumer({ groupId: 'after-fuzz-group', maxWaitTimeInMs: 100 });
    const got: string[] = [];
    await consumer.connect();
    await consumer.subscribe({ topic: 'after-fuzz', fromBeginning: true });
    await consumer.run({ eachMessage: async ({ message }) => void got.push(String(message.value)) });
    await waitFor(() => got.length >= 10, 'messages after the fuzzing');
    await consumer.disconnect();
    expect(got).toEqual(Array.from({ length: 10 }, (_, i) => `ok-${i}`));
  });
});
