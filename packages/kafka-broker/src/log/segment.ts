import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from '../logger';
import { batchCrcMatches, MAGIC, peekBatchHeader, type BatchInfo } from '../protocol/record-batch';
import type { FdCache } from './fd-cache';

/** On-disk index entry: relative offset u32, position u32, newest timestamp so far i64. */
const INDEX_ENTRY_SIZE = 16;
const SCAN_WINDOW = 1 << 20;

export function segmentFileName(baseOffset: number, extension: 'log' | 'index'): string {
  return `${String(baseOffset).padStart(20, '0')}.${extension}`;
}

function readFully(fd: number, length: number, position: number): Buffer {
  const buf = Buffer.allocUnsafe(length);
  let done = 0;
  while (done < length) {
    const n = fs.readSync(fd, buf, done, length - done, position + done);
    if (n === 0) break;
    done += n;
  }
  return done === length ? buf : buf.subarray(0, done);
}

function writeFully(fd: number, buf: Buffer, start: number, length: number, position: number): void {
  let done = 0;
  while (done < length) done += fs.writeSync(fd, buf, start + done, length - done, position + done);
}

export interface ScanVisit {
  (batch: BatchInfo, position: number): void;
}

/**
 * One segment: `<base>.log` holds batches back to back, `<base>.index` a sparse offset index (also
 * held in memory). Descriptors come from the shared, bounded descriptor cache, so a broker with
 * thousands of partitions does not run out of them.
 */
export class Segment {
  nextOffset: number;
  size = 0;
  /** Newest batch max-timestamp in the segment; -1 while empty. */
  maxTimestamp = -1;
  private entries = 0;
  private relOffsets = new Uint32Array(64);
  private positions = new Uint32Array(64);
  private timestamps = new Float64Array(64);
  private bytesSinceIndex = 0;
  private sealed = false;
  private readonly entryBuf = Buffer.alloc(INDEX_ENTRY_SIZE);

  readonly logPath: string;
  readonly indexPath: string;

  private constructor(
    dir: string,
    readonly baseOffset: number,
    private readonly fdCache: FdCache,
  ) {
    this.logPath = path.join(dir, segmentFileName(baseOffset, 'log'));
    this.indexPath = path.join(dir, segmentFileName(baseOffset, 'index'));
    this.nextOffset = baseOffset;
  }

  static create(dir: string, baseOffset: number, fdCache: FdCache): Segment {
    const segment = new Segment(dir, baseOffset, fdCache);
    fs.closeSync(fs.openSync(segment.logPath, 'w'));
    fs.closeSync(fs.openSync(segment.indexPath, 'w'));
    return segment;
  }

  /**
   * Opens an existing segment. The tail after the last index entry is scanned to find the end;
   * for the `active` (last) segment it is also CRC-checked. A torn or garbage tail is cut off.
   */
  static load(dir: string, baseOffset: number, fdCache: FdCache, active: boolean, logger: Logger): Segment {
    const segment = new Segment(dir, baseOffset, fdCache);
    const fd = fs.openSync(segment.logPath, 'r+');
    try {
      const fileSize = fs.fstatSync(fd).size;
      segment.loadIndex(fileSize);
      for (;;) {
        const from = segment.entries > 0 ? (segment.positions[segment.entries - 1] as number) : 0;
        const expectFirst = segment.entries > 0 ? baseOffset + (segment.relOffsets[segment.entries - 1] as number) : -1;
        let first = true;
        let firstMismatch = false;
        let nextOffset = segment.entries > 0 ? expectFirst : baseOffset;
        let maxTimestamp = segment.entries > 0 ? (segment.timestamps[segment.entries - 1] as number) : -1;
        const end = scanBatches(fd, from, fileSize, active, (batch) => {
          if (first && expectFirst >= 0 && batch.baseOffset !== expectFirst) firstMismatch = true;
          first = false;
          nextOffset = batch.baseOffset + batch.lastOffsetDelta + 1;
          if (batch.maxTimestamp > maxTimestamp) maxTimestamp = batch.maxTimestamp;
        });
        if (segment.entries > 0 && (firstMismatch || end === from)) {
          // The indexed batch itself is bad: forget the entry and rescan from the one before.
          segment.entries--;
          continue;
        }
        if (end < fileSize) {
          logger.warn('truncating torn log tail', { file: segment.logPath, validBytes: end, fileBytes: fileSize });
          fs.ftruncateSync(fd, end);
        }
        segment.size = end;
        segment.nextOffset = nextOffset;
        segment.maxTimestamp = maxTimestamp;
        segment.bytesSinceIndex = end - from;
        break;
      }
      if (active) {
        const indexFd = fs.openSync(segment.indexPath, fs.existsSync(segment.indexPath) ? 'r+' : 'w+');
        fs.ftruncateSync(indexFd, segment.entries * INDEX_ENTRY_SIZE);
        fs.closeSync(indexFd);
      }
      segment.sealed = !active;
    } finally {
      fs.closeSync(fd);
    }
    return segment;
  }

  private loadIndex(fileSize: number): void {
    let raw: Buffer;
    try {
      raw = fs.readFileSync(this.indexPath);
    } catch {
      return;
    }
    const count = Math.floor(raw.length / INDEX_ENTRY_SIZE);
    let previousRel = -1;
    let previousPos = -1;
    for (let i = 0; i < count; i++) {
      const at = i * INDEX_ENTRY_SIZE;
      const rel = raw.readUInt32BE(at);
      const pos = raw.readUInt32BE(at + 4);
      const ts = raw.readInt32BE(at + 8) * 4294967296 + raw.readUInt32BE(at + 12);
      if (rel <= previousRel || pos <= previousPos || pos >= fileSize) break;
      this.addEntry(rel, pos, ts);
      previousRel = rel;
      previousPos = pos;
    }
  }

  private addEntry(rel: number, pos: number, ts: number): void {
    if (this.entries === this.relOffsets.length) {
      const grow = <T extends Uint32Array | Float64Array>(from: T, to: T): T => {
        to.set(from);
        return to;
      };
      this.relOffsets = grow(this.relOffsets, new Uint32Array(this.entries * 2));
      this.positions = grow(this.positions, new Uint32Array(this.entries * 2));
      this.timestamps = grow(this.timestamps, new Float64Array(this.entries * 2));
    }
    this.relOffsets[this.entries] = rel;
    this.positions[this.entries] = pos;
    this.timestamps[this.entries] = ts;
    this.entries++;
  }

  get isActive(): boolean {
    return !this.sealed;
  }

  /** Appends one batch whose base offset is already written; one write syscall for the data. */
  append(buf: Buffer, batch: BatchInfo, baseOffset: number, indexIntervalBytes: number): void {
    if (this.sealed) throw new Error('append to a sealed segment');
    const fd = this.fdCache.get(this.logPath);
    const position = this.size;
    writeFully(fd, buf, batch.start, batch.size, position);
    if (batch.maxTimestamp > this.maxTimestamp) this.maxTimestamp = batch.maxTimestamp;
    if (this.bytesSinceIndex >= indexIntervalBytes && position > 0) {
      const rel = baseOffset - this.baseOffset;
      const entry = this.entryBuf;
      entry.writeUInt32BE(rel, 0);
      entry.writeUInt32BE(position, 4);
      const hi = Math.floor(this.maxTimestamp / 4294967296);
      entry.writeInt32BE(hi, 8);
      entry.writeUInt32BE(this.maxTimestamp - hi * 4294967296, 12);
      writeFully(this.fdCache.get(this.indexPath), entry, 0, INDEX_ENTRY_SIZE, this.entries * INDEX_ENTRY_SIZE);
      this.addEntry(rel, position, this.maxTimestamp);
      this.bytesSinceIndex = 0;
    }
    this.bytesSinceIndex += batch.size;
    this.size = position + batch.size;
    this.nextOffset = baseOffset + batch.lastOffsetDelta + 1;
  }

  /** Position of the last indexed batch at or before `offset` (0 if none). */
  indexedPositionFor(offset: number): number {
    const rel = offset - this.baseOffset;
    let lo = 0;
    let hi = this.entries - 1;
    let found = 0;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.relOffsets[mid] as number) <= rel) {
        found = this.positions[mid] as number;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return found;
  }

  /** Position to start scanning from to find the first batch with max timestamp >= `timestamp`. */
  indexedPositionForTimestamp(timestamp: number): number {
    // timestamps[] holds the newest timestamp up to and including each indexed batch, so it never
    // decreases: the batch we want lies after the last entry whose value is still below it.
    let lo = 0;
    let hi = this.entries - 1;
    let found = 0;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.timestamps[mid] as number) < timestamp) {
        found = this.positions[mid] as number;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return found;
  }

  private fd(): number {
    return this.fdCache.get(this.logPath);
  }

  readAt(position: number, length: number): Buffer {
    return readFully(this.fd(), Math.min(length, this.size - position), position);
  }

  /** Walks batch headers from `position` (never verifying CRCs), stopping when `visit` returns true. */
  walk(position: number, visit: (batch: BatchInfo, position: number) => boolean): void {
    let window: Buffer = Buffer.alloc(0);
    let windowStart = position;
    let pos = position;
    const fd = this.fd();
    while (pos < this.size) {
      let rel = pos - windowStart;
      if (rel + 61 > window.length) {
        window = readFully(fd, Math.min(64 * 1024, this.size - pos), pos);
        windowStart = pos;
        rel = 0;
      }
      const batch = peekBatchHeader(window, rel);
      if (batch === null) return;
      if (visit(batch, pos)) return;
      pos += batch.size;
    }
  }

  /** Stops accepting appends (the segment was rolled). */
  seal(): void {
    this.sealed = true;
    this.fdCache.forget(this.indexPath);
  }

  close(): void {
    this.fdCache.forget(this.logPath);
    this.fdCache.forget(this.indexPath);
  }

  delete(): void {
    this.close();
    fs.rmSync(this.logPath, { force: true });
    fs.rmSync(this.indexPath, { force: true });
  }
}

/**
 * Scans batches from `from` to `fileSize`, calling `visit` for each valid one; with `verify`, each
 * batch's CRC-32C is checked too. Returns the position just after the last valid batch.
 */
function scanBatches(fd: number, from: number, fileSize: number, verify: boolean, visit: ScanVisit): number {
  let window: Buffer = Buffer.alloc(0);
  let windowStart = from;
  let pos = from;
  while (pos < fileSize) {
    let rel = pos - windowStart;
    if (rel + 61 > window.length) {
      window = readFully(fd, Math.min(SCAN_WINDOW, fileSize - pos), pos);
      windowStart = pos;
      rel = 0;
    }
    const header = peekBatchHeader(window, rel);
    if (header === null || window.readInt8(rel + MAGIC) !== 2) break;
    if (pos + header.size > fileSize) break;
    if (header.recordCount <= 0 || header.lastOffsetDelta !== header.recordCount - 1) break;
    if (verify) {
      if (rel + header.size > window.length) {
        window = readFully(fd, Math.max(header.size, Math.min(SCAN_WINDOW, fileSize - pos)), pos);
        windowStart = pos;
        rel = 0;
      }
      if (!batchCrcMatches(window, { ...header, start: rel })) break;
    }
    visit({ ...header, start: pos }, pos);
    pos += header.size;
  }
  return pos;
}
