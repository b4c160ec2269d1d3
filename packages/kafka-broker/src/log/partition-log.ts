import type { BatchInfo } from '../protocol/record-batch';

/** Retention and layout settings for one partition's log. */
export interface LogConfig {
  /** Delete old data once the log is larger than this; -1 keeps everything. */
  readonly retentionBytes: number;
  /** Delete segments whose newest record is older than this; -1 keeps everything. */
  readonly retentionMs: number;
  /** Roll to a new segment file when the active one would grow past this. */
  readonly segmentBytes: number;
  /** Bytes of log between two sparse offset-index entries. */
  readonly indexIntervalBytes: number;
}

export interface TimestampLookup {
  readonly offset: number;
  readonly timestamp: number;
}

/**
 * The append-only record log of one partition: RecordBatch v2 batches stored as received, with
 * the broker-assigned base offset written into each.
 */
export interface PartitionLog {
  /** First offset still readable. */
  readonly logStartOffset: number;
  /** Offset the next appended record gets (= high watermark on a single broker). */
  readonly logEndOffset: number;
  /** Bytes currently held. */
  readonly sizeBytes: number;
  /**
   * Appends the batch `buf[batch.start, batch.start + batch.size)`, writing the assigned base
   * offset into `buf` first. Returns the base offset.
   */
  append(buf: Buffer, batch: BatchInfo): number;
  /**
   * Whole batches starting with the one that contains `offset`, at most `maxBytes` in total but
   * always at least one batch; empty when `offset` is the log end. The caller checks the range.
   */
  read(offset: number, maxBytes: number): Buffer[];
  /** First record with a timestamp at or after `timestamp`, or null. */
  offsetForTimestamp(timestamp: number): TimestampLookup | null;
  /** Deletes whole old segments (or batches, in memory) past the retention limits. */
  enforceRetention(now: number): void;
  close(): void;
  /** Closes and removes everything on disk. */
  destroy(): void;
}
