import { join } from 'node:path';
import { Redis } from 'ioredis';
import { createLogger, type Logger } from '@switchboard/config';
import { createPrismaClient, migrate, type PrismaClient } from '@switchboard/db';
import {
  SUBGRAPH_NAMES,
  composeSupergraph,
  defaultSubgraphUrls,
  readSubgraphSchemaFile,
  startGateway,
  type RunningGateway,
  type SubgraphName,
} from '@switchboard/gateway';
import { startSubgraphServer, type RunningSubgraph, type SubgraphDefinition, type SubgraphDeps, type BaseContext } from '@switchboard/subgraph-kit';
import { campaignSubgraph } from '@switchboard/subgraph-campaign';
import { contactSubgraph } from '@switchboard/subgraph-contact';
import { inboxSubgraph } from '@switchboard/subgraph-inbox';
import { messagingSubgraph } from '@switchboard/subgraph-messaging';
import { teamSubgraph } from '@switchboard/subgraph-team';
import { templateSubgraph } from '@switchboard/subgraph-template';
import { userSubgraph } from '@switchboard/subgraph-user';
import type { SystemConfig } from './config';

type SubgraphFactory = (deps: SubgraphDeps) => SubgraphDefinition<BaseContext>;

/** Every subgraph's factory; each gets the same dependencies. */
export const SUBGRAPH_FACTORIES: Record<SubgraphName, SubgraphFactory> = {
  user: (deps) => userSubgraph(deps),
  team: teamSubgraph,
  contact: contactSubgraph,
  template: templateSubgraph,
  campaign: campaignSubgraph,
  inbox: inboxSubgraph,
  messaging: messagingSubgraph,
};

export interface RunningSystem {
  /** `http://host:port/graphql` of the gateway (undefined when this process runs no gateway). */
  gatewayUrl: string | undefined;
  wsUrl: string | undefined;
  graphiqlUrl: string | undefined;
  /** The subgraphs running in this process. */
  subgraphs: RunningSubgraph[];
  /** Where the gateway reaches each subgraph. */
  subgraphUrls: Record<string, string>;
  prisma: PrismaClient;
  redis: Redis;
  log: Logger;
  close(): Promise<void>;
}

/** Repository root, from packages/launcher/{src,dist}. */
const REPO_ROOT = join(__dirname, '..', '..', '..');

/**
 * Starts the parts of Switchboard this process runs (`config.services`, everything by default):
 * applies pending migrations, creates the one Prisma client and one Redis client, starts each
 * subgraph on its own port, composes the supergraph from the subgraphs' schema files and starts
 * the gateway in front of them. `close()` stops everything in reverse order.
 */
export async function startSystem(config: SystemConfig, options: { log?: Logger } = {}): Promise<RunningSystem> {
  const log = options.log ?? createLogger('switchboard', config.logLevel);
  const started: { name: string; stop: () => Promise<void> }[] = [];
  const closeAll = async () => {
    for (const { name, stop } of started.reverse()) {
      await stop().then(
        () => log.debug({ part: name }, 'stopped'),
        (error: unknown) => log.error({ err: error, part: name }, 'error while stopping'),
      );
    }
    started.length = 0;
  };

  try {
    if (config.migrateOnStart) {
      await migrate(config.databaseUrl, { log: (message) => log.info(message) });
    }
    const prisma = createPrismaClient(config.databaseUrl, { applicationName: 'switchboard' });
    started.push({ name: 'postgres', stop: () => prisma.$disconnect() });
    const redis = new Redis(config.redisUrl, { keyPrefix: config.redisKeyPrefix, lazyConnect: true, maxRetriesPerRequest: 3 });
    redis.on('error', (error) => log.warn({ err: error }, 'redis connection error'));
    started.push({
      name: 'redis',
      stop: async () => {
        await redis.quit().catch(() => redis.disconnect());
      },
    });
    await redis.connect();

    const deps: SubgraphDeps = {
      prisma,
      redis,
      log,
      settings: {
        jwtSecret: config.jwtSecret,
        accessTokenTtlSeconds: config.accessTokenTtlSeconds,
        refreshTokenTtlSeconds: config.refreshTokenTtlSeconds,
        publicUrl: config.publicUrl,
      },
    };

    const subgraphs: RunningSubgraph[] = [];
    const localNames = SUBGRAPH_NAMES.filter((name) => config.services.includes(name));
    for (const name of localNames) {
      const index = SUBGRAPH_NAMES.indexOf(name);
      const running = await startSubgraphServer({
        definition: SUBGRAPH_FACTORIES[name](deps),
        port: config.subgraphPortBase === 0 ? 0 : config.subgraphPortBase + index,
        host: config.subgraphHost,
        internalSecret: config.internalSecret,
        log,
      });
      subgraphs.push(running);
      started.push({ name: `subgraph:${name}`, stop: () => running.close() });
    }

    const subgraphUrls: Record<string, string> = {
      ...defaultSubgraphUrls(config.subgraphHost, config.subgraphPortBase),
      ...config.subgraphUrls,
      ...Object.fromEntries(subgraphs.map((s) => [s.name, s.url])),
    };

    let gateway: RunningGateway | undefined;
    if (config.services.includes('gateway')) {
      const subgraphList = SUBGRAPH_NAMES.map((name) => ({ name, url: subgraphUrls[name] as string }));
      const supergraph =
        config.supergraphMode === 'introspect'
          ? ({ mode: 'introspect' } as const)
          : ({
              mode: 'static',
              sdl: composeSupergraph(subgraphList.map((s) => ({ ...s, typeDefs: readSubgraphSchemaFile(REPO_ROOT, s.name) }))),
            } as const);
      gateway = await startGateway({
        port: config.port,
        host: config.host,
        subgraphs: subgraphList,
        supergraph,
        jwtSecret: config.jwtSecret,
        internalSecret: config.internalSecret,
        redis,
        limits: {
          maxDepth: config.queryDepthLimit,
          maxCost: config.queryCostLimit,
          maxBodyBytes: config.maxBodyBytes,
          subscriptionQueueSize: config.subscriptionQueueSize,
        },
        trustProxy: config.trustProxy,
        corsOrigins: config.corsOrigins,
        nodeEnv: config.nodeEnv,
        readinessChecks: { postgres: () => prisma.$queryRaw`select 1` },
        log: log.child({ component: 'gateway' }),
      });
      const running = gateway;
      started.push({ name: 'gateway', stop: () => running.close() });
    }

    return {
      gatewayUrl: gateway?.url,
      wsUrl: gateway?.wsUrl,
      graphiqlUrl: gateway?.graphiqlUrl,
      subgraphs,
      subgraphUrls,
      prisma,
      redis,
      log,
      close: closeAll,
    };
  } catch (error) {
    await closeAll();
    throw error;
  }
}
