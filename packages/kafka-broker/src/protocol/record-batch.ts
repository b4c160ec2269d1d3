import { crc32c } from './crc32c';
import { ErrorCode, type ErrorCodeValue } from './errors';

// RecordBatch v2 header layout (byte offsets from the start of the batch).
export const BASE_OFFSET = 0;
export const BATCH_LENGTH = 8;
export const PARTITION_LEADER_EPOCH = 12;
export const MAGIC = 16;
export const CRC = 17;
export const ATTRIBUTES = 21;
export const LAST_OFFSET_DELTA = 23;
export const BASE_TIMESTAMP = 27;
export const MAX_TIMESTAMP = 35;
export const RECORD_COUNT = 57;
/** Bytes before the records. */
export const BATCH_HEADER_SIZE = 61;
/** baseOffset + batchLength: bytes not counted by batchLength. */
export const LOG_OVERHEAD = 12;

const TWO_32 = 4294967296;

export function readInt64(buf: Buffer, at: number): number {
  return buf.readInt32BE(at) * TWO_32 + buf.readUInt32BE(at + 4);
}

export function writeInt64(buf: Buffer, at: number, value: number): void {
  const hi = Math.floor(value / TWO_32);
  buf.writeInt32BE(hi, at);
  buf.writeUInt32BE(value - hi * TWO_32, at + 4);
}

/** What the log needs to know about one batch, taken from its header only. */
export interface BatchInfo {
  /** Position of the batch in the buffer it was found in. */
  readonly start: number;
  /** Total size, header included. */
  readonly size: number;
  readonly baseOffset: number;
  readonly lastOffsetDelta: number;
  readonly recordCount: number;
  readonly maxTimestamp: number;
}

/**
 * Reads the 61-byte header at `at` without requiring the body to be present. Returns null when the
 * header is cut short or its length field is impossible.
 */
export function peekBatchHeader(buf: Buffer, at: number, end = buf.length): BatchInfo | null {
  if (end - at < BATCH_HEADER_SIZE) return null;
  const batchLength = buf.readInt32BE(at + BATCH_LENGTH);
  if (batchLength < BATCH_HEADER_SIZE - LOG_OVERHEAD) return null;
  return {
    start: at,
    size: batchLength + LOG_OVERHEAD,
    baseOffset: readInt64(buf, at + BASE_OFFSET),
    lastOffsetDelta: buf.readInt32BE(at + LAST_OFFSET_DELTA),
    recordCount: buf.readInt32BE(at + RECORD_COUNT),
    maxTimestamp: readInt64(buf, at + MAX_TIMESTAMP),
  };
}

/** Like peekBatchHeader, but also null unless the whole batch lies within `end`. */
export function peekBatch(buf: Buffer, at: number, end = buf.length): BatchInfo | null {
  const batch = peekBatchHeader(buf, at, end);
  return batch !== null && batch.size <= end - at ? batch : null;
}

/** True when the stored CRC-32C matches attributes..end of the batch. */
export function batchCrcMatches(buf: Buffer, batch: BatchInfo): boolean {
  return buf.readUInt32BE(batch.start + CRC) === crc32c(buf, batch.start + ATTRIBUTES, batch.start + batch.size);
}

export type ValidatedBatches =
  | { readonly ok: true; readonly batches: BatchInfo[]; readonly recordCount: number }
  | { readonly ok: false; readonly errorCode: ErrorCodeValue; readonly reason: string };

/**
 * Validates the record set of one produce partition: whole v2 batches, CRC-32C correct, sane
 * counts, each within `maxMessageBytes`. Records themselves are not parsed.
 */
export function validateRecordSet(records: Buffer, maxMessageBytes: number): ValidatedBatches {
  const batches: BatchInfo[] = [];
  let recordCount = 0;
  let at = 0;
  if (records.length === 0) return { ok: false, errorCode: ErrorCode.CORRUPT_MESSAGE, reason: 'empty record set' };
  while (at < records.length) {
    if (records.length - at < BATCH_HEADER_SIZE) {
      return { ok: false, errorCode: ErrorCode.CORRUPT_MESSAGE, reason: 'truncated batch header' };
    }
    const magic = records.readInt8(at + MAGIC);
    if (magic !== 2) {
      return { ok: false, errorCode: ErrorCode.UNSUPPORTED_FOR_MESSAGE_FORMAT, reason: `magic ${magic}` };
    }
    const batch = peekBatch(records, at);
    if (batch === null) return { ok: false, errorCode: ErrorCode.CORRUPT_MESSAGE, reason: 'bad batch length' };
    if (batch.size > maxMessageBytes) {
      return { ok: false, errorCode: ErrorCode.MESSAGE_TOO_LARGE, reason: `batch of ${batch.size} bytes` };
    }
    if (batch.recordCount <= 0 || batch.lastOffsetDelta !== batch.recordCount - 1) {
      return { ok: false, errorCode: ErrorCode.CORRUPT_MESSAGE, reason: 'inconsistent record count' };
    }
    if (!batchCrcMatches(records, batch)) {
      return { ok: false, errorCode: ErrorCode.CORRUPT_MESSAGE, reason: 'CRC-32C mismatch' };
    }
    batches.push(batch);
    recordCount += batch.recordCount;
    at += batch.size;
  }
  return { ok: true, batches, recordCount };
}

/** Compression codec from the attributes (0 none, 1 gzip, 2 snappy, 3 lz4, 4 zstd). */
export function batchCodec(buf: Buffer, batchStart: number): number {
  return buf.readInt16BE(batchStart + ATTRIBUTES) & 0x07;
}

function readVarint(buf: Buffer, cursor: { at: number }, end: number): number | null {
  let value = 0;
  let shift = 0;
  for (;;) {
    if (cursor.at >= end || shift > 63) return null;
    const byte = buf[cursor.at++] as number;
    value += (byte & 0x7f) * 2 ** shift;
    if ((byte & 0x80) === 0) break;
    shift += 7;
  }
  // zigzag
  return value % 2 === 0 ? value / 2 : -(value + 1) / 2;
}

/**
 * For an uncompressed batch, the offset and timestamp of the first record whose timestamp is at
 * least `timestamp`; null when none is (or the records cannot be read).
 */
export function findRecordAtTimestamp(
  buf: Buffer,
  batch: BatchInfo,
  timestamp: number,
): { offset: number; timestamp: number } | null {
  if (batchCodec(buf, batch.start) !== 0) return null;
  const baseTimestamp = readInt64(buf, batch.start + BASE_TIMESTAMP);
  const end = batch.start + batch.size;
  const cursor = { at: batch.start + BATCH_HEADER_SIZE };
  for (let i = 0; i < batch.recordCount; i++) {
    const length = readVarint(buf, cursor, end);
    if (length === null || length < 0) return null;
    const recordEnd = cursor.at + length;
    cursor.at += 1; // attributes
    const timestampDelta = readVarint(buf, cursor, end);
    const offsetDelta = readVarint(buf, cursor, end);
    if (timestampDelta === null || offsetDelta === null) return null;
    if (baseTimestamp + timestampDelta >= timestamp) {
      return { offset: batch.baseOffset + offsetDelta, timestamp: baseTimestamp + timestampDelta };
    }
    cursor.at = recordEnd;
  }
  return null;
}
