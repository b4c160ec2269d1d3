/* eslint-disable @typescript-eslint/no-explicit-any -- GraphQL responses are untyped JSON here; tests assert their shape. */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { z } from 'zod';
import { CALLER_HEADER, signCaller, type Caller, type Role } from '@switchboard/auth';
import { createLogger, env, loadConfig } from '@switchboard/config';
import type { PrismaClient } from '@switchboard/db';
import { startSubgraphServer } from '@switchboard/subgraph-kit';
import { createTestDatabase } from '@switchboard/testkit';
import { templateSubgraph, type TemplateSubgraphOptions } from '../src';

export interface GraphQLResult<T = Record<string, any>> {
  status: number;
  data?: T | null;
  errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, any> }[];
}

export interface Member {
  caller: Caller;
  organizationId: string;
  userId: string;
}

export interface TemplateSubgraphHarness {
  url: string;
  /** This file's own database (for the outbox relay). */
  databaseUrl: string;
  prisma: PrismaClient;
  redis: Redis;
  /** A caller with `role` in `organizationId` (a new organization by default). */
  member(role: Role, organizationId?: string): Member;
  /** Calls the subgraph as the gateway would, with a signed caller context. */
  graphql<T = Record<string, any>>(query: string, variables: Record<string, unknown>, as: Member | Caller): Promise<GraphQLResult<T>>;
  /** `graphql` for an operation expected to succeed: its one root field, or a throw with the errors. */
  ok(query: string, variables: Record<string, unknown>, as: Member | Caller): Promise<any>;
  close(): Promise<void>;
}

const INTERNAL_SECRET = 'internal-secret-for-template-subgraph-tests-0123456789';

/** The template subgraph on a free port over a fresh database and a private Redis key prefix. */
export async function startTemplateSubgraph(options: TemplateSubgraphOptions = {}): Promise<TemplateSubgraphHarness> {
  const config = loadConfig(z.object({ REDIS_URL: env.redisUrl }));
  const database = await createTestDatabase({ prefix: 'template' });
  const redis = new Redis(config.REDIS_URL, { keyPrefix: `test:template:${randomUUID()}:` });
  const log = createLogger('template-subgraph-test', 'silent');
  const settings = { jwtSecret: 'unused-here', accessTokenTtlSeconds: 900, refreshTokenTtlSeconds: 3600, publicUrl: 'http://switchboard.test' };
  const definition = templateSubgraph({ prisma: database.prisma, redis, log, settings }, options);
  const server = await startSubgraphServer({ definition, port: 0, internalSecret: INTERNAL_SECRET, log });

  const harness: TemplateSubgraphHarness = {
    url: server.url,
    databaseUrl: database.url,
    prisma: database.prisma,
    redis,
    member(role, organizationId = randomUUID()) {
      const userId = randomUUID();
      return {
        organizationId,
        userId,
        caller: { kind: 'user', userId, organizationId, role, sessionId: randomUUID(), tokenId: randomUUID(), clientIp: '127.0.0.1', requestId: randomUUID() },
      };
    },
    async graphql(query, variables, as) {
      const caller = 'caller' in as ? as.caller : as;
      const response = await fetch(server.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', [CALLER_HEADER]: signCaller(caller, INTERNAL_SECRET) },
        body: JSON.stringify({ query, variables }),
      });
      const body = (await response.json()) as GraphQLResult<never>;
      return { ...body, status: response.status };
    },
    async ok(query, variables, as) {
      const result = await harness.graphql(query, variables, as);
      if (result.errors) throw new Error(JSON.stringify(result.errors));
      return Object.values(result.data!)[0];
    },
    async close() {
      await server.close();
      // KEYS patterns are not prefixed by ioredis: match our prefix explicitly, delete through the client.
      const prefix = redis.options.keyPrefix ?? '';
      const keys = prefix ? await redis.keys(`${prefix}*`).catch(() => [] as string[]) : [];
      if (keys.length) await redis.del(...keys.map((k) => k.slice(prefix.length))).catch(() => undefined);
      redis.disconnect();
      await database.drop();
    },
  };
  return harness;
}
