import type { Logger } from '@switchboard/config';
import { startBroker, type Logger as BrokerLogger } from '@switchboard/kafka-broker';

export interface KafkaEndpoint {
  /** `host:port` list for `createKafka`. */
  brokers: string[];
  /** True when this call started the embedded broker. */
  embedded: boolean;
  /** Stops the embedded broker (nothing to do for an external cluster). */
  close(): Promise<void>;
}

export interface EmbeddedBrokerOptions {
  /** Port of the embedded broker (default 0: any free port). */
  port?: number;
  log?: Logger;
}

/**
 * The brokers to use: `kafkaBrokers` when configured (KAFKA_BROKERS: a real cluster), otherwise
 * a freshly started embedded broker (@switchboard/kafka-broker) keeping its log in `dataDir`
 * (in memory when omitted). For the launcher: `npm start` needs no Kafka installed.
 */
export async function startEmbeddedBrokerIfNeeded(
  kafkaBrokers?: string[],
  dataDir?: string,
  options: EmbeddedBrokerOptions = {},
): Promise<KafkaEndpoint> {
  if (kafkaBrokers && kafkaBrokers.length > 0) {
    return { brokers: kafkaBrokers, embedded: false, close: async () => {} };
  }
  const log = options.log?.child({ component: 'kafka-broker' });
  const logger: BrokerLogger | undefined = log
    ? {
        info: (message, fields) => log.info(fields ?? {}, message),
        warn: (message, fields) => log.warn(fields ?? {}, message),
        error: (message, fields) => log.error(fields ?? {}, message),
      }
    : undefined;
  const broker = await startBroker({ port: options.port ?? 0, ...(dataDir ? { dataDir } : {}), ...(logger ? { logger } : {}) });
  log?.info({ brokers: broker.brokers, dataDir: dataDir ?? null }, 'embedded Kafka-protocol broker started');
  return { brokers: [broker.brokers], embedded: true, close: () => broker.close() };
}
