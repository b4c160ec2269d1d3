/* eslint-disable @typescript-eslint/no-explicit-any -- GraphQL responses are untyped JSON here; tests assert their shape. */
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import { Redis } from 'ioredis';
import { z } from 'zod';
import { CALLER_HEADER, signCaller, type Caller, type Role } from '@switchboard/auth';
import { createLogger, env, loadConfig } from '@switchboard/config';
import type { PrismaClient } from '@switchboard/db';
import { contactChanged, createEvent, eventCatalog, templateChanged, type EventOfType, type PayloadOf } from '@switchboard/events';
import { connectProducer, createKafka, type Kafka, type Producer } from '@switchboard/kafka';
import { startBroker, type BrokerHandle } from '@switchboard/kafka-broker';
import { startSubgraphServer, type SubgraphDeps } from '@switchboard/subgraph-kit';
import { createTestDatabase } from '@switchboard/testkit';
import {
  messagingSubgraph,
  startMessagingConsumers,
  type MessagingConsumers,
  type MessagingSubgraphOptions,
  type StartMessagingConsumersOptions,
} from '../src';
import { createMessagingRuntime, type MessagingRuntime } from '../src/services';

export interface GraphQLResult<T = Record<string, any>> {
  status: number;
  data?: T | null;
  errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, any> }[];
}

export interface Member {
  userId: string;
  organizationId: string;
  role: Role;
}

export interface MessagingHarness {
  /** `http://127.0.0.1:<port>`: the messaging server (also its webhooks' public URL). */
  origin: string;
  url: string;
  /** The test database's URL. */
  databaseUrl: string;
  prisma: PrismaClient;
  deps: SubgraphDeps;
  /** The same services the subgraph uses, over the same database (seeding projections, as the consumers do). */
  runtime: MessagingRuntime;
  credentialsKey: string;
  /** Calls the subgraph as the gateway would, for a member of an organization. */
  graphql<T = Record<string, any>>(query: string, variables?: Record<string, unknown>, as?: Member | null): Promise<GraphQLResult<T>>;
  /** A new organization with one member of each role. */
  organization(): { id: string; owner: Member; admin: Member; agent: Member; viewer: Member };
  close(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

const INTERNAL_SECRET = 'internal-secret-for-messaging-subgraph-tests-0123';

/**
 * The suite's messaging subgraph, started before its tests and closed after them: call at the top
 * of a test file, read the harness through the returned function.
 */
export function useMessagingSubgraph(): () => MessagingHarness {
  let harness: MessagingHarness | undefined;
  beforeAll(async () => {
    harness = await startMessagingSubgraph();
  }, 60_000);
  afterAll(async () => {
    await harness?.close();
  });
  return () => {
    if (!harness) throw new Error('the messaging subgraph is not started (use it inside a test)');
    return harness;
  };
}

export async function startMessagingSubgraph(
  options: Omit<MessagingSubgraphOptions, 'webhookPublicUrl' | 'senderCredentialsKey'> = {},
): Promise<MessagingHarness> {
  const config = loadConfig(z.object({ REDIS_URL: env.redisUrl }));
  const database = await createTestDatabase({ prefix: 'messaging', poolSize: 10 });
  const redis = new Redis(config.REDIS_URL, { keyPrefix: `test:messaging:${randomUUID()}:`, lazyConnect: true });
  const log = createLogger('messaging-subgraph-test', 'silent');
  const credentialsKey = randomBytes(32).toString('base64');
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  const deps: SubgraphDeps = {
    prisma: database.prisma,
    redis,
    log,
    settings: {
      jwtSecret: 'jwt-secret-for-messaging-subgraph-tests-0123456789',
      accessTokenTtlSeconds: 900,
      refreshTokenTtlSeconds: 3600,
      publicUrl: 'http://switchboard.test',
      senderCredentialsKey: credentialsKey,
    },
  };
  const full: MessagingSubgraphOptions = { ...options, webhookPublicUrl: origin };
  const definition = messagingSubgraph(deps, full);
  const server = await startSubgraphServer({ definition, port, internalSecret: INTERNAL_SECRET, log });
  const runtime = createMessagingRuntime(deps, full);

  const member = (organizationId: string, role: Role): Member => ({ userId: randomUUID(), organizationId, role });
  return {
    origin,
    url: server.url,
    databaseUrl: database.url,
    prisma: database.prisma,
    deps,
    runtime,
    credentialsKey,
    organization() {
      const id = randomUUID();
      return { id, owner: member(id, 'OWNER'), admin: member(id, 'ADMIN'), agent: member(id, 'AGENT'), viewer: member(id, 'VIEWER') };
    },
    async graphql(query, variables = {}, as = null) {
      const requestId = randomUUID();
      const caller: Caller = as
        ? { kind: 'user', ...as, sessionId: randomUUID(), tokenId: randomUUID(), clientIp: '127.0.0.1', requestId }
        : { kind: 'anonymous', clientIp: '127.0.0.1', requestId };
      const response = await fetch(server.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', [CALLER_HEADER]: signCaller(caller, INTERNAL_SECRET) },
        body: JSON.stringify({ query, variables }),
      });
      const body = (await response.json()) as GraphQLResult<never>;
      return { ...body, status: response.status };
    },
    async close() {
      await server.close();
      redis.disconnect();
      await database.drop();
    },
  };
}

/**
 * An embedded broker beside the harness, with a client and a connected producer. The consumers
 * start when the test says (a throughput figure fills the topic first); close stops them before
 * the producer and the broker. The harness is closed by its owner.
 */
export interface MessagingKafka {
  broker: BrokerHandle;
  kafka: Kafka;
  producer: Producer;
  /** Messaging's consumers on this broker, under group ids of their own (`options` of startMessagingConsumers besides). */
  startConsumers(options?: Pick<StartMessagingConsumersOptions, 'pendingCallbackRetention'>): Promise<MessagingConsumers>;
  close(): Promise<void>;
}

export async function startMessagingKafka(h: MessagingHarness, clientId: string): Promise<MessagingKafka> {
  const broker = await startBroker({ port: 0 });
  const kafka = createKafka({ brokers: [broker.brokers], clientId, log: h.deps.log });
  const { producer } = await connectProducer(kafka);
  let consumers: MessagingConsumers | undefined;
  return {
    broker,
    kafka,
    producer,
    async startConsumers(options = {}) {
      consumers = await startMessagingConsumers({ deps: h.deps, kafka, ensureTopics: { partitions: 2 }, groupIdPrefix: `messaging-${randomUUID()}`, ...options });
      return consumers;
    },
    async close() {
      await consumers?.stop();
      await producer.disconnect();
      await broker.close();
    },
  };
}

export type ContactSeed = Partial<NonNullable<PayloadOf<typeof contactChanged>['contact']>> & { id?: string };

/** A `contact.changed` event as the contact subgraph writes it. */
export function contactEvent(organizationId: string, seed: ContactSeed = {}, change: 'CREATED' | 'UPDATED' | 'DELETED' = 'CREATED') {
  const { id = randomUUID(), ...fields } = seed;
  return createEvent(
    contactChanged,
    {
      contactId: id,
      change,
      contact:
        change === 'DELETED'
          ? null
          : {
              name: 'Casey Customer',
              phone: '+447911123456',
              email: 'casey@example.org',
              whatsappId: '447911123456',
              tags: [],
              consent: { email: 'UNKNOWN', sms: 'UNKNOWN', whatsapp: 'UNKNOWN' },
              updatedAt: new Date().toISOString(),
              ...fields,
            },
    },
    { organizationId },
  ) as EventOfType<'contact.changed'>;
}

type TemplateFields = PayloadOf<typeof templateChanged>['template'];
export type TemplateSeed = Partial<TemplateFields> & { id?: string };

/** A `template.changed` event as the template subgraph writes it (an SMS template by default). */
export function templateEvent(organizationId: string, seed: TemplateSeed = {}) {
  const { id = randomUUID(), ...fields } = seed;
  const versionId = randomUUID();
  return createEvent(
    templateChanged,
    {
      templateId: id,
      change: 'UPDATED',
      template: {
        channel: 'SMS',
        name: 'otp',
        language: null,
        status: 'ACTIVE',
        activeVersionId: versionId,
        latestVersionId: versionId,
        activeVersion: {
          content: { channel: 'SMS', body: 'Hi {{first_name}}, your code is {{code}}' },
          variables: [
            { name: 'first_name', type: 'STRING' },
            { name: 'code', type: 'STRING' },
          ],
        },
        archivedAt: null,
        updatedAt: new Date().toISOString(),
        ...fields,
      },
    },
    { organizationId },
  ) as EventOfType<'template.changed'>;
}

/** Expects exactly one error with the code; returns it. */
/** Reads until `accept` takes the value (every 50 ms), or fails after `timeoutMs` with the last value read. */
export async function eventually<T>(read: () => Promise<T>, accept: (value: T) => boolean, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (accept(value)) return value;
    if (Date.now() > deadline) throw new Error(`condition not met in ${timeoutMs} ms; last value ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export function expectError(result: GraphQLResult, code: string) {
  if (result.errors?.length !== 1 || result.errors[0]?.extensions?.code !== code) {
    throw new Error(`expected one ${code} error, got ${JSON.stringify(result.errors ?? result.data)}`);
  }
  return result.errors[0]!;
}

export const SEND = /* GraphQL */ `
  mutation Send($input: SendMessageInput!) {
    sendMessage(input: $input) {
      message { id status channel direction to from subject body attempts variables contact { id } template { id } sender { id } statusHistory { status source at providerCode } }
    }
  }
`;

export const CREATE_SENDER = /* GraphQL */ `
  mutation CreateSender($input: CreateSenderInput!) {
    createSender(input: $input) { id name kind provider address phoneNumberId businessAccountId displayName hasCredentials credentialsHint rateLimitPerSecond }
  }
`;

export const MESSAGE = /* GraphQL */ `
  query Message($id: ID!) {
    message(id: $id) { id status providerMessageId errorCode errorReason attempts statusHistory { status source providerCode at } }
  }
`;

/**
 * Every row of messaging's outbox, encoded the way the outbox relay encodes it (envelope with the
 * row's id, the catalog's version, created_at as occurredAt): throws if one does not match the catalog.
 */
export async function encodeOutboxLikeTheRelay(prisma: PrismaClient) {
  const rows = await prisma.messagingOutboxEvent.findMany({ orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] });
  return rows.map((row) =>
    eventCatalog.encode({
      id: row.id,
      type: row.type,
      version: eventCatalog.find(row.type)!.version,
      organizationId: row.organizationId,
      occurredAt: row.createdAt.toISOString(),
      traceId: row.traceId,
      payload: row.payload,
    }),
  );
}
