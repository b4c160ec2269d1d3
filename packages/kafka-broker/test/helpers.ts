import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Kafka, logLevel, type KafkaConfig } from 'kafkajs';
import { startBroker, type BrokerHandle, type BrokerOptions, type Logger } from '../src';
import { crc32c } from '../src/protocol/crc32c';
import { Reader } from '../src/protocol/reader';
import { Writer } from '../src/protocol/writer';

process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1';

export interface LogEntry {
  level: 'info' | 'warn' | 'error';
  message: string;
  fields?: Record<string, unknown>;
}

/** A logger that keeps every line, so tests stay quiet and can assert on what was logged. */
export function captureLogger(): Logger & { entries: LogEntry[] } {
  const entries: LogEntry[] = [];
  return {
    entries,
    info: (message, fields) => entries.push({ level: 'info', message, fields }),
    warn: (message, fields) => entries.push({ level: 'warn', message, fields }),
    error: (message, fields) => entries.push({ level: 'error', message, fields }),
  };
}

const tempDirs = new Set<string>();

/** A fresh temp folder, removed again after the test file. */
export function tempDir(prefix = 'kafka-broker-test-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  tempDirs.add(dir);
  return dir;
}

export interface TestBroker {
  broker: BrokerHandle;
  logs: LogEntry[];
  dataDir: string | undefined;
}

/** Starts a broker on a free port with a captured logger (and a fresh temp data dir unless `inMemory`). */
/** Everything tests open, so a failing test cannot leave clients retrying and keep jest alive. */
const openClients = new Set<{ disconnect(): Promise<void> }>();
const openBrokers = new Set<BrokerHandle>();

/** Disconnects every kafkajs client and closes every broker the tests of this file started. */
export async function cleanupAll(): Promise<void> {
  await Promise.allSettled([...openClients].map((client) => client.disconnect()));
  openClients.clear();
  await Promise.allSettled([...openBrokers].map((broker) => broker.close()));
  openBrokers.clear();
  for (const dir of tempDirs) fs.rmSync(dir, { recursive: true, force: true });
  tempDirs.clear();
}

export function trackBroker(broker: BrokerHandle): BrokerHandle {
  openBrokers.add(broker);
  return broker;
}

export async function startTestBroker(
  options: Partial<BrokerOptions> & { inMemory?: boolean } = {},
): Promise<TestBroker> {
  const { inMemory, ...rest } = options;
  const logger = captureLogger();
  const dataDir = inMemory ? undefined : (rest.dataDir ?? tempDir());
  const broker = trackBroker(await startBroker({ port: 0, logger, ...rest, dataDir }));
  return { broker, logs: logger.entries, dataDir };
}

export function kafkaFor(broker: Pick<BrokerHandle, 'brokers'>, config: Partial<KafkaConfig> = {}): Kafka {
  const kafka = new Kafka({
    clientId: 'broker-test',
    brokers: [broker.brokers],
    logLevel: logLevel.NOTHING,
    retry: { initialRetryTime: 50, retries: 8 },
    ...config,
  });
  const track = <T extends { disconnect(): Promise<void> }>(client: T): T => {
    openClients.add(client);
    return client;
  };
  const { producer, consumer, admin } = kafka;
  kafka.producer = (options) => track(producer.call(kafka, options));
  kafka.consumer = (options) => track(consumer.call(kafka, options));
  kafka.admin = (options) => track(admin.call(kafka, options));
  return kafka;
}

export async function waitFor(
  condition: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 25_000,
  intervalMs = 25,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await condition()) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Walks an error's cause chain (kafkajs wraps protocol errors) looking for a Kafka error type. */
export function errorTypes(error: unknown): string[] {
  const types: string[] = [];
  const seen = new Set<unknown>();
  const visit = (e: unknown): void => {
    if (e === null || typeof e !== 'object' || seen.has(e)) return;
    seen.add(e);
    const record = e as { type?: unknown; originalError?: unknown; cause?: unknown; errors?: unknown };
    if (typeof record.type === 'string') types.push(record.type);
    visit(record.originalError);
    visit(record.cause);
    if (Array.isArray(record.errors)) record.errors.forEach(visit);
  };
  visit(error);
  return types;
}

// ---------------------------------------------------------------------------------------------
// kcat

let kcatChecked: string | null | undefined;

/**
 * Path of kcat, or null (with a visible warning) when it is missing. On CI (CI=true) a missing kcat
 * is an error: the tests that need it must not silently pass.
 */
export function findKcat(): string | null {
  if (kcatChecked !== undefined) return kcatChecked;
  const probe = spawnSync('kcat', ['-V'], { encoding: 'utf8' });
  kcatChecked = probe.status === 0 ? 'kcat' : null;
  if (kcatChecked === null) {
    if (process.env.CI === 'true') {
      throw new Error('kcat is required on CI (apt-get install -y kcat) but was not found on PATH');
    }
    console.warn('kcat not found: skipping the kcat tests (install it with apt-get install -y kcat)');
  }
  return kcatChecked;
}

// ---------------------------------------------------------------------------------------------
// Raw protocol client and hand-built requests

export function encodeRequest(
  apiKey: number,
  apiVersion: number,
  correlationId: number,
  body: (w: Writer) => void,
  flexibleHeader = false,
): Buffer {
  const w = new Writer();
  w.int16(apiKey).int16(apiVersion).int32(correlationId).string('raw-test');
  if (flexibleHeader) w.uvarint(0);
  body(w);
  const payload = Buffer.concat(w.finish());
  const frame = Buffer.allocUnsafe(4 + payload.length);
  frame.writeInt32BE(payload.length, 0);
  payload.copy(frame, 4);
  return frame;
}

/** A socket that sends frames and collects size-prefixed responses in arrival order. */
export class RawClient {
  readonly responses: { correlationId: number; body: Buffer }[] = [];
  private buffered = Buffer.alloc(0);
  private waiters: (() => void)[] = [];
  closed = false;

  private constructor(readonly socket: net.Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.buffered = Buffer.concat([this.buffered, chunk]);
      while (this.buffered.length >= 4) {
        const size = this.buffered.readInt32BE(0);
        if (this.buffered.length < 4 + size) break;
        this.responses.push({
          correlationId: this.buffered.readInt32BE(4),
          body: this.buffered.subarray(8, 4 + size),
        });
        this.buffered = this.buffered.subarray(4 + size);
      }
      this.notify();
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      this.closed = true;
      this.notify();
    });
  }

  private notify(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const waiter of waiters) waiter();
  }

  static connect(port: number): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ port, host: '127.0.0.1' }, () => resolve(new RawClient(socket)));
      socket.once('error', reject);
    });
  }

  send(frame: Buffer): void {
    this.socket.write(frame);
  }

  /** Resolves with the body of the response to `correlationId`. */
  async response(correlationId: number, timeoutMs = 5000): Promise<Buffer> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.responses.find((r) => r.correlationId === correlationId);
      if (found) return found.body;
      if (this.closed) throw new Error(`connection closed before response ${correlationId}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no response ${correlationId}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  async waitClosed(timeoutMs = 5000): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (!this.closed && Date.now() < deadline) await sleep(10);
    return this.closed;
  }

  close(): void {
    this.socket.destroy();
  }
}

function zigzag(w: Writer, value: number): void {
  w.uvarint(value >= 0 ? value * 2 : -value * 2 - 1);
}

/** Builds an uncompressed RecordBatch v2 the way a producer does (base offset 0, correct CRC). */
export function buildRecordBatch(records: { key?: string; value: string }[], timestamp = Date.now()): Buffer {
  const body = new Writer();
  records.forEach((record, i) => {
    const r = new Writer();
    r.int8(0);
    zigzag(r, 0); // timestamp delta
    zigzag(r, i); // offset delta
    if (record.key === undefined) zigzag(r, -1);
    else {
      const key = Buffer.from(record.key);
      zigzag(r, key.length);
      r.chunk(key);
    }
    const value = Buffer.from(record.value);
    zigzag(r, value.length);
    r.chunk(value);
    zigzag(r, 0); // headers
    const encoded = Buffer.concat(r.finish());
    zigzag(body, encoded.length);
    body.chunk(encoded);
  });
  const recordsBytes = Buffer.concat(body.finish());
  const header = new Writer();
  header.int64(0).int32(49 + recordsBytes.length).int32(0).int8(2).int32(0);
  header.int16(0).int32(records.length - 1).int64(timestamp).int64(timestamp);
  header.int64(-1).int16(-1).int32(-1).int32(records.length);
  const batch = Buffer.concat([...header.finish(), recordsBytes]);
  batch.writeUInt32BE(crc32c(batch, 21), 17);
  return batch;
}

export function produceRequest(correlationId: number, topic: string, partition: number, batch: Buffer, acks = -1): Buffer {
  return encodeRequest(0, 7, correlationId, (w) => {
    w.nullableString(null).int16(acks).int32(5000);
    w.int32(1).string(topic).int32(1).int32(partition).bytes(batch);
  });
}

/** Error code of the first partition in a Produce v7 response. */
export function produceErrorCode(body: Buffer): number {
  const r = new Reader(body);
  r.int32();
  r.string();
  r.int32();
  r.int32();
  return r.int16();
}

export function fetchRequest(
  correlationId: number,
  topic: string,
  partition: number,
  offset: number,
  maxWaitMs = 0,
): Buffer {
  return encodeRequest(1, 11, correlationId, (w) => {
    w.int32(-1).int32(maxWaitMs).int32(1).int32(1 << 20).int8(0).int32(0).int32(-1);
    w.int32(1).string(topic).int32(1).int32(partition).int32(-1).int64(offset).int64(-1).int32(1 << 20);
    w.int32(0).string('');
  });
}

export interface FetchedPartition {
  errorCode: number;
  highWatermark: number;
  records: Buffer;
}

export function parseFetchResponse(body: Buffer): FetchedPartition {
  const r = new Reader(body);
  r.int32(); // throttle
  r.int16(); // error
  r.int32(); // session
  r.int32(); // topics
  r.string();
  r.int32(); // partitions
  r.int32();
  const errorCode = r.int16();
  const highWatermark = r.int64();
  r.int64();
  r.int64();
  r.int32(); // aborted
  r.int32(); // preferred replica
  return { errorCode, highWatermark, records: r.bytes() };
}

export function metadataRequest(correlationId: number, topics: string[] | null, autoCreate = true): Buffer {
  return encodeRequest(3, 4, correlationId, (w) => {
    if (topics === null) w.int32(-1);
    else w.array(topics, (tw, t) => tw.string(t));
    w.boolean(autoCreate);
  });
}
