import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from '../logger';
import { crc32c } from '../protocol/crc32c';

export interface CommittedOffset {
  readonly offset: number;
  readonly metadata: string | null;
}

export interface OffsetCommitEntry extends CommittedOffset {
  readonly topic: string;
  readonly partition: number;
}

/** One line of the offsets log: group, topic, partition, offset (-1 = deleted), metadata. */
type StoredEntry = [string, string, number, number, string | null];

const RECORD_HEADER = 8;
const COMPACT_MIN_BYTES = 8 * 1024 * 1024;

/**
 * Committed consumer-group offsets. With a data dir they are kept in an append-only file of
 * records `[length u32][crc32c u32][JSON entries]`, one record per commit request (so a commit is
 * all-or-nothing); a torn last record is dropped on start, and the file is rewritten compactly when
 * it grows much larger than the live state.
 */
export class OffsetStore {
  private readonly groups = new Map<string, Map<string, Map<number, CommittedOffset>>>();
  private fd: number | null = null;
  private fileBytes = 0;
  private readonly file: string | undefined;

  constructor(
    dataDir: string | undefined,
    private readonly logger: Logger,
  ) {
    this.file = dataDir === undefined ? undefined : path.join(dataDir, 'groups', 'offsets.log');
  }

  load(): void {
    if (this.file === undefined) return;
    fs.mkdirSync(path.dirname(this.file), { recursive: true });
    let raw: Buffer;
    try {
      raw = fs.readFileSync(this.file);
    } catch {
      raw = Buffer.alloc(0);
    }
    let at = 0;
    let records = 0;
    while (at + RECORD_HEADER <= raw.length) {
      const length = raw.readUInt32BE(at);
      const end = at + RECORD_HEADER + length;
      if (end > raw.length || raw.readUInt32BE(at + 4) !== crc32c(raw, at + RECORD_HEADER, end)) break;
      let entries: StoredEntry[];
      try {
        entries = JSON.parse(raw.toString('utf8', at + RECORD_HEADER, end)) as StoredEntry[];
      } catch {
        break;
      }
      for (const entry of entries) this.apply(entry);
      records++;
      at = end;
    }
    if (at < raw.length) {
      this.logger.warn('truncating torn offsets log tail', { validBytes: at, fileBytes: raw.length });
    }
    this.fd = fs.openSync(this.file, 'a+');
    fs.ftruncateSync(this.fd, at);
    this.fileBytes = at;
    if (records > 1 && this.needsCompaction()) this.compact();
  }

  private apply([group, topic, partition, offset, metadata]: StoredEntry): void {
    if (offset < 0) {
      const topics = this.groups.get(group);
      const partitions = topics?.get(topic);
      partitions?.delete(partition);
      if (partitions?.size === 0) topics?.delete(topic);
      if (topics?.size === 0) this.groups.delete(group);
      return;
    }
    let topics = this.groups.get(group);
    if (topics === undefined) this.groups.set(group, (topics = new Map()));
    let partitions = topics.get(topic);
    if (partitions === undefined) topics.set(topic, (partitions = new Map()));
    partitions.set(partition, { offset, metadata });
  }

  private append(entries: StoredEntry[]): void {
    if (this.fd === null || entries.length === 0) return;
    const payload = Buffer.from(JSON.stringify(entries));
    const record = Buffer.allocUnsafe(RECORD_HEADER + payload.length);
    record.writeUInt32BE(payload.length, 0);
    record.writeUInt32BE(crc32c(payload), 4);
    payload.copy(record, RECORD_HEADER);
    fs.writeSync(this.fd, record);
    this.fileBytes += record.length;
    if (this.needsCompaction()) this.compact();
  }

  private needsCompaction(): boolean {
    return this.fileBytes > COMPACT_MIN_BYTES && this.fileBytes > 4 * this.liveBytesEstimate();
  }

  private liveBytesEstimate(): number {
    let count = 0;
    for (const topics of this.groups.values()) for (const partitions of topics.values()) count += partitions.size;
    return count * 64;
  }

  /** Rewrites the file with one record holding only the live offsets. */
  private compact(): void {
    if (this.file === undefined || this.fd === null) return;
    const entries: StoredEntry[] = [];
    for (const [group, topics] of this.groups) {
      for (const [topic, partitions] of topics) {
        for (const [partition, committed] of partitions) {
          entries.push([group, topic, partition, committed.offset, committed.metadata]);
        }
      }
    }
    const payload = Buffer.from(JSON.stringify(entries));
    const record = Buffer.allocUnsafe(RECORD_HEADER + payload.length);
    record.writeUInt32BE(payload.length, 0);
    record.writeUInt32BE(crc32c(payload), 4);
    payload.copy(record, RECORD_HEADER);
    const tmp = `${this.file}.tmp`;
    fs.writeFileSync(tmp, record);
    fs.renameSync(tmp, this.file);
    fs.closeSync(this.fd);
    this.fd = fs.openSync(this.file, 'a+');
    this.fileBytes = record.length;
  }

  /** Stores all entries of one commit with a single write. */
  commit(group: string, entries: readonly OffsetCommitEntry[]): void {
    const stored: StoredEntry[] = entries.map((e) => [group, e.topic, e.partition, e.offset, e.metadata]);
    for (const entry of stored) this.apply(entry);
    this.append(stored);
  }

  get(group: string, topic: string, partition: number): CommittedOffset | undefined {
    return this.groups.get(group)?.get(topic)?.get(partition);
  }

  /** Every committed offset of a group, by topic. */
  committed(group: string): ReadonlyMap<string, ReadonlyMap<number, CommittedOffset>> {
    return this.groups.get(group) ?? new Map();
  }

  groupIds(): string[] {
    return [...this.groups.keys()];
  }

  /** Forgets a deleted topic's offsets in every group. */
  deleteTopic(topic: string): void {
    const tombstones: StoredEntry[] = [];
    for (const [group, topics] of this.groups) {
      const partitions = topics.get(topic);
      if (partitions === undefined) continue;
      for (const partition of partitions.keys()) tombstones.push([group, topic, partition, -1, null]);
    }
    for (const entry of tombstones) this.apply(entry);
    this.append(tombstones);
  }

  close(): void {
    if (this.fd !== null) fs.closeSync(this.fd);
    this.fd = null;
  }
}
