import { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { Redis } from 'ioredis';
import { createLogger, type Logger } from '@switchboard/config';
import { createPrismaClient, migrate, type PrismaClient } from '@switchboard/db';
import { eventCatalog } from '@switchboard/events';
import {
  SUBGRAPH_NAMES,
  composeSupergraph,
  defaultSubgraphUrls,
  readSubgraphSchemaFile,
  startGateway,
  type RunningGateway,
  type SubgraphName,
} from '@switchboard/gateway';
import { createKafka, ensureTopics, parkingTopics, startEmbeddedBrokerIfNeeded, type Kafka, type KafkaEndpoint } from '@switchboard/kafka';
import { startProviderStandIns, type ProviderStandIns } from '@switchboard/provider-stand-ins';
import { startSubgraphServer, type RunningSubgraph, type SubgraphDefinition, type SubgraphDeps, type BaseContext } from '@switchboard/subgraph-kit';
import { campaignSubgraph } from '@switchboard/subgraph-campaign';
import { contactSubgraph, startContactConsumers } from '@switchboard/subgraph-contact';
import { inboxSubgraph } from '@switchboard/subgraph-inbox';
import { messagingSubgraph, startMessagingConsumers, WEBHOOK_PATHS, type MessagingConsumers, type MessagingOptions } from '@switchboard/subgraph-messaging';
import { startTeamConsumers, teamSubgraph } from '@switchboard/subgraph-team';
import { startTemplateConsumers, templateSubgraph } from '@switchboard/subgraph-template';
import { userSubgraph } from '@switchboard/subgraph-user';
import { startChannelWorkers, type ChannelWorkers, type ChannelWorkersConfig } from '@switchboard/worker-channel-delivery';
import { startOutboxRelay, type OutboxRelay } from '@switchboard/worker-outbox-relay';
import type { ServiceName, SystemConfig } from './config';

type SubgraphFactory = (deps: SubgraphDeps) => SubgraphDefinition<BaseContext>;

/** Every subgraph's factory with its default options (the launcher passes messaging its own). */
export const SUBGRAPH_FACTORIES: Record<SubgraphName, SubgraphFactory> = {
  user: (deps) => userSubgraph(deps),
  team: teamSubgraph,
  contact: contactSubgraph,
  template: templateSubgraph,
  campaign: campaignSubgraph,
  inbox: inboxSubgraph,
  messaging: (deps) => messagingSubgraph(deps),
};

/** The Kafka side of a running system. */
export interface SystemKafka {
  /** `host:port` of the brokers (the embedded broker's, or KAFKA_BROKERS). */
  brokers: string[];
  /** True when this process runs the embedded broker. */
  embedded: boolean;
  client: Kafka;
  /**
   * Embedded broker only: stops it (an outage drill — clients retry until it is back) and starts
   * it again on the same port and data directory. A broker without a data directory restarts empty.
   */
  stopBroker(): Promise<void>;
  startBroker(): Promise<void>;
}

/** Where providers and workers are pointed (the stand-ins, or the configured accounts). */
export interface ProviderSettings {
  /** Base URL providers call for webhooks (`…/webhooks/twilio/status` …). */
  webhookPublicUrl: string;
  twilio: { accountSid: string; authToken: string; apiUrl: string; statusCallbackUrl: string } | undefined;
  whatsapp: { token: string | undefined; apiUrl: string; apiVersion: string; appSecret: string; verifyToken: string } | undefined;
  smtpUrl: string | undefined;
}

export interface RunningSystem {
  /** `http://host:port/graphql` of the gateway (undefined when this process runs no gateway). */
  gatewayUrl: string | undefined;
  wsUrl: string | undefined;
  graphiqlUrl: string | undefined;
  /** The base URL users (and, by default, providers) reach. */
  publicUrl: string;
  /** The gateway, when this process runs it. */
  gateway: RunningGateway | undefined;
  /** The subgraphs running in this process. */
  subgraphs: RunningSubgraph[];
  /** Where the gateway reaches each subgraph. */
  subgraphUrls: Record<string, string>;
  prisma: PrismaClient;
  redis: Redis;
  log: Logger;
  /** Undefined when no part of this process uses Kafka. */
  kafka: SystemKafka | undefined;
  /** The local provider stand-ins, when this process runs them (no provider credentials configured). */
  standIns: ProviderStandIns | undefined;
  providers: ProviderSettings;
  relay: OutboxRelay | undefined;
  messagingConsumers: MessagingConsumers | undefined;
  channelWorkers: ChannelWorkers | undefined;
  close(): Promise<void>;
}

/** Repository root, from packages/launcher/{src,dist}. */
const REPO_ROOT = join(__dirname, '..', '..', '..');

/** Verify token of the WhatsApp stand-in's webhook handshake (not a secret: it opens a local stand-in). */
const STAND_IN_VERIFY_TOKEN = 'stand-in-whatsapp-verify-token';

/**
 * Shutdown stages, lowest first: the door closes, then the background consumers commit and leave,
 * then the relay finishes its batch, then what they talk to goes away.
 */
const STAGE = { gateway: 0, subgraphs: 1, consumers: 2, relay: 3, standIns: 4, broker: 5, stores: 6 } as const;

/**
 * Binds the gateway's port before anything else starts (providers are told the public URL up
 * front) and keeps it bound: the gateway later serves on this very server, so no other process
 * can take the port in between.
 */
async function bindGatewayServer(port: number, host: string): Promise<Server> {
  const server = new Server();
  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolveListen();
    });
  });
  return server;
}

const displayHost = (host: string): string => (host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host);
const trimSlash = (url: string): string => url.replace(/\/+$/u, '');

/** Schemas of the configured list that have an `outbox` table (the others are skipped, with a note). */
async function outboxSchemas(prisma: PrismaClient, wanted: readonly string[], log: Logger): Promise<string[]> {
  const rows = await prisma.$queryRaw<{ schema: string }[]>`
    SELECT table_schema AS schema FROM information_schema.tables WHERE table_name = 'outbox' AND table_type = 'BASE TABLE'`;
  const present = new Set(rows.map((row) => row.schema));
  const schemas = wanted.filter((schema) => present.has(schema));
  const skipped = wanted.filter((schema) => !present.has(schema));
  if (skipped.length > 0) log.info({ skipped }, 'schemas without an outbox table are not relayed');
  return schemas;
}

/** Every catalog topic, plus the parking topics of the consumers this system runs. */
function systemTopics(): string[] {
  const topics = eventCatalog.topics();
  return [...topics, ...parkingTopics(topics), 'outbox.unreadable'];
}

/**
 * Starts the parts of Switchboard this process runs (`config.services`, everything by default):
 * applies pending migrations; creates the one Prisma client and one Redis client; connects to
 * Kafka (starting the embedded broker when KAFKA_BROKERS is unset) and creates the topics; starts
 * the provider stand-ins when no provider credentials are configured (outside production); the
 * seven subgraphs; the gateway (which also proxies `/webhooks/*` to messaging); messaging's
 * consumers, the outbox relay and the channel workers. `close()` stops them in the order
 * gateway → subgraphs → consumers and workers → relay → stand-ins → broker → Redis/PostgreSQL.
 */
export async function startSystem(config: SystemConfig, options: { log?: Logger } = {}): Promise<RunningSystem> {
  const log = options.log ?? createLogger('switchboard', config.logLevel);
  const runs = (name: ServiceName) => config.services.includes(name);
  const started: { name: string; stage: number; stop: () => Promise<void> }[] = [];
  const closeAll = async () => {
    const parts = started.splice(0);
    const stages = [...new Set(parts.map((part) => part.stage))].sort((a, b) => a - b);
    for (const stage of stages) {
      // Within a stage, parts stop together (latest started first when it matters is irrelevant here).
      await Promise.all(
        parts
          .filter((part) => part.stage === stage)
          .reverse()
          .map(({ name, stop }) =>
            stop().then(
              () => log.debug({ part: name }, 'stopped'),
              (error: unknown) => log.error({ err: error, part: name }, 'error while stopping'),
            ),
          ),
      );
    }
  };

  try {
    if (config.migrateOnStart) {
      await migrate(config.databaseUrl, { log: (message) => log.info(message) });
    }
    // Named after the roles it runs, so pg_stat_activity tells the processes of a split deployment apart.
    const applicationName = `switchboard ${config.services.join(',')}`.slice(0, 63);
    const prisma = createPrismaClient(config.databaseUrl, { applicationName, poolSize: config.databasePoolSize });
    started.push({ name: 'postgres', stage: STAGE.stores, stop: () => prisma.$disconnect() });
    // Auto-pipelining: commands issued in the same tick (concurrent requests and handlers) share one write.
    const redis = new Redis(config.redisUrl, {
      keyPrefix: config.redisKeyPrefix,
      lazyConnect: true,
      maxRetriesPerRequest: 3,
      enableAutoPipelining: true,
    });
    redis.on('error', (error) => log.warn({ err: error }, 'redis connection error'));
    started.push({
      name: 'redis',
      stage: STAGE.stores,
      stop: async () => {
        await redis.quit().catch(() => redis.disconnect());
      },
    });
    await redis.connect();

    // The gateway's address is needed before it starts: providers are told the public URL.
    const runsGateway = runs('gateway');
    const gatewayServer = runsGateway ? await bindGatewayServer(config.port, config.host) : undefined;
    if (gatewayServer) {
      // Until the gateway takes it over (it then closes it itself), the server is ours to close.
      started.push({ name: 'gateway-port', stage: STAGE.gateway, stop: () => new Promise((done) => gatewayServer.close(() => done())) });
    }
    const gatewayPort = gatewayServer ? (gatewayServer.address() as AddressInfo).port : config.port;
    const gatewayBase = `http://${displayHost(config.host)}:${gatewayPort}`;
    const publicUrl = trimSlash(config.publicUrlConfigured || config.port !== 0 ? config.publicUrl : gatewayBase);
    const webhookPublicUrl = trimSlash(config.webhookPublicUrl ?? publicUrl);

    // Kafka: the embedded broker unless KAFKA_BROKERS names a cluster.
    const usesKafka = runsGateway || runs('outbox-relay') || runs('consumers') || runs('channel-delivery');
    let kafka: SystemKafka | undefined;
    if (usesKafka) {
      const dataDir = config.kafka.dataDir === undefined ? undefined : resolve(config.kafka.dataDir);
      let endpoint: KafkaEndpoint = await startEmbeddedBrokerIfNeeded(config.kafka.brokers, dataDir, { port: config.kafka.port, log });
      const brokers = endpoint.brokers;
      const port = Number(brokers[0]?.split(':').pop());
      let running = true;
      const client = createKafka({ brokers, clientId: 'switchboard', log });
      kafka = {
        brokers,
        embedded: endpoint.embedded,
        client,
        stopBroker: async () => {
          if (!endpoint.embedded || !running) return;
          running = false;
          await endpoint.close();
        },
        startBroker: async () => {
          if (!endpoint.embedded || running) return;
          endpoint = await startEmbeddedBrokerIfNeeded(undefined, dataDir, { port, log });
          running = true;
        },
      };
      started.push({ name: 'kafka-broker', stage: STAGE.broker, stop: () => (running ? endpoint.close() : Promise.resolve()) });
      const admin = client.admin();
      await admin.connect();
      try {
        const created = await ensureTopics(admin, systemTopics(), config.kafka.topicPartitions);
        if (created.length > 0) log.info({ topics: created.length, partitions: config.kafka.topicPartitions }, 'created Kafka topics');
      } finally {
        await admin.disconnect();
      }
    }

    // Providers: the configured accounts, or local stand-ins that behave like them.
    const needsProviders = runs('messaging') || runs('channel-delivery');
    let standIns: ProviderStandIns | undefined;
    if (needsProviders && config.providers.noneConfigured && config.nodeEnv !== 'production') {
      const webhookTarget = runsGateway ? gatewayBase : webhookPublicUrl;
      standIns = await startProviderStandIns({
        log: log.child({ component: 'provider-stand-ins' }),
        twilio: {
          callbackDelayMs: config.standIns.callbackDelayMs,
          inboundWebhookUrl: `${webhookPublicUrl}${WEBHOOK_PATHS.twilioInbound}`,
          // Signed over the public StatusCallback URL, delivered to this process's gateway.
          ...(runsGateway ? { statusCallbackBase: gatewayBase } : {}),
        },
        whatsapp: { callbackDelayMs: config.standIns.callbackDelayMs, webhookUrl: `${webhookTarget}${WEBHOOK_PATHS.whatsapp}` },
      });
      const running = standIns;
      started.push({ name: 'provider-stand-ins', stage: STAGE.standIns, stop: () => running.close() });
      log.info(
        { twilio: standIns.twilio.url, whatsapp: standIns.whatsapp.url, smtp: `${standIns.smtp.host}:${standIns.smtp.port}`, control: standIns.control.url },
        'no provider credentials configured: local provider stand-ins are running',
      );
    }
    const twilioAccount = config.providers.twilio ?? (standIns ? { accountSid: standIns.twilio.accountSid, authToken: standIns.twilio.authToken } : undefined);
    const providers: ProviderSettings = {
      webhookPublicUrl,
      twilio: twilioAccount && {
        ...twilioAccount,
        apiUrl: standIns?.twilio.url ?? config.providers.twilioApiUrl,
        statusCallbackUrl: `${webhookPublicUrl}${WEBHOOK_PATHS.twilioStatus}`,
      },
      whatsapp: standIns
        ? {
            token: standIns.whatsapp.token,
            apiUrl: standIns.whatsapp.url,
            apiVersion: config.providers.whatsappApiVersion,
            appSecret: standIns.whatsapp.appSecret,
            verifyToken: STAND_IN_VERIFY_TOKEN,
          }
        : config.providers.whatsappWebhook && {
            token: config.providers.whatsapp?.token,
            apiUrl: config.providers.whatsappApiUrl,
            apiVersion: config.providers.whatsappApiVersion,
            ...config.providers.whatsappWebhook,
          },
      smtpUrl: standIns ? `smtp://${standIns.smtp.host}:${standIns.smtp.port}?ignoreTLS=true` : config.providers.smtpUrl,
    };

    const deps: SubgraphDeps = {
      prisma,
      redis,
      log,
      settings: {
        jwtSecret: config.jwtSecret,
        accessTokenTtlSeconds: config.accessTokenTtlSeconds,
        refreshTokenTtlSeconds: config.refreshTokenTtlSeconds,
        publicUrl,
        ...(config.senderCredentialsKey ? { senderCredentialsKey: config.senderCredentialsKey } : {}),
      },
    };
    const messagingOptions: MessagingOptions = {
      ...(config.senderCredentialsKey ? { senderCredentialsKey: config.senderCredentialsKey } : {}),
      webhookPublicUrl,
      twilio: providers.twilio ? { accountSid: providers.twilio.accountSid, authToken: providers.twilio.authToken, apiBaseUrl: providers.twilio.apiUrl } : null,
      whatsapp: providers.whatsapp ? { appSecret: providers.whatsapp.appSecret, verifyToken: providers.whatsapp.verifyToken } : null,
    };
    const factories: Record<SubgraphName, SubgraphFactory> = {
      ...SUBGRAPH_FACTORIES,
      messaging: (subgraphDeps) => messagingSubgraph(subgraphDeps, messagingOptions),
    };

    const subgraphs: RunningSubgraph[] = [];
    const localNames = SUBGRAPH_NAMES.filter((name) => runs(name));
    for (const name of localNames) {
      const index = SUBGRAPH_NAMES.indexOf(name);
      const running = await startSubgraphServer({
        definition: factories[name](deps),
        port: config.subgraphPortBase === 0 ? 0 : config.subgraphPortBase + index,
        host: config.subgraphHost,
        internalSecret: config.internalSecret,
        log,
      });
      subgraphs.push(running);
      started.push({ name: `subgraph:${name}`, stage: STAGE.subgraphs, stop: () => running.close() });
    }

    const subgraphUrls: Record<string, string> = {
      ...defaultSubgraphUrls(config.subgraphHost, config.subgraphPortBase),
      ...config.subgraphUrls,
      ...Object.fromEntries(subgraphs.map((s) => [s.name, s.url])),
    };

    let gateway: RunningGateway | undefined;
    if (runsGateway) {
      const subgraphList = SUBGRAPH_NAMES.map((name) => ({ name, url: subgraphUrls[name] as string }));
      const supergraph =
        config.supergraphMode === 'introspect'
          ? ({ mode: 'introspect' } as const)
          : ({
              mode: 'static',
              sdl: composeSupergraph(subgraphList.map((s) => ({ ...s, typeDefs: readSubgraphSchemaFile(REPO_ROOT, s.name) }))),
            } as const);
      gateway = await startGateway({
        port: gatewayPort,
        ...(gatewayServer ? { server: gatewayServer } : {}),
        host: config.host,
        subgraphs: subgraphList,
        supergraph,
        jwtSecret: config.jwtSecret,
        internalSecret: config.internalSecret,
        redis,
        ...(kafka ? { kafka: kafka.client } : {}),
        webhooks: { upstream: new URL(subgraphUrls.messaging as string).origin },
        uploads: { upstream: new URL(subgraphUrls.contact as string).origin },
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
      started.push({ name: 'gateway', stage: STAGE.gateway, stop: () => running.close() });
    }

    // Every subgraph's background consumers (role `consumers`): messaging's statuses and projections,
    // contact's inbound-message contacts and consent keywords, template's provider review statuses,
    // team's projection of organization membership.
    let messagingConsumers: MessagingConsumers | undefined;
    if (runs('consumers') && kafka) {
      const concurrency = config.consumerConcurrency;
      messagingConsumers = await startMessagingConsumers({ deps, kafka: kafka.client, options: messagingOptions, concurrency });
      const messaging = messagingConsumers;
      started.push({ name: 'consumers:messaging', stage: STAGE.consumers, stop: () => messaging.stop() });
      const contact = await startContactConsumers({ kafka: kafka.client, prisma, redis, log, concurrency });
      started.push({ name: 'consumers:contact', stage: STAGE.consumers, stop: () => contact.stop() });
      const template = await startTemplateConsumers({ kafka: kafka.client, prisma, redis, log, concurrency });
      started.push({ name: 'consumers:template', stage: STAGE.consumers, stop: () => template.stop() });
      const team = await startTeamConsumers({ kafka: kafka.client, prisma, redis, log, concurrency });
      started.push({ name: 'consumers:team', stage: STAGE.consumers, stop: () => team.stop() });
    }

    let relay: OutboxRelay | undefined;
    if (runs('outbox-relay') && kafka) {
      const schemas = await outboxSchemas(prisma, config.outbox.schemas, log);
      if (schemas.length > 0) {
        relay = await startOutboxRelay({
          databaseUrl: config.databaseUrl,
          kafka: kafka.client,
          schemas,
          log,
          batchSize: config.outbox.batchSize,
          pollIntervalMs: config.outbox.pollIntervalMs,
          retention: { hours: config.outbox.retentionHours },
        });
        const running = relay;
        started.push({ name: 'outbox-relay', stage: STAGE.relay, stop: () => running.stop() });
      }
    }

    let channelWorkers: ChannelWorkers | undefined;
    if (runs('channel-delivery') && kafka) {
      if (!config.senderCredentialsKey) throw new Error('the channel workers need SENDER_CREDENTIALS_KEY');
      const timeoutMs = config.providers.timeoutMs;
      const workersConfig: ChannelWorkersConfig = {
        accounts: {
          ...(providers.smtpUrl ? { smtp: { url: providers.smtpUrl, timeoutMs } } : {}),
          twilio: {
            ...(providers.twilio ? { accountSid: providers.twilio.accountSid, authToken: providers.twilio.authToken } : {}),
            apiBaseUrl: providers.twilio?.apiUrl ?? config.providers.twilioApiUrl,
            statusCallbackUrl: `${webhookPublicUrl}${WEBHOOK_PATHS.twilioStatus}`,
            timeoutMs,
          },
          metaCloud: {
            ...(providers.whatsapp?.token ? { accessToken: providers.whatsapp.token } : {}),
            apiBaseUrl: providers.whatsapp?.apiUrl ?? config.providers.whatsappApiUrl,
            apiVersion: config.providers.whatsappApiVersion,
            timeoutMs,
          },
        },
        senderCredentialsKey: config.senderCredentialsKey,
        retry: config.delivery.retry,
        concurrency: config.delivery.concurrency,
      };
      channelWorkers = await startChannelWorkers({ kafka: kafka.client, redis, config: workersConfig, log, prisma });
      const running = channelWorkers;
      started.push({ name: 'channel-delivery', stage: STAGE.consumers, stop: () => running.stop() });
    }

    return {
      gatewayUrl: gateway?.url,
      wsUrl: gateway?.wsUrl,
      graphiqlUrl: gateway?.graphiqlUrl,
      publicUrl,
      gateway,
      subgraphs,
      subgraphUrls,
      prisma,
      redis,
      log,
      kafka,
      standIns,
      providers,
      relay,
      messagingConsumers,
      channelWorkers,
      close: closeAll,
    };
  } catch (error) {
    await closeAll();
    throw error;
  }
}
