import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from '../logger';
import {
  findRecordAtTimestamp,
  PARTITION_LEADER_EPOCH,
  peekBatch,
  peekBatchHeader,
  writeInt64,
  type BatchInfo,
} from '../protocol/record-batch';
import type { FdCache } from './fd-cache';
import type { LogConfig, PartitionLog, TimestampLookup } from './partition-log';
import { Segment } from './segment';

const EMPTY: Buffer[] = [];
const MAX_RELATIVE_OFFSET = 0xffffffff;

interface ReadHint {
  offset: number;
  segment: Segment;
  position: number;
}

/**
 * A partition log on disk: a directory of segments, the last one active. Reads go to the files
 * (the page cache does the caching); memory holds only the sparse indexes and a few read hints.
 */
export class FileLog implements PartitionLog {
  private totalBytes = 0;
  private readonly hints: (ReadHint | null)[] = [null, null, null, null];
  private nextHint = 0;

  private constructor(
    private readonly dir: string,
    private readonly config: () => LogConfig,
    private readonly fdCache: FdCache,
    private readonly segments: Segment[],
  ) {
    for (const segment of segments) this.totalBytes += segment.size;
  }

  static open(dir: string, config: () => LogConfig, fdCache: FdCache, logger: Logger): FileLog {
    fs.mkdirSync(dir, { recursive: true });
    const names = fs.readdirSync(dir);
    const bases = names
      .filter((name) => /^\d{20}\.log$/.test(name))
      .map((name) => Number(name.slice(0, 20)))
      .sort((a, b) => a - b);
    // An index whose log is gone (a deletion interrupted between the two files) is dropped.
    for (const name of names) {
      if (/^\d{20}\.index$/.test(name) && !names.includes(`${name.slice(0, 20)}.log`)) {
        fs.rmSync(path.join(dir, name), { force: true });
      }
    }
    const segments: Segment[] = [];
    try {
      bases.forEach((base, i) => {
        segments.push(Segment.load(dir, base, fdCache, i === bases.length - 1, logger));
      });
      if (segments.length === 0) segments.push(Segment.create(dir, 0, fdCache));
    } catch (error) {
      for (const segment of segments) segment.close();
      throw error;
    }
    return new FileLog(dir, config, fdCache, segments);
  }

  private get active(): Segment {
    return this.segments[this.segments.length - 1] as Segment;
  }

  get logStartOffset(): number {
    return (this.segments[0] as Segment).baseOffset;
  }

  get logEndOffset(): number {
    return this.active.nextOffset;
  }

  get sizeBytes(): number {
    return this.totalBytes;
  }

  append(buf: Buffer, batch: BatchInfo): number {
    const config = this.config();
    let active = this.active;
    const baseOffset = active.nextOffset;
    let rolled = false;
    if (
      active.size > 0 &&
      (active.size + batch.size > config.segmentBytes ||
        baseOffset + batch.lastOffsetDelta - active.baseOffset >= MAX_RELATIVE_OFFSET)
    ) {
      active = this.roll();
      rolled = true;
    }
    writeInt64(buf, batch.start, baseOffset);
    buf.writeInt32BE(0, batch.start + PARTITION_LEADER_EPOCH);
    active.append(buf, batch, baseOffset, config.indexIntervalBytes);
    this.totalBytes += batch.size;
    if (rolled) this.enforceRetention(Date.now());
    return baseOffset;
  }

  private roll(): Segment {
    const previous = this.active;
    const next = Segment.create(this.dir, previous.nextOffset, this.fdCache);
    previous.seal();
    this.segments.push(next);
    return next;
  }

  private segmentIndexFor(offset: number): number {
    let lo = 0;
    let hi = this.segments.length - 1;
    let found = 0;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.segments[mid] as Segment).baseOffset <= offset) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return found;
  }

  read(offset: number, maxBytes: number): Buffer[] {
    if (offset >= this.logEndOffset) return EMPTY;
    let index = this.segmentIndexFor(offset);
    let segment = this.segments[index] as Segment;
    while (offset >= segment.nextOffset && index < this.segments.length - 1) {
      segment = this.segments[++index] as Segment;
    }
    let position = -1;
    for (const hint of this.hints) {
      if (hint !== null && hint.offset === offset && hint.segment === segment) position = hint.position;
    }
    if (position < 0) {
      segment.walk(segment.indexedPositionFor(offset), (batch, at) => {
        if (batch.baseOffset + batch.lastOffsetDelta >= offset) {
          position = at;
          return true;
        }
        return false;
      });
      if (position < 0) return EMPTY;
    }
    let data = segment.readAt(position, Math.max(maxBytes, 61));
    const first = peekBatchHeader(data, 0);
    if (first === null) return EMPTY;
    if (first.size > data.length) data = segment.readAt(position, first.size);
    let end = 0;
    let last: BatchInfo = first;
    for (;;) {
      const batch = peekBatch(data, end);
      if (batch === null) break;
      last = batch;
      end += batch.size;
    }
    if (end === 0) return EMPTY;
    this.hints[this.nextHint] = {
      offset: last.baseOffset + last.lastOffsetDelta + 1,
      segment,
      position: position + end,
    };
    this.nextHint = (this.nextHint + 1) % this.hints.length;
    return [end === data.length ? data : data.subarray(0, end)];
  }

  offsetForTimestamp(timestamp: number): TimestampLookup | null {
    for (const segment of this.segments) {
      if (segment.maxTimestamp < timestamp) continue;
      let result: TimestampLookup | null = null;
      segment.walk(segment.indexedPositionForTimestamp(timestamp), (batch, at) => {
        if (batch.maxTimestamp < timestamp) return false;
        const data = segment.readAt(at, batch.size);
        const whole = peekBatch(data, 0);
        result = (whole && findRecordAtTimestamp(data, whole, timestamp)) ?? {
          offset: batch.baseOffset,
          timestamp: batch.maxTimestamp,
        };
        return true;
      });
      if (result !== null) return result;
    }
    return null;
  }

  enforceRetention(now: number): void {
    const { retentionMs, retentionBytes } = this.config();
    let removed = false;
    if (retentionMs >= 0) {
      for (;;) {
        const oldest = this.segments[0] as Segment;
        if (oldest.maxTimestamp < 0 || now - oldest.maxTimestamp <= retentionMs) break;
        if (this.segments.length === 1) this.roll();
        this.removeOldest();
        removed = true;
      }
    }
    if (retentionBytes >= 0) {
      while (this.segments.length > 1 && this.totalBytes - retentionBytes >= (this.segments[0] as Segment).size) {
        this.removeOldest();
        removed = true;
      }
    }
    if (removed) this.hints.fill(null);
  }

  private removeOldest(): void {
    const oldest = this.segments.shift() as Segment;
    this.totalBytes -= oldest.size;
    oldest.delete();
  }

  close(): void {
    for (const segment of this.segments) segment.close();
  }

  destroy(): void {
    this.close();
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}
