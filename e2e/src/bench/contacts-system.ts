/**
 * The system under test of `npm run bench:contacts`, started by the bench (contacts.ts) in a CHILD
 * process so that its memory is measured apart from the bench driver's (which generates a 7 MB CSV
 * and keeps every latency). Not run by hand.
 *
 * BENCH_TARGET=gateway (default): the whole system (`startTestSystem`: fresh database, gateway, the
 * seven subgraphs, embedded broker, outbox relay, consumers, workers) and a registered OWNER.
 * BENCH_TARGET=subgraph: the contact subgraph alone on its own HTTP server (what a contact service
 * process runs), over a fresh database.
 *
 * IPC with the parent: it sends `ready` (where to send requests, how to authenticate); it answers
 * `outbox` with the contact outbox's counts (and messaging's contact projection size); on `close`
 * it stops everything, drops the database and exits.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { z } from 'zod';
import type { AuthenticatedCaller } from '@switchboard/auth';
import { createLogger, env, loadConfig } from '@switchboard/config';
import type { PrismaClient } from '@switchboard/db';
import { CONTACT_UPLOAD_PATH, contactSubgraph } from '@switchboard/subgraph-contact';
import { startSubgraphServer } from '@switchboard/subgraph-kit';
import { createTestDatabase, registerUser, startTestSystem } from '@switchboard/testkit';

const config = loadConfig(
  z.object({
    REDIS_URL: env.redisUrl,
    BENCH_TARGET: z.enum(['gateway', 'subgraph']).default('gateway'),
  }),
);

/** A caller the gateway would sign for this user (`x-switchboard-caller`); each request adds its own id. */
export type BenchCaller = Omit<AuthenticatedCaller, 'requestId'>;

export type SystemMessage =
  | {
      type: 'ready';
      description: string;
      graphqlUrl: string;
      /** How GraphQL requests authenticate: a bearer token (gateway) or a signed caller header (subgraph). */
      auth: { kind: 'bearer'; token: string } | { kind: 'caller'; secret: string; caller: BenchCaller };
      /**
       * The contact subgraph's streaming CSV upload route, reached directly with the caller header
       * the gateway would sign (the gateway does not proxy it yet).
       */
      upload: { url: string; secret: string; caller: BenchCaller };
      /** Whether an outbox relay runs here (the whole system), so the bench can wait for it to drain. */
      relays: boolean;
    }
  | { type: 'outbox'; unpublished: number; total: number; projected: number | null };

export type ParentMessage = { type: 'outbox' } | { type: 'close' };

const send = (message: SystemMessage) => process.send?.(message);

interface Running {
  prisma: PrismaClient;
  close(): Promise<void>;
}

async function startGatewaySystem(): Promise<Running> {
  // MAX_BODY_BYTES raised so a 100,000-row CSV fits in a GraphQL request (~7–10 MB).
  const system = await startTestSystem({ env: { MAX_BODY_BYTES: String(32 * 1024 * 1024) }, logLevel: 'warn' });
  const owner = await registerUser(system, { organizationName: 'Bench Contacts' });
  const contactOrigin = new URL(system.subgraphUrls.contact as string).origin;
  const caller: BenchCaller = {
    kind: 'user',
    userId: owner.user.id,
    organizationId: owner.organizationId,
    role: owner.role,
    sessionId: randomUUID(),
    tokenId: randomUUID(),
    clientIp: '127.0.0.1',
  };
  send({
    type: 'ready',
    description: 'through the gateway (the whole system in one child process)',
    graphqlUrl: system.gatewayUrl,
    auth: { kind: 'bearer', token: owner.accessToken },
    upload: { url: `${contactOrigin}${CONTACT_UPLOAD_PATH}`, secret: system.secrets.internalSecret, caller },
    relays: system.running.relay !== undefined,
  });
  return { prisma: system.prisma, close: () => system.close() };
}

async function startContactAlone(): Promise<Running> {
  const database = await createTestDatabase({ prefix: 'bench_contacts' });
  const prefix = `sbt:bench:${randomBytes(6).toString('hex')}:`;
  const redis = new Redis(config.REDIS_URL, { keyPrefix: prefix });
  const log = createLogger('bench-contacts', 'warn');
  const internalSecret = randomBytes(32).toString('base64url');
  const definition = contactSubgraph({
    prisma: database.prisma,
    redis,
    log,
    settings: { jwtSecret: 'unused', accessTokenTtlSeconds: 900, refreshTokenTtlSeconds: 86_400, publicUrl: 'http://localhost' },
  });
  const server = await startSubgraphServer({ definition, port: 0, internalSecret, log });
  const caller: BenchCaller = {
    kind: 'user',
    userId: randomUUID(),
    organizationId: randomUUID(),
    role: 'OWNER',
    sessionId: randomUUID(),
    tokenId: randomUUID(),
    clientIp: '127.0.0.1',
  };
  send({
    type: 'ready',
    description: 'against the contact subgraph alone (one child process: its HTTP server, Prisma, Redis)',
    graphqlUrl: server.url,
    auth: { kind: 'caller', secret: internalSecret, caller },
    upload: { url: `${new URL(server.url).origin}${CONTACT_UPLOAD_PATH}`, secret: internalSecret, caller },
    relays: false,
  });
  return {
    prisma: database.prisma,
    async close() {
      await definition.services.imports.drain();
      await server.close();
      const keys = await redis.keys(`${prefix}*`);
      if (keys.length > 0) await redis.del(...keys.map((key) => key.slice(prefix.length)));
      redis.disconnect();
      await database.drop();
    },
  };
}

async function main(): Promise<void> {
  const running = config.BENCH_TARGET === 'gateway' ? await startGatewaySystem() : await startContactAlone();
  process.on('message', (message: ParentMessage) => {
    void (async () => {
      if (message.type === 'outbox') {
        const [counts] = await running.prisma.$queryRaw<{ unpublished: number; total: number }[]>`
          SELECT count(*) FILTER (WHERE published_at IS NULL)::int AS unpublished, count(*)::int AS total FROM contact.outbox`;
        // Bench only: how far messaging's contact projection (fed by contact.changed) has come.
        const projected =
          config.BENCH_TARGET === 'gateway'
            ? ((await running.prisma.$queryRaw<{ n: number }[]>`SELECT count(*)::int AS n FROM messaging.contact_projection`)[0]?.n ?? 0)
            : null;
        send({ type: 'outbox', unpublished: counts?.unpublished ?? 0, total: counts?.total ?? 0, projected });
      } else if (message.type === 'close') {
        await running.close();
        process.exit(0);
      }
    })().catch((error: unknown) => {
      console.error(error);
      process.exit(1);
    });
  });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
