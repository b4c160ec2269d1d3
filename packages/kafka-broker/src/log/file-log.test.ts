import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { silentLogger } from '../logger';
import { crc32c } from '../protocol/crc32c';
import { peekBatch, type BatchInfo } from '../protocol/record-batch';
import { FdCache } from './fd-cache';
import { FileLog } from './file-log';
import { MemoryLog } from './memory-log';
import type { LogConfig, PartitionLog } from './partition-log';

/** A minimal valid v2 batch of `count` records with the given timestamps (uncompressed). */
function batch(count: number, timestamp: number, padding = 0): { buf: Buffer; info: BatchInfo } {
  const records: Buffer[] = [];
  for (let i = 0; i < count; i++) {
    // length, attributes, timestampDelta 0, offsetDelta i, key -1, value (padding bytes), 0 headers
    const value = Buffer.alloc(padding, 0x61);
    const body = Buffer.concat([Buffer.from([0, 0, i * 2, 1]), Buffer.from([value.length * 2]), value, Buffer.from([0])]);
    records.push(Buffer.concat([Buffer.from([body.length * 2]), body]));
  }
  const recordBytes = Buffer.concat(records);
  const buf = Buffer.alloc(61 + recordBytes.length);
  buf.writeInt32BE(49 + recordBytes.length, 8);
  buf.writeInt8(2, 16);
  buf.writeInt32BE(count - 1, 23);
  buf.writeBigInt64BE(BigInt(timestamp), 27);
  buf.writeBigInt64BE(BigInt(timestamp), 35);
  buf.writeBigInt64BE(-1n, 43);
  buf.writeInt32BE(count, 57);
  recordBytes.copy(buf, 61);
  buf.writeUInt32BE(crc32c(buf, 21), 17);
  return { buf, info: peekBatch(buf, 0) as BatchInfo };
}

const config: LogConfig = { retentionBytes: -1, retentionMs: -1, segmentBytes: 2000, indexIntervalBytes: 300 };

describe.each([
  ['FileLog', () => FileLog.open(fs.mkdtempSync(path.join(os.tmpdir(), 'file-log-')), () => config, new FdCache(4), silentLogger)],
  ['MemoryLog', () => new MemoryLog(() => config)],
])('%s', (_name, open: () => PartitionLog) => {
  test('reads from any offset, across segments, whole batches only', () => {
    const log = open();
    for (let i = 0; i < 60; i++) {
      const { buf, info } = batch(3, 1000 + i, 20);
      expect(log.append(buf, info)).toBe(i * 3);
    }
    expect(log.logEndOffset).toBe(180);
    expect(log.logStartOffset).toBe(0);
    for (const offset of [0, 1, 2, 3, 50, 91, 179]) {
      const [data] = log.read(offset, 1);
      const first = peekBatch(data as Buffer, 0);
      expect(first?.baseOffset).toBe(offset - (offset % 3));
      expect(data?.length).toBe(first?.size); // one batch when max bytes is tiny
    }
    const many = Buffer.concat(log.read(30, 1000));
    let at = 0;
    let expected = 30;
    while (at < many.length) {
      const b = peekBatch(many, at);
      expect(b?.baseOffset).toBe(expected);
      expected += 3;
      at += b?.size ?? many.length;
    }
    expect(at).toBe(many.length);
    expect(many.length).toBeLessThanOrEqual(1000);
    expect(log.read(180, 1000)).toEqual([]);
    log.destroy();
  });

  test('finds offsets by timestamp', () => {
    const log = open();
    for (let i = 0; i < 40; i++) {
      const { buf, info } = batch(2, 10_000 + i * 10, 30);
      log.append(buf, info);
    }
    expect(log.offsetForTimestamp(0)).toEqual({ offset: 0, timestamp: 10_000 });
    expect(log.offsetForTimestamp(10_155)).toEqual({ offset: 32, timestamp: 10_160 });
    expect(log.offsetForTimestamp(10_390)).toEqual({ offset: 78, timestamp: 10_390 });
    expect(log.offsetForTimestamp(99_999)).toBeNull();
    log.destroy();
  });
});

describe('FileLog recovery', () => {
  test('reopens with the same end offset and index, and keeps appending', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'file-log-'));
    const fdCache = new FdCache(4);
    const log = FileLog.open(dir, () => config, fdCache, silentLogger);
    for (let i = 0; i < 50; i++) {
      const { buf, info } = batch(2, 5000 + i, 25);
      log.append(buf, info);
    }
    log.close();
    const reopened = FileLog.open(dir, () => config, fdCache, silentLogger);
    expect(reopened.logEndOffset).toBe(100);
    expect(reopened.sizeBytes).toBe(log.sizeBytes);
    expect(peekBatch(reopened.read(77, 1)[0] as Buffer, 0)?.baseOffset).toBe(76);
    const { buf, info } = batch(1, 9999);
    expect(reopened.append(buf, info)).toBe(100);
    expect(reopened.offsetForTimestamp(9999)?.offset).toBe(100);
    reopened.destroy();
  });
});
