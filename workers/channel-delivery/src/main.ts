import { ConfigError, createLogger } from '@switchboard/config';
import { createPrismaClient } from '@switchboard/db';
import { createKafka } from '@switchboard/kafka';
import { Redis } from 'ioredis';
import { startChannelWorkers } from './channel-workers';
import { loadDeliveryConfig } from './config';

/** The channel workers as their own process (production shape); `npm start` runs them inside the launcher. */
async function main(): Promise<void> {
  const config = loadDeliveryConfig();
  const log = createLogger('channel-delivery', config.logLevel);
  // Auto-pipelining: commands issued in the same tick (concurrent handlers) share one write.
  const redis = new Redis(config.redisUrl, { keyPrefix: config.redisKeyPrefix, lazyConnect: true, maxRetriesPerRequest: 3, enableAutoPipelining: true });
  redis.on('error', (error) => log.warn({ err: error }, 'redis connection error'));
  await redis.connect();
  const kafka = createKafka({ brokers: config.kafkaBrokers, clientId: 'channel-delivery', log });
  const prisma = config.databaseUrl ? createPrismaClient(config.databaseUrl, { applicationName: 'channel-delivery' }) : undefined;
  const workers = await startChannelWorkers({ kafka, redis, config: config.workers, log, channels: config.channels, ...(prisma ? { prisma } : {}) });
  const stop = (signal: string): void => {
    log.info({ signal }, 'stopping');
    workers
      .stop()
      .then(() => Promise.all([redis.quit(), prisma?.$disconnect()]))
      .then(
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
