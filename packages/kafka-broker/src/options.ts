import { stderrLogger, type Logger } from './logger';

/** Options accepted by `startBroker`. Sizes are bytes, durations milliseconds. */
export interface BrokerOptions {
  /** TCP port; 0 picks a free one. */
  port: number;
  /** Interface to listen on (default 127.0.0.1). */
  host?: string;
  /** Host name put in Metadata/FindCoordinator answers (default: `host`, or 127.0.0.1 for a wildcard). */
  advertisedHost?: string;
  /** Port put in Metadata/FindCoordinator answers (default: the bound port), e.g. behind a proxy. */
  advertisedPort?: number;
  /** Directory for segment files and committed offsets; undefined keeps everything in memory. */
  dataDir?: string;
  /** Create unknown topics when a client asks for their metadata (default true). */
  autoCreateTopics?: boolean;
  /** Partitions of auto-created topics and of CreateTopics with -1 (default 1). */
  defaultPartitions?: number;
  /** Largest accepted record batch (default 1048588, Kafka's). */
  maxMessageBytes?: number;
  /** Per-partition size limit before old segments are deleted (default -1: none). */
  retentionBytes?: number;
  /** Age after which whole segments are deleted (default 7 days; -1: none). */
  retentionMs?: number;
  /** Size at which the active segment is rolled (default 64 MiB). */
  segmentBytes?: number;
  /** Bytes between sparse offset-index entries (default 4096). */
  indexIntervalBytes?: number;
  /** How often retention runs (default 60 s). */
  retentionCheckIntervalMs?: number;
  /** Frames with a larger size prefix close the connection (default 100 MiB). */
  maxFrameBytes?: number;
  /** Accepted consumer session timeouts (defaults 1 s … 30 min). */
  minSessionTimeoutMs?: number;
  maxSessionTimeoutMs?: number;
  /** Wait before the first rebalance of an empty group, to let more members join (default 0). */
  groupInitialRebalanceDelayMs?: number;
  logger?: Logger;
}

export interface BrokerConfig {
  readonly port: number;
  readonly host: string;
  readonly advertisedHost: string;
  readonly advertisedPort: number | undefined;
  readonly dataDir: string | undefined;
  readonly autoCreateTopics: boolean;
  readonly defaultPartitions: number;
  readonly maxMessageBytes: number;
  readonly retentionBytes: number;
  readonly retentionMs: number;
  readonly segmentBytes: number;
  readonly indexIntervalBytes: number;
  readonly retentionCheckIntervalMs: number;
  readonly maxFrameBytes: number;
  readonly minSessionTimeoutMs: number;
  readonly maxSessionTimeoutMs: number;
  readonly groupInitialRebalanceDelayMs: number;
  readonly logger: Logger;
}

function integer(name: string, value: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`kafka-broker option ${name} must be an integer in [${min}, ${max}], got ${value}`);
  }
  return value;
}

export function resolveOptions(options: BrokerOptions): BrokerConfig {
  const host = options.host ?? '127.0.0.1';
  const wildcard = host === '0.0.0.0' || host === '::' || host === '';
  const config: BrokerConfig = {
    port: integer('port', options.port, 0, 65535),
    host,
    advertisedHost: options.advertisedHost ?? (wildcard ? '127.0.0.1' : host),
    advertisedPort:
      options.advertisedPort === undefined ? undefined : integer('advertisedPort', options.advertisedPort, 1, 65535),
    dataDir: options.dataDir,
    autoCreateTopics: options.autoCreateTopics ?? true,
    defaultPartitions: integer('defaultPartitions', options.defaultPartitions ?? 1, 1, 10_000),
    maxMessageBytes: integer('maxMessageBytes', options.maxMessageBytes ?? 1_048_588, 64),
    retentionBytes: integer('retentionBytes', options.retentionBytes ?? -1, -1),
    retentionMs: integer('retentionMs', options.retentionMs ?? 7 * 24 * 3600 * 1000, -1),
    segmentBytes: integer('segmentBytes', options.segmentBytes ?? 64 * 1024 * 1024, 1024, 2 ** 31),
    indexIntervalBytes: integer('indexIntervalBytes', options.indexIntervalBytes ?? 4096, 1),
    retentionCheckIntervalMs: integer('retentionCheckIntervalMs', options.retentionCheckIntervalMs ?? 60_000, 10),
    maxFrameBytes: integer('maxFrameBytes', options.maxFrameBytes ?? 100 * 1024 * 1024, 1024),
    minSessionTimeoutMs: integer('minSessionTimeoutMs', options.minSessionTimeoutMs ?? 1000, 1),
    maxSessionTimeoutMs: integer('maxSessionTimeoutMs', options.maxSessionTimeoutMs ?? 1_800_000, 1),
    groupInitialRebalanceDelayMs: integer('groupInitialRebalanceDelayMs', options.groupInitialRebalanceDelayMs ?? 0, 0),
    logger: options.logger ?? stderrLogger,
  };
  return config;
}
