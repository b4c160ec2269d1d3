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
  /**
   * The planner's cost of a random page read in this client's sessions (default
   * DEFAULT_RANDOM_PAGE_COST; null: the server's). Left alone when the URL sets `options` itself.
   */
  randomPageCost?: number | null;
}

/**
 * PostgreSQL plans for spinning disks by default (`random_page_cost` 4: a random read costs four
 * sequential ones). On SSD or a database held in memory the usual value is 1.1. With 4, the hot
 * batch statements (a status batch of 40 message ids, `id = ANY($1)`) read a table of a few
 * thousand rows sequentially rather than through its primary key: in `bench:send` that was about
 * 120 rows scanned per SMS and a quarter of PostgreSQL's CPU.
 */
export const DEFAULT_RANDOM_PAGE_COST = 1.1;

/**
 * The session settings of the plain-SQL pool (`sqlPoolOf`), besides `random_page_cost`. Its hot
 * statements are named, so PostgreSQL parses and plans each once per connection and reuses that
 * plan (`plan_cache_mode`): planning had been a third of the status write's time, the largest
 * statement of `bench:send`. A plan made once is kept for the connection's life, also after the
 * table grew (nothing invalidates it where no ANALYZE runs), so it must not depend on the size the
 * table had then: a plan made on an empty table would read it whole for every batch ever after.
 * Without sequential and bitmap scans, every statement of the pool reads through its indexes, in
 * their order, whatever the statistics; a statement with no index to use still runs (the planner
 * only counts a sequential scan as very expensive).
 */
export const PLAIN_SQL_SETTINGS = ['plan_cache_mode=force_generic_plan', 'enable_seqscan=off', 'enable_bitmapscan=off'] as const;

/** The session `options` a client sends (`-c name=value`) for its own settings, unless the URL has its own. */
function sessionOptions(databaseUrl: string, options: CreatePrismaClientOptions): string | undefined {
  if (new URL(databaseUrl).searchParams.has('options')) return undefined;
  const cost = options.randomPageCost === undefined ? DEFAULT_RANDOM_PAGE_COST : options.randomPageCost;
  if (cost === null) return undefined;
  if (!(Number.isFinite(cost) && cost > 0)) throw new Error('randomPageCost must be a positive number');
  return `-c random_page_cost=${cost}`;
}

/**
 * The plain-SQL pool's URL and `options`: PLAIN_SQL_SETTINGS after the URL's own options or, if it
 * has none, after ours. (pg lets the URL's `options` replace the pool's, so they move out of it.)
 */
function plainSqlConnection(databaseUrl: string, options: CreatePrismaClientOptions): { url: string; options: string } {
  const url = new URL(databaseUrl);
  const own = url.searchParams.get('options') ?? sessionOptions(databaseUrl, options);
  url.searchParams.delete('options');
  return { url: url.toString(), options: [own, ...PLAIN_SQL_SETTINGS.map((setting) => `-c ${setting}`)].filter(Boolean).join(' ') };
}

function createPool(databaseUrl: string, options: CreatePrismaClientOptions, sessionSettings: string | undefined): pg.Pool {
  const pool = new pg.Pool({
    connectionString: databaseUrl,
    max: options.poolSize ?? 10,
    connectionTimeoutMillis: options.connectionTimeoutMillis ?? 10_000,
    idleTimeoutMillis: options.idleTimeoutMillis ?? 30_000,
    ...(options.applicationName ? { application_name: options.applicationName } : {}),
    ...(sessionSettings ? { options: sessionSettings } : {}),
  });
  // An idle connection the server ends (a restart, a terminated backend, a dropped database) is an
  // 'error' event of the pool: without a listener, an unhandled one that ends the process. pg has
  // already removed that client; the next query opens a new connection.
  pool.on('error', () => {});
  return pool;
}

interface Pools {
  /** Prisma's. */
  prisma: pg.Pool;
  /** The plain-SQL pool, opened by the first `sqlPoolOf`. */
  sql?: pg.Pool;
  makeSql: () => pg.Pool;
  /** Set by `$disconnect()`: the client's pools are ended, and no new one is opened. */
  ended: boolean;
}

/**
 * A Prisma client over @prisma/adapter-pg with its own pg pool. `$disconnect()` ends the pool (and
 * the plain-SQL pool, if `sqlPoolOf` opened it). Nothing connects until the first query.
 */
export function createPrismaClient(databaseUrl: string, options: CreatePrismaClientOptions = {}): PrismaClient {
  parseDatabaseUrl(databaseUrl);
  const plainSql = plainSqlConnection(databaseUrl, options);
  const pools: Pools = {
    prisma: createPool(databaseUrl, options, sessionOptions(databaseUrl, options)),
    makeSql: () => createPool(plainSql.url, options, plainSql.options),
    ended: false,
  };
  // The adapter ends Prisma's pool on $disconnect once Prisma has connected; the plain-SQL pool
  // goes with it, also when only plain SQL ever ran (Prisma then has nothing to dispose).
  let sqlEnded: Promise<void> | undefined;
  const endSql = () => {
    pools.ended = true;
    sqlEnded ??= pools.sql?.end() ?? Promise.resolve();
    return sqlEnded;
  };
  const endPrismaPool = pools.prisma.end.bind(pools.prisma);
  pools.prisma.end = (async () => {
    await Promise.all([endPrismaPool(), endSql()]);
  }) as pg.Pool['end'];
  const adapter = new PrismaPg(pools.prisma, { disposeExternalPool: true });
  const client = new PrismaClient({ adapter, ...(options.log ? { log: options.log } : {}) });
  const disconnect = client.$disconnect.bind(client);
  client.$disconnect = async () => {
    await Promise.all([disconnect(), endSql()]);
  };
  poolsOf.set(client, pools);
  return client;
}

const poolsOf = new WeakMap<PrismaClient, Pools>();

/**
 * The pool for hot paths written in plain SQL (one statement where Prisma would take several),
 * beside Prisma's: same database, size and timeouts, and sessions under PLAIN_SQL_SETTINGS, so
 * its named statements are planned once per connection and always read through indexes. Opened
 * by the first call; ended by the client's `$disconnect()`.
 */
export function sqlPoolOf(prisma: PrismaClient): pg.Pool {
  const pools = poolsOf.get(prisma);
  if (!pools) throw new Error('sqlPoolOf: this Prisma client was not made by createPrismaClient');
  // A pool opened now would never be ended: nothing closes a disconnected client again.
  if (pools.ended && !pools.sql) throw new Error('sqlPoolOf: this Prisma client was disconnected');
  pools.sql ??= pools.makeSql();
  return pools.sql;
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
