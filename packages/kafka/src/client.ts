import net from 'node:net';
import tls from 'node:tls';
import type { Logger } from '@switchboard/config';
import { Kafka, logLevel as KafkaJsLogLevel, type ISocketFactory, type LogEntry, type RetryOptions } from 'kafkajs';
import { fixRequestQueueTimers } from './request-queue-fix';

// Every process that talks to Kafka does so through this module: fix kafkajs's idle timer loop once.
fixRequestQueueTimers();

export type KafkaLogLevel = 'nothing' | 'error' | 'warn' | 'info' | 'debug';

const LEVELS: Record<KafkaLogLevel, KafkaJsLogLevel> = {
  nothing: KafkaJsLogLevel.NOTHING,
  error: KafkaJsLogLevel.ERROR,
  warn: KafkaJsLogLevel.WARN,
  info: KafkaJsLogLevel.INFO,
  debug: KafkaJsLogLevel.DEBUG,
};

export interface CreateKafkaOptions {
  /** `host:port` of the seed brokers. */
  brokers: string[];
  /** Shown to the broker; name it after the process (`outbox-relay`, `worker-email`). */
  clientId: string;
  /** kafkajs's own log lines go to a child of this logger (`component: "kafkajs"`). */
  log: Logger;
  /**
   * Threshold for kafkajs's own logs (default `error`: kafkajs is chatty at `warn` and below —
   * rebalances, reconnects — and our transport logs what matters with context).
   */
  logLevel?: KafkaLogLevel;
  /** Connection timeout in ms (default 3 000). */
  connectionTimeout?: number;
  /** Request timeout in ms (default 30 000, kafkajs's). */
  requestTimeout?: number;
  /** Retries of connections and metadata requests (kafkajs `retry`). */
  retry?: RetryOptions;
  /** Custom socket factory (tests use it to cut a client off the network). */
  socketFactory?: ISocketFactory;
}

/** kafkajs messages that are expected when we configure things on purpose. */
const EXPECTED_WARNINGS = [/Limiting retries for the idempotent producer/u];

/**
 * kafkajs's own socket factory leaves Nagle's algorithm on; with the peer's delayed ACKs that
 * stalls the tail of large requests for up to 40 ms, which dominates send-path latency. This one
 * is the same (plain TCP, or TLS when `ssl` is configured) with TCP_NODELAY and keep-alive.
 */
export const noDelaySocketFactory: ISocketFactory = ({ host, port, ssl, onConnect }) => {
  const socket = ssl
    ? tls.connect({ host, port, servername: host, ...(typeof ssl === 'object' ? ssl : {}) }, onConnect)
    : net.connect({ host, port }, onConnect);
  socket.setNoDelay(true);
  socket.setKeepAlive(true, 60_000);
  return socket;
};

/** A kafkajs client whose logs go to pino, quiet by default. */
export function createKafka(options: CreateKafkaOptions): Kafka {
  const log = options.log.child({ component: 'kafkajs' });
  const logCreator = () => (entry: LogEntry) => {
    const { message, ...extra } = entry.log;
    if (EXPECTED_WARNINGS.some((pattern) => pattern.test(message))) return;
    const fields = { namespace: entry.namespace, ...extra };
    // kafkajs may attach `stack`; pino's own field for errors is `err`.
    delete (fields as { timestamp?: unknown }).timestamp;
    delete (fields as { logger?: unknown }).logger;
    switch (entry.level) {
      case KafkaJsLogLevel.ERROR:
        log.error(fields, message);
        break;
      case KafkaJsLogLevel.WARN:
        log.warn(fields, message);
        break;
      case KafkaJsLogLevel.INFO:
        log.info(fields, message);
        break;
      default:
        log.debug(fields, message);
    }
  };
  return new Kafka({
    clientId: options.clientId,
    brokers: options.brokers,
    logLevel: LEVELS[options.logLevel ?? 'error'],
    logCreator,
    connectionTimeout: options.connectionTimeout ?? 3_000,
    ...(options.requestTimeout ? { requestTimeout: options.requestTimeout } : {}),
    ...(options.retry ? { retry: options.retry } : {}),
    socketFactory: options.socketFactory ?? noDelaySocketFactory,
  });
}
