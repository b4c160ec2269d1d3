import { findRecordAtTimestamp, PARTITION_LEADER_EPOCH, writeInt64, type BatchInfo } from '../protocol/record-batch';
import type { LogConfig, PartitionLog, TimestampLookup } from './partition-log';

interface StoredBatch {
  readonly data: Buffer;
  readonly info: BatchInfo;
  readonly baseOffset: number;
  readonly lastOffset: number;
}

/** A partition log held in memory (no data dir): batches copied out of requests, in order. */
export class MemoryLog implements PartitionLog {
  private batches: StoredBatch[] = [];
  private head = 0;
  private endOffset = 0;
  private totalBytes = 0;

  constructor(private readonly config: () => LogConfig) {}

  get logStartOffset(): number {
    return this.head < this.batches.length ? (this.batches[this.head] as StoredBatch).baseOffset : this.endOffset;
  }

  get logEndOffset(): number {
    return this.endOffset;
  }

  get sizeBytes(): number {
    return this.totalBytes;
  }

  append(buf: Buffer, batch: BatchInfo): number {
    const baseOffset = this.endOffset;
    const data = Buffer.from(buf.subarray(batch.start, batch.start + batch.size));
    writeInt64(data, 0, baseOffset);
    data.writeInt32BE(0, PARTITION_LEADER_EPOCH);
    const lastOffset = baseOffset + batch.lastOffsetDelta;
    this.batches.push({ data, info: { ...batch, start: 0, baseOffset }, baseOffset, lastOffset });
    this.endOffset = lastOffset + 1;
    this.totalBytes += batch.size;
    return baseOffset;
  }

  private indexFor(offset: number): number {
    let lo = this.head;
    let hi = this.batches.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.batches[mid] as StoredBatch).lastOffset >= offset) {
        found = mid;
        hi = mid - 1;
      } else {
        lo = mid + 1;
      }
    }
    return found;
  }

  read(offset: number, maxBytes: number): Buffer[] {
    const first = this.indexFor(offset);
    if (first < 0) return [];
    const chunks: Buffer[] = [];
    let bytes = 0;
    for (let i = first; i < this.batches.length; i++) {
      const batch = this.batches[i] as StoredBatch;
      if (chunks.length > 0 && bytes + batch.data.length > maxBytes) break;
      chunks.push(batch.data);
      bytes += batch.data.length;
    }
    return chunks;
  }

  offsetForTimestamp(timestamp: number): TimestampLookup | null {
    for (let i = this.head; i < this.batches.length; i++) {
      const batch = this.batches[i] as StoredBatch;
      if (batch.info.maxTimestamp < timestamp) continue;
      return (
        findRecordAtTimestamp(batch.data, batch.info, timestamp) ?? {
          offset: batch.baseOffset,
          timestamp: batch.info.maxTimestamp,
        }
      );
    }
    return null;
  }

  enforceRetention(now: number): void {
    const { retentionMs, retentionBytes } = this.config();
    while (this.head < this.batches.length) {
      const oldest = this.batches[this.head] as StoredBatch;
      const expired = retentionMs >= 0 && now - oldest.info.maxTimestamp > retentionMs;
      const tooBig = retentionBytes >= 0 && this.totalBytes - retentionBytes >= oldest.data.length;
      if (!expired && !tooBig) break;
      this.totalBytes -= oldest.data.length;
      this.head++;
    }
    if (this.head > 1024 && this.head * 2 > this.batches.length) {
      this.batches = this.batches.slice(this.head);
      this.head = 0;
    }
  }

  close(): void {}

  destroy(): void {
    this.batches = [];
    this.head = 0;
    this.totalBytes = 0;
  }
}
