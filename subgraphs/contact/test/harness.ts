import { randomBytes, randomUUID } from 'node:crypto';
import { PrismaPg } from '@prisma/adapter-pg';
import { Redis } from 'ioredis';
import { signCaller, CALLER_HEADER, type Role } from '@switchboard/auth';
import { createLogger } from '@switchboard/config';
import { PrismaClient } from '@switchboard/db';
import { startSubgraphServer, type RunningSubgraph } from '@switchboard/subgraph-kit';
import { createTestDatabase, type TestDatabase } from '@switchboard/testkit';
import { contactSubgraph, type ContactSubgraphDefinition, type ContactSubgraphOptions } from '../src';

/** Response data as the tests read it: shapes are asserted, not typed. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;

export interface GraphQLResult<T = Json> {
  status: number;
  data?: T | null;
  errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, Json> }[];
}

export interface Member {
  organizationId: string;
  userId: string;
  role: Role;
  /** `requestId`: the caller's request id (the trace id of the events the request writes); random by default. */
  graphql<T = Json>(query: string, variables?: Record<string, unknown>, options?: { requestId?: string }): Promise<GraphQLResult<T>>;
  /** The signed caller header the gateway would send for this member (raw routes). */
  callerHeader(requestId?: string): Record<string, string>;
}

/**
 * The contact subgraph on its own HTTP server, reached the way the gateway reaches it (a signed
 * caller header), over an isolated database and a Redis key prefix of its own. Every SQL statement
 * the subgraph sends is recorded (Prisma query events), so tests can count them.
 */
export interface ContactHarness {
  url: string;
  /** `http://127.0.0.1:<port>` of the subgraph server (raw routes). */
  origin: string;
  database: TestDatabase;
  prisma: PrismaClient;
  redis: Redis;
  definition: ContactSubgraphDefinition;
  /** SQL statements sent since the last reset. */
  queries: string[];
  /** Their durations in ms, in the same order. */
  durations: number[];
  member(role: Role, organizationId?: string): Member;
  /** Waits for every background import of this process. */
  drainImports(): Promise<void>;
  close(): Promise<void>;
}

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

export async function startContactHarness(options: ContactSubgraphOptions = {}): Promise<ContactHarness> {
  const database = await createTestDatabase({ prefix: 'contact' });
  const prisma = new PrismaClient({
    adapter: new PrismaPg({ connectionString: database.url, max: 5 }),
    log: [{ emit: 'event', level: 'query' }],
  });
  const queries: string[] = [];
  const durations: number[] = [];
  prisma.$on('query', (event) => {
    queries.push(event.query);
    durations.push(Number(event.duration));
  });
  const prefix = `sbt:contact:${randomBytes(6).toString('hex')}:`;
  const redis = new Redis(REDIS_URL, { keyPrefix: prefix, lazyConnect: true });
  await redis.connect();
  const log = createLogger('contact-test', 'silent');
  const internalSecret = randomBytes(32).toString('base64url');
  const definition = contactSubgraph(
    {
      prisma,
      redis,
      log,
      settings: { jwtSecret: 'unused', accessTokenTtlSeconds: 900, refreshTokenTtlSeconds: 86_400, publicUrl: 'http://localhost' },
    },
    options,
  );
  const server: RunningSubgraph = await startSubgraphServer({ definition, port: 0, internalSecret, log });

  const member = (role: Role, organizationId: string = randomUUID()): Member => {
    const userId = randomUUID();
    const sign = (requestId: string) =>
      signCaller(
        { kind: 'user', userId, organizationId, role, sessionId: randomUUID(), tokenId: randomUUID(), clientIp: '127.0.0.1', requestId },
        internalSecret,
      );
    return {
      organizationId,
      userId,
      role,
      callerHeader: (requestId = randomUUID()) => ({ [CALLER_HEADER]: sign(requestId) }),
      async graphql(query, variables, options = {}) {
        const header = sign(options.requestId ?? randomUUID());
        const response = await fetch(server.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', [CALLER_HEADER]: header },
          body: JSON.stringify({ query, variables }),
        });
        const text = await response.text();
        try {
          return { status: response.status, ...(JSON.parse(text) as object) };
        } catch {
          throw new Error(`Subgraph answered ${response.status} with a non-JSON body: ${text.slice(0, 200)}`);
        }
      },
    };
  };

  return {
    url: server.url,
    origin: new URL(server.url).origin,
    database,
    prisma,
    redis,
    definition,
    queries,
    durations,
    member,
    drainImports: () => definition.services.imports.drain(),
    async close() {
      await definition.services.imports.drain();
      await server.close();
      await prisma.$disconnect();
      const keys = await redis.keys('*');
      // keys() returns prefixed names; del() prefixes again, so strip the prefix.
      if (keys.length > 0) await redis.del(...keys.map((key) => key.slice(prefix.length)));
      redis.disconnect();
      await database.drop();
    },
  };
}

/** One organization seen by three of its roles, so a test can compare what each may do. */
export interface ContactTeam {
  harness: ContactHarness;
  admin: Member;
  agent: Member;
  viewer: Member;
}

export async function startContactTeam(options: ContactSubgraphOptions = {}): Promise<ContactTeam> {
  const harness = await startContactHarness(options);
  const admin = harness.member('ADMIN');
  return { harness, admin, agent: harness.member('AGENT', admin.organizationId), viewer: harness.member('VIEWER', admin.organizationId) };
}

/** Waits for an import job to finish, polling through the API. */
export async function waitForImport(member: Member, jobId: string, timeoutMs = 60_000): Promise<Json> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const result = await member.graphql(
      `query Job($id: ID!) { importJob(id: $id) { id status totalRows processedRows createdCount updatedCount failedCount
        failureReason errors { row line field reason message } startedAt finishedAt } }`,
      { id: jobId },
    );
    const job = result.data?.importJob;
    if (!job) throw new Error(`importJob failed: ${JSON.stringify(result.errors)}`);
    if (job.status === 'COMPLETED' || job.status === 'FAILED') return job;
    if (Date.now() > deadline) throw new Error(`import ${jobId} still ${job.status} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export const CONTACT_FIELDS = `id name phone email whatsappId tags attributes favourite
  consent { channel status source updatedAt } createdAt updatedAt`;
