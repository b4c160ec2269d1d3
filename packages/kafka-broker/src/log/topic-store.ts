import fs from 'node:fs';
import path from 'node:path';
import { errorMessage, type Logger } from '../logger';
import type { BrokerConfig } from '../options';
import { ErrorCode, type ErrorCodeValue } from '../protocol/errors';
import type { BatchInfo } from '../protocol/record-batch';
import { FdCache } from './fd-cache';
import { FileLog } from './file-log';
import { MemoryLog } from './memory-log';
import type { LogConfig, PartitionLog } from './partition-log';
import { isValidTopicName } from './topic-names';

/** Effective settings of one topic: broker defaults with the topic's own overrides. */
export interface TopicConfig extends LogConfig {
  readonly maxMessageBytes: number;
}

/** Topic-level configs accepted by CreateTopics, and the setting each one overrides. */
const TOPIC_CONFIG_KEYS = {
  'retention.ms': 'retentionMs',
  'retention.bytes': 'retentionBytes',
  'segment.bytes': 'segmentBytes',
  'max.message.bytes': 'maxMessageBytes',
} as const satisfies Record<string, keyof TopicConfig>;

type TopicOverrides = Record<string, string>;

/** Upper bound on partitions per topic: a development broker, not a cluster. */
export const MAX_PARTITIONS = 10_000;

export class Partition {
  /** Called after every append; long-polling fetches register here. */
  readonly appendListeners = new Set<(bytes: number) => void>();
  deleted = false;

  constructor(
    readonly topic: string,
    readonly id: number,
    readonly log: PartitionLog,
  ) {}

  append(buf: Buffer, batch: BatchInfo): number {
    const baseOffset = this.log.append(buf, batch);
    for (const listener of this.appendListeners) listener(batch.size);
    return baseOffset;
  }
}

export class Topic {
  constructor(
    readonly name: string,
    readonly partitions: Partition[],
    readonly overrides: TopicOverrides,
    public config: TopicConfig,
  ) {}
}

interface TopicFile {
  readonly partitions: number;
  readonly configs: TopicOverrides;
}

export type CreateTopicResult =
  | { readonly ok: true; readonly topic: Topic | null }
  | { readonly ok: false; readonly errorCode: ErrorCodeValue; readonly message: string };

/**
 * All topics and their partition logs. With a data dir, each topic is a folder holding
 * `topic.json` and one folder of segments per partition.
 */
export class TopicStore {
  private readonly topics = new Map<string, Topic>();
  private readonly fdCache = new FdCache();
  private readonly topicsDir: string | undefined;

  constructor(
    private readonly broker: BrokerConfig,
    private readonly logger: Logger,
  ) {
    this.topicsDir = broker.dataDir === undefined ? undefined : path.join(broker.dataDir, 'topics');
  }

  /** Loads the topics found in the data dir (recovering each partition's log). */
  load(): void {
    const dir = this.topicsDir;
    if (dir === undefined) return;
    fs.mkdirSync(dir, { recursive: true });
    for (const name of fs.readdirSync(dir).sort()) {
      const topicDir = path.join(dir, name);
      const topicFile = path.join(topicDir, 'topic.json');
      if (!fs.existsSync(topicFile)) {
        // A deletion that was interrupted: topic.json is removed first, then the data.
        if (isValidTopicName(name)) fs.rmSync(topicDir, { recursive: true, force: true });
        continue;
      }
      let file: TopicFile;
      try {
        file = JSON.parse(fs.readFileSync(topicFile, 'utf8')) as TopicFile;
      } catch (error) {
        this.logger.error('ignoring topic with an unreadable topic.json', { topic: name, error: errorMessage(error) });
        continue;
      }
      if (!isValidTopicName(name) || !Number.isInteger(file.partitions) || file.partitions < 1) {
        this.logger.warn('ignoring unreadable topic folder', { topic: name });
        continue;
      }
      this.open(name, file.partitions, file.configs ?? {});
    }
  }

  private resolveConfig(overrides: TopicOverrides): TopicConfig {
    const config: { -readonly [K in keyof TopicConfig]: TopicConfig[K] } = {
      retentionBytes: this.broker.retentionBytes,
      retentionMs: this.broker.retentionMs,
      segmentBytes: this.broker.segmentBytes,
      indexIntervalBytes: this.broker.indexIntervalBytes,
      maxMessageBytes: this.broker.maxMessageBytes,
    };
    for (const [key, field] of Object.entries(TOPIC_CONFIG_KEYS)) {
      const value = overrides[key];
      if (value !== undefined) config[field] = Number(value);
    }
    return config;
  }

  private open(name: string, partitionCount: number, overrides: TopicOverrides): Topic {
    const topic = new Topic(name, [], overrides, this.resolveConfig(overrides));
    const config = (): LogConfig => topic.config;
    try {
      for (let id = 0; id < partitionCount; id++) {
        const log =
          this.topicsDir === undefined
            ? new MemoryLog(config)
            : FileLog.open(path.join(this.topicsDir, name, String(id)), config, this.fdCache, this.logger);
        topic.partitions.push(new Partition(name, id, log));
      }
    } catch (error) {
      for (const partition of topic.partitions) partition.log.close();
      throw error;
    }
    this.topics.set(name, topic);
    return topic;
  }

  get(name: string): Topic | undefined {
    return this.topics.get(name);
  }

  partition(topic: string, partition: number): Partition | undefined {
    return this.topics.get(topic)?.partitions[partition];
  }

  list(): Topic[] {
    return [...this.topics.values()];
  }

  /** Validates and (unless `validateOnly`) creates a topic. */
  create(name: string, partitionCount: number, overrides: TopicOverrides, validateOnly = false): CreateTopicResult {
    if (!isValidTopicName(name)) {
      return { ok: false, errorCode: ErrorCode.INVALID_TOPIC_EXCEPTION, message: `Invalid topic name "${name}"` };
    }
    if (this.topics.has(name)) {
      return { ok: false, errorCode: ErrorCode.TOPIC_ALREADY_EXISTS, message: `Topic '${name}' already exists.` };
    }
    if (!Number.isInteger(partitionCount) || partitionCount < 1 || partitionCount > MAX_PARTITIONS) {
      return { ok: false, errorCode: ErrorCode.INVALID_PARTITIONS, message: `Invalid partition count ${partitionCount}` };
    }
    for (const [key, value] of Object.entries(overrides)) {
      if (key in TOPIC_CONFIG_KEYS && !/^-?\d+$/.test(value)) {
        return { ok: false, errorCode: ErrorCode.INVALID_CONFIG, message: `Invalid value ${value} for ${key}` };
      }
    }
    if (validateOnly) return { ok: true, topic: null };
    if (this.topicsDir !== undefined) {
      const topicDir = path.join(this.topicsDir, name);
      fs.mkdirSync(topicDir, { recursive: true });
      const file: TopicFile = { partitions: partitionCount, configs: overrides };
      const tmp = path.join(topicDir, 'topic.json.tmp');
      fs.writeFileSync(tmp, JSON.stringify(file));
      fs.renameSync(tmp, path.join(topicDir, 'topic.json'));
    }
    return { ok: true, topic: this.open(name, partitionCount, overrides) };
  }

  /** Deletes a topic and its data. Returns false when it does not exist. */
  delete(name: string): boolean {
    const topic = this.topics.get(name);
    if (topic === undefined) return false;
    this.topics.delete(name);
    if (this.topicsDir !== undefined) fs.rmSync(path.join(this.topicsDir, name, 'topic.json'), { force: true });
    for (const partition of topic.partitions) {
      partition.deleted = true;
      partition.log.destroy();
      for (const listener of partition.appendListeners) listener(0);
    }
    if (this.topicsDir !== undefined) fs.rmSync(path.join(this.topicsDir, name), { recursive: true, force: true });
    return true;
  }

  enforceRetention(now = Date.now()): void {
    for (const topic of this.topics.values()) {
      for (const partition of topic.partitions) {
        try {
          partition.log.enforceRetention(now);
        } catch (error) {
          this.logger.error('retention failed', { topic: topic.name, partition: partition.id, error: errorMessage(error) });
        }
      }
    }
  }

  close(): void {
    for (const topic of this.topics.values()) {
      for (const partition of topic.partitions) partition.log.close();
    }
    this.topics.clear();
    this.fdCache.closeAll();
  }
}
