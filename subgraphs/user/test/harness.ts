/* eslint-disable @typescript-eslint/no-explicit-any -- GraphQL responses are untyped JSON here; tests assert their shape. */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { z } from 'zod';
import { CALLER_HEADER, signCaller, verifyAccessToken, type Caller } from '@switchboard/auth';
import { createLogger, env, loadConfig } from '@switchboard/config';
import type { PrismaClient } from '@switchboard/db';
import { startSubgraphServer, type SystemSettings } from '@switchboard/subgraph-kit';
import { createTestDatabase } from '@switchboard/testkit';
import { userSubgraph, type UserSubgraphOptions } from '../src';

export interface GraphQLResult<T = Record<string, any>> {
  status: number;
  data?: T | null;
  errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, any> }[];
}

export interface UserSubgraphHarness {
  url: string;
  prisma: PrismaClient;
  redis: Redis;
  settings: SystemSettings;
  /**
   * Calls the subgraph as the gateway would: the access token (if any) becomes a signed caller
   * context. The gateway's own checks (revocation in Redis) are not part of this harness.
   */
  graphql<T = Record<string, any>>(
    query: string,
    variables?: Record<string, unknown>,
    options?: { token?: string; clientIp?: string },
  ): Promise<GraphQLResult<T>>;
  close(): Promise<void>;
}

const INTERNAL_SECRET = 'internal-secret-for-user-subgraph-tests-0123456789';

/** The user subgraph on a free port over a fresh database and a private Redis key prefix. */
export async function startUserSubgraph(options: UserSubgraphOptions = {}): Promise<UserSubgraphHarness> {
  const config = loadConfig(z.object({ REDIS_URL: env.redisUrl }));
  const database = await createTestDatabase({ prefix: 'user' });
  const redis = new Redis(config.REDIS_URL, { keyPrefix: `test:user:${randomUUID()}:`, lazyConnect: false });
  const settings: SystemSettings = {
    jwtSecret: 'jwt-secret-for-user-subgraph-tests-0123456789',
    accessTokenTtlSeconds: 900,
    refreshTokenTtlSeconds: 30 * 24 * 3600,
    publicUrl: 'http://switchboard.test',
  };
  const log = createLogger('user-subgraph-test', 'silent');
  const definition = userSubgraph({ prisma: database.prisma, redis, log, settings }, options);
  const server = await startSubgraphServer({ definition, port: 0, internalSecret: INTERNAL_SECRET, log });

  return {
    url: server.url,
    prisma: database.prisma,
    redis,
    settings,
    async graphql(query, variables = {}, { token, clientIp = '127.0.0.1' } = {}) {
      const requestId = randomUUID();
      let caller: Caller = { kind: 'anonymous', clientIp, requestId };
      if (token) {
        const claims = verifyAccessToken(token, settings.jwtSecret);
        caller = { kind: 'user', ...claims, clientIp, requestId };
      }
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
