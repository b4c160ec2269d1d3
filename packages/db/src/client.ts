import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';

import { parseDatabaseUrl } from './database-url';
import { Prisma, PrismaClient } from './generated/prisma/client';

export interface CreatePrismaClientOptions {
  /** Maximum connections of the client's pg pool (default 10). */
  poolSize?: number;
  /** How long to wait for a free connection before failing, in ms (default 10 000). */
  connectionTimeoutMillis?: number;
  /** Idle connections are closed after this many ms (default 30 000). */
  idleTimeoutMillis?: number;
  /** `application_name` shown in pg_stat_activity. */
  applicationName?: string;
  /** Prisma log levels to emit (as events / stdout, see Prisma's `log` option). */
  log?: Prisma.LogLevel[];
}

/**
 * A Prisma client over @prisma/adapter-pg with its own pg pool. `$disconnect()` ends the pool.
 * Nothing connects until the first query.
 */
export function createPrismaClient(databaseUrl: string, options: CreatePrismaClientOptions = {}): PrismaClient {
  parseDatabaseUrl(databaseUrl);
  const pool = new pg.Pool({
    connectionString: databaseUrl,
    max: options.poolSize ?? 10,
    connectionTimeoutMillis: options.connectionTimeoutMillis ?? 10_000,
    idleTimeoutMillis: options.idleTimeoutMillis ?? 30_000,
    ...(options.applicationName ? { application_name: options.applicationName } : {}),
  });
  const adapter = new PrismaPg(pool, { disposeExternalPool: true });
  const client = new PrismaClient({ adapter, ...(options.log ? { log: options.log } : {}) });
  pools.set(client, pool);
  return client;
}

const pools = new WeakMap<PrismaClient, pg.Pool>();

/**
 * The pg pool under a client made by `createPrismaClient`, for hot paths written in plain SQL
 * (one statement where Prisma would take several): same connections, same limits. Ended by the
 * client's `$disconnect()`.
 */
export function sqlPoolOf(prisma: PrismaClient): pg.Pool {
  const pool = pools.get(prisma);
  if (!pool) throw new Error('sqlPoolOf: this Prisma client was not made by createPrismaClient');
  return pool;
}

/** A pool or one of its clients: what plain-SQL stores run their statements on. */
export type SqlExecutor = Pick<pg.Pool, 'query'>;

export interface TransactionOptions {
  isolationLevel?: Prisma.TransactionIsolationLevel;
  /** Max time to wait for a connection to start the transaction, ms (Prisma default 2 000). */
  maxWait?: number;
  /** Max duration of the transaction, ms (Prisma default 5 000). */
  timeout?: number;
}

/**
 * Runs `fn` in an interactive transaction: committed when it resolves, rolled back when it
 * throws (the error is rethrown). The one place the codebase opens transactions.
 */
export function withTransaction<T>(
  prisma: PrismaClient,
  fn: (tx: Prisma.TransactionClient) => Promise<T>,
  options: TransactionOptions = {},
): Promise<T> {
  return prisma.$transaction(fn, options);
}
