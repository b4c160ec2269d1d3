/**
 * Produce→consume latency of the broker alone, measured with a minimal raw-protocol client (one
 * socket producing uncompressed batches, one long-polling Fetch), to separate the broker's share
 * of the end-to-end latency from kafkajs's.
 */
import net from 'node:net';
import { performance } from 'node:perf_hooks';
import { crc32c } from '../protocol/crc32c';
import { BATCH_HEADER_SIZE, peekBatch } from '../protocol/record-batch';
import { Reader } from '../protocol/reader';
import { Writer } from '../protocol/writer';

const TOPIC = 'bench-raw-latency';

function zigzag(w: Writer, value: number): void {
  w.uvarint(value >= 0 ? value * 2 : -value * 2 - 1);
}

function readVarint(buf: Buffer, cursor: { at: number }): number {
  let value = 0;
  let shift = 0;
  for (;;) {
    const byte = buf[cursor.at++] as number;
    value += (byte & 0x7f) * 2 ** shift;
    if ((byte & 0x80) === 0) break;
    shift += 7;
  }
  return value % 2 === 0 ? value / 2 : -(value + 1) / 2;
}

function recordBatch(values: Buffer[]): Buffer {
  const records = new Writer(values.length * (values[0]?.length ?? 0) + 64);
  values.forEach((value, i) => {
    const record = new Writer(value.length + 16);
    record.int8(0);
    zigzag(record, 0);
    zigzag(record, i);
    zigzag(record, -1);
    zigzag(record, value.length);
    record.chunk(value);
    zigzag(record, 0);
    const bytes = Buffer.concat(record.finish());
    zigzag(records, bytes.length);
    records.chunk(bytes);
  });
  const body = Buffer.concat(records.finish());
  const now = Date.now();
  const header = new Writer(BATCH_HEADER_SIZE);
  header.int64(0).int32(BATCH_HEADER_SIZE - 12 + body.length).int32(0).int8(2).int32(0);
  header.int16(0).int32(values.length - 1).int64(now).int64(now).int64(-1).int16(-1).int32(-1).int32(values.length);
  const batch = Buffer.concat([...header.finish(), body]);
  batch.writeUInt32BE(crc32c(batch, 21), 17);
  return batch;
}

function frame(apiKey: number, version: number, correlationId: number, body: (w: Writer) => void): Buffer {
  const w = new Writer(256);
  w.int32(0).int16(apiKey).int16(version).int32(correlationId).string('raw-bench');
  body(w);
  const out = Buffer.concat(w.finish());
  out.writeInt32BE(out.length - 4, 0);
  return out;
}

/** Calls `onFrame` with each response body arriving on `socket`. */
function onResponses(socket: net.Socket, onFrame: (body: Buffer) => void): void {
  let pending: Buffer = Buffer.alloc(0);
  socket.on('data', (chunk: Buffer) => {
    pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
    while (pending.length >= 4) {
      const size = pending.readInt32BE(0);
      if (pending.length < 4 + size) break;
      onFrame(pending.subarray(8, 4 + size));
      pending = pending.subarray(4 + size);
    }
  });
}

function connect(host: string, port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host, port }, () => resolve(socket));
    socket.setNoDelay(true);
    socket.once('error', reject);
  });
}

export async function rawLatency(
  host: string,
  port: number,
  options: { rate: number; seconds: number; warmupSeconds: number; size: number },
): Promise<Float64Array> {
  const producer = await connect(host, port);
  const fetcher = await connect(host, port);
  let correlationId = 0;
  try {
    const created = new Promise<void>((resolve) => onResponses(producer, () => resolve()));
    producer.write(frame(3, 4, ++correlationId, (w) => w.array([TOPIC], (aw, t) => aw.string(t)).boolean(true)));
    await created;

    const total = options.rate * options.seconds;
    const latencies = new Float64Array(total);
    let received = 0;
    let fetchOffset = 0;
    const fetch = (): void => {
      fetcher.write(
        frame(1, 11, ++correlationId, (w) => {
          w.int32(-1).int32(500).int32(1).int32(8 << 20).int8(0).int32(0).int32(-1);
          w.int32(1).string(TOPIC).int32(1).int32(0).int32(-1).int64(fetchOffset).int64(-1).int32(8 << 20);
          w.int32(0).string('');
        }),
      );
    };
    onResponses(fetcher, (body) => {
      const now = performance.now();
      const r = new Reader(body);
      r.int32();
      r.int16();
      r.int32();
      r.int32();
      r.string();
      r.int32();
      r.int32();
      r.int16();
      r.int64();
      r.int64();
      r.int64();
      r.int32();
      r.int32();
      const records = r.bytes();
      for (let at = 0; at < records.length; ) {
        const batch = peekBatch(records, at);
        if (batch === null) break;
        const cursor = { at: at + BATCH_HEADER_SIZE };
        for (let i = 0; i < batch.recordCount; i++) {
          const length = readVarint(records, cursor);
          const end = cursor.at + length;
          cursor.at += 1;
          readVarint(records, cursor); // timestamp delta
          readVarint(records, cursor); // offset delta
          readVarint(records, cursor); // key length (-1)
          readVarint(records, cursor); // value length
          if (records[cursor.at + 8] === 1 && received < total) {
            latencies[received++] = now - records.readDoubleBE(cursor.at);
          }
          cursor.at = end;
        }
        fetchOffset = batch.baseOffset + batch.lastOffsetDelta + 1;
        at += batch.size;
      }
      fetch();
    });
    onResponses(producer, () => {});
    fetch();

    const template = Buffer.alloc(options.size, 0x7a);
    const runAtRate = async (count: number, measured: boolean): Promise<void> => {
      const started = performance.now();
      let sent = 0;
      while (sent < count) {
        const due = Math.min(count, Math.floor(((performance.now() - started) / 1000) * options.rate));
        if (due > sent) {
          const now = performance.now();
          const values = Array.from({ length: due - sent }, () => {
            const value = Buffer.from(template);
            value.writeDoubleBE(now, 0);
            value[8] = measured ? 1 : 0;
            return value;
          });
          sent = due;
          const batch = recordBatch(values);
          producer.write(
            frame(0, 7, ++correlationId, (w) => {
              w.nullableString(null).int16(-1).int32(5000).int32(1).string(TOPIC).int32(1).int32(0).bytes(batch);
            }),
          );
        }
        await new Promise((resolve) => setTimeout(resolve, 1));
      }
    };
    await runAtRate(options.rate * options.warmupSeconds, false);
    await runAtRate(total, true);
    const deadline = Date.now() + 10_000;
    while (received < total && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    return latencies.slice(0, received).sort();
  } finally {
    producer.destroy();
    fetcher.destroy();
  }
}
