import fs from 'node:fs';
import { GroupCoordinator } from './groups/group-coordinator';
import { OffsetStore } from './groups/offset-store';
import type { BrokerState } from './handlers/context';
import { TopicStore } from './log/topic-store';
import { errorMessage } from './logger';
import { resolveOptions, type BrokerOptions } from './options';
import { TcpServer } from './server/tcp-server';

/** A running broker. */
export interface BrokerHandle {
  readonly port: number;
  readonly host: string;
  /** `host:port` to give kafkajs (`brokers: [handle.brokers]`) or kcat (`-b`). */
  readonly brokers: string;
  /** Stops listening, drops connections and closes the log files. */
  close(): Promise<void>;
}

const NODE_ID = 1;

/** Starts a single-node broker speaking the Kafka wire protocol. */
export async function startBroker(options: BrokerOptions): Promise<BrokerHandle> {
  const config = resolveOptions(options);
  const { logger } = config;
  if (config.dataDir !== undefined) fs.mkdirSync(config.dataDir, { recursive: true });

  const topics = new TopicStore(config, logger);
  const offsets = new OffsetStore(config.dataDir, logger);
  topics.load();
  try {
    offsets.load();
  } catch (error) {
    topics.close();
    throw error;
  }
  const groups = new GroupCoordinator(
    {
      minSessionTimeoutMs: config.minSessionTimeoutMs,
      maxSessionTimeoutMs: config.maxSessionTimeoutMs,
      initialRebalanceDelayMs: config.groupInitialRebalanceDelayMs,
    },
    offsets,
    logger,
  );
  const state: BrokerState = {
    config,
    logger,
    topics,
    groups,
    offsets,
    nodeId: NODE_ID,
    clusterId: 'switchboard-embedded-kafka',
    port: config.port,
    // Distinct across restarts, so an idempotent producer never sees a reused id.
    nextProducerId: Date.now(),
  };

  const server = new TcpServer(state);
  let boundPort = config.port;
  try {
    const bound = await server.listen(config.port, config.host);
    state.port = config.advertisedPort ?? bound;
    boundPort = bound;
  } catch (error) {
    groups.close();
    topics.close();
    offsets.close();
    throw error;
  }

  const retention = setInterval(() => {
    try {
      topics.enforceRetention();
    } catch (error) {
      logger.error('retention failed', { error: errorMessage(error) });
    }
  }, config.retentionCheckIntervalMs);
  retention.unref();
  topics.enforceRetention();

  const host = config.advertisedHost;
  logger.info('kafka broker listening', { host: config.host, port: boundPort, dataDir: config.dataDir ?? null });
  let closing: Promise<void> | null = null;
  return {
    port: boundPort,
    host,
    brokers: `${host}:${boundPort}`,
    close: () => {
      closing ??= (async () => {
        clearInterval(retention);
        groups.close();
        await server.close();
        topics.close();
        offsets.close();
      })();
      return closing;
    },
  };
}
