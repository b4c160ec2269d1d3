import { ConfigError, createLogger } from '@switchboard/config';
import { createKafka } from '@switchboard/kafka';
import { loadRelayConfig } from './config';
import { startOutboxRelay } from './relay';

/** The relay as its own process (production shape); `npm start` runs it inside the launcher instead. */
async function main(): Promise<void> {
  const config = loadRelayConfig();
  const log = createLogger('outbox-relay', config.logLevel);
  const kafka = createKafka({ brokers: config.kafkaBrokers, clientId: 'outbox-relay', log });
  const relay = await startOutboxRelay({
    databaseUrl: config.databaseUrl,
    kafka,
    schemas: config.schemas,
    log,
    batchSize: config.batchSize,
    pollIntervalMs: config.pollIntervalMs,
    maxPollIntervalMs: config.maxPollIntervalMs,
    retention: { hours: config.retentionHours },
  });
  const stop = (signal: string): void => {
    log.info({ signal }, 'stopping');
    relay.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        log.error({ err: error }, 'error while stopping');
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) console.error(error.message);
  else console.error(error);
  process.exit(1);
});
