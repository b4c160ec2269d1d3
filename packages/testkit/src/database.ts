import {
  createPrismaClient,
  dropDatabase,
  loadDbConfig,
  migrate,
  migrationsChecksum,
  parseDatabaseUrl,
  quoteIdent,
  readDatasourceSchemas,
  resolvePaths,
  withDatabase,
  withMaintenanceClient,
  type PrismaClient,
  type PrismaPaths,
} from '@switchboard/db';

/** An isolated, fully migrated database, for one test file (or one test). */
export interface TestDatabase {
  /** Connection URL of this database. */
  url: string;
  /** Name of the database. */
  name: string;
  /** The template database it was cloned from (named by a hash of the migrations). */
  template: string;
  /** A Prisma client connected to it. */
  prisma: PrismaClient;
  /** Disconnects the client and drops the database (terminating other sessions). Idempotent. */
  drop(): Promise<void>;
  /**
   * Disconnects the client and renames the database to `newName`, outside the test databases'
   * naming, so the sweep of stale test databases leaves it (to inspect after a run); its new URL.
   */
  keepAs(newName: string): Promise<string>;
}

export interface CreateTestDatabaseOptions {
  /** Part of the database name, to recognise it (letters, digits, underscores; default "db"). */
  prefix?: string;
  /** Pool size of the Prisma client (default 5). */
  poolSize?: number;
  /** Server and credentials (the database name is ignored); default DATABASE_URL or the local server. */
  serverUrl?: string;
  /** Other schema / migrations folders than the repository's prisma/ (for tests of the tooling). */
  schemaDir?: string;
  migrationsDir?: string;
}

/** Every database created here starts with this; nothing else may. */
const TEST_PREFIX = 'sbt_';
const TEMPLATE_PREFIX = 'sbt_template_';
/** Databases of a process that no longer exists are dropped; and any older than this. */
const MAX_AGE_MS = 12 * 60 * 60 * 1000;
/** Templates of other migration sets are dropped once this old (another checkout may use them). */
const OTHER_TEMPLATE_MAX_AGE_MS = 60 * 60 * 1000;

const templates = new Map<string, Promise<string>>();
let staleSweep: Promise<void> | undefined;

function serverUrlFrom(options: CreateTestDatabaseOptions): string {
  return options.serverUrl ?? loadDbConfig().DATABASE_URL;
}

function sanitizePrefix(prefix: string | undefined): string {
  const clean = (prefix ?? 'db').toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^_+|_+$/g, '');
  return (clean || 'db').slice(0, 20);
}

/** `sbt_<prefix>_<pid>_<base36 ms>_<random>`: the pid and time let later runs find leftovers. */
function newDatabaseName(prefix: string): string {
  const random = Math.random().toString(36).slice(2, 8);
  return `${TEST_PREFIX}${prefix}_${process.pid}_${Date.now().toString(36)}_${random}`;
}

/** pid and creation time of a database named by newDatabaseName or a template build. */
function parseOwner(name: string): { pid: number; createdAt: number } | undefined {
  const match = /_(\d+)_([0-9a-z]+)_[0-9a-z]+$/.exec(name);
  if (!match) return undefined;
  return { pid: Number(match[1]), createdAt: parseInt(match[2]!, 36) };
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Drops test databases (and half-built templates, and migration shadow databases) left behind by
 * processes that crashed or were killed: those whose process is gone, or older than 12 hours.
 * Called once per process by createTestDatabase; safe to run concurrently. Returns the dropped names.
 */
export async function dropStaleTestDatabases(options: { serverUrl?: string } = {}): Promise<string[]> {
  const serverUrl = serverUrlFrom(options);
  return withMaintenanceClient(serverUrl, async (client) => {
    const { rows } = await client.query<{ datname: string }>(
      `SELECT datname FROM pg_database WHERE datname LIKE 'sbt\\_%' OR datname LIKE 'prisma\\_shadow\\_%'`,
    );
    const dropped: string[] = [];
    for (const { datname } of rows) {
      const isTemplate = datname.startsWith(TEMPLATE_PREFIX) && !/_build_/.test(datname);
      if (isTemplate) continue;
      const owner = parseOwner(datname);
      if (!owner) continue;
      const stale = !processAlive(owner.pid) || Date.now() - owner.createdAt > MAX_AGE_MS;
      if (owner.pid === process.pid || !stale) continue;
      try {
        await client.query(`DROP DATABASE IF EXISTS ${quoteIdent(datname)} WITH (FORCE)`);
        dropped.push(datname);
      } catch {
        // Dropped by a concurrent sweep, or in use: left for the next run.
      }
    }
    return dropped;
  });
}

/**
 * The template database for the current migrations, built once (by whichever process gets the
 * advisory lock first) and reused until the migrations change.
 */
async function ensureTemplate(serverUrl: string, paths: Partial<PrismaPaths>): Promise<string> {
  const { migrationsDir, schemaDir } = resolvePaths(paths);
  const checksum = migrationsChecksum(migrationsDir, readDatasourceSchemas(schemaDir));
  const key = `${serverUrl}\0${checksum}`;
  let template = templates.get(key);
  if (!template) {
    template = buildTemplate(serverUrl, `${TEMPLATE_PREFIX}${checksum}`, { migrationsDir, schemaDir });
    templates.set(key, template);
    template.catch(() => templates.delete(key));
  }
  return template;
}

async function buildTemplate(serverUrl: string, name: string, paths: PrismaPaths): Promise<string> {
  const exists = (client: { query: (sql: string, values: unknown[]) => Promise<{ rowCount: number | null }> }) =>
    client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]).then((r) => Boolean(r.rowCount));

  return withMaintenanceClient(serverUrl, async (client) => {
    if (await exists(client)) return name;
    // Session-level lock keyed by the template name: parallel jest workers and processes wait here
    // while the first one builds.
    await client.query('SELECT pg_advisory_lock(hashtext($1))', [name]);
    try {
      if (await exists(client)) return name;
      // Built under another name and renamed when complete, so a crash never leaves a broken template.
      const build = `${name}_build_${process.pid}_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 6)}`;
      try {
        await migrate(withDatabase(serverUrl, build), paths);
        await retryWhileInUse(() => client.query(`ALTER DATABASE ${quoteIdent(build)} RENAME TO ${quoteIdent(name)}`));
        await client.query(`COMMENT ON DATABASE ${quoteIdent(name)} IS ${literal(`switchboard test template, built ${new Date().toISOString()}`)}`);
      } catch (error) {
        await client.query(`DROP DATABASE IF EXISTS ${quoteIdent(build)} WITH (FORCE)`).catch(() => undefined);
        throw error;
      }
      await dropOldTemplates(client, name);
      return name;
    } finally {
      await client.query('SELECT pg_advisory_unlock(hashtext($1))', [name]).catch(() => undefined);
    }
  });
}

function literal(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/** Templates of older migration sets, unused for an hour, are dropped (never while being cloned). */
async function dropOldTemplates(
  client: { query: (sql: string, values?: unknown[]) => Promise<{ rows: { datname: string; comment: string | null }[] }> },
  current: string,
): Promise<void> {
  const { rows } = await client.query(
    `SELECT datname, shobj_description(oid, 'pg_database') AS comment FROM pg_database
      WHERE datname LIKE 'sbt\\_template\\_%' AND datname NOT LIKE '%\\_build\\_%' AND datname <> $1`,
    [current],
  );
  for (const { datname, comment } of rows) {
    const builtAt = Date.parse(/built (\S+)$/.exec(comment ?? '')?.[1] ?? '');
    if (Number.isFinite(builtAt) && Date.now() - builtAt < OTHER_TEMPLATE_MAX_AGE_MS) continue;
    // Without FORCE: fails (and is skipped) if a clone is in progress.
    await client.query(`DROP DATABASE IF EXISTS ${quoteIdent(datname)}`).catch(() => undefined);
  }
}

/**
 * Creates an isolated database with every migration applied, by cloning a template database
 * (`CREATE DATABASE … TEMPLATE`, a file copy: tens of milliseconds) built once from
 * prisma/migrations and rebuilt only when they change. Call `drop()` when done (afterAll).
 */
export async function createTestDatabase(options: CreateTestDatabaseOptions = {}): Promise<TestDatabase> {
  const serverUrl = serverUrlFrom(options);
  parseDatabaseUrl(serverUrl);
  staleSweep ??= dropStaleTestDatabases({ serverUrl }).then(
    () => undefined,
    () => undefined,
  );
  await staleSweep;
  const template = await ensureTemplate(serverUrl, { schemaDir: options.schemaDir, migrationsDir: options.migrationsDir });
  const name = newDatabaseName(sanitizePrefix(options.prefix));
  await cloneDatabase(serverUrl, template, name);

  const url = withDatabase(serverUrl, name);
  const prisma = createPrismaClient(url, { poolSize: options.poolSize ?? 5, applicationName: name });
  let dropping: Promise<void> | undefined;
  return {
    url,
    name,
    template,
    prisma,
    drop() {
      dropping ??= (async () => {
        await prisma.$disconnect().catch(() => undefined);
        await dropDatabase(serverUrl, name);
      })();
      return dropping;
    },
    async keepAs(newName) {
      await prisma.$disconnect().catch(() => undefined);
      await withMaintenanceClient(serverUrl, (client) =>
        retryWhileInUse(() => client.query(`ALTER DATABASE ${quoteIdent(name)} RENAME TO ${quoteIdent(newName)}`)),
      );
      return withDatabase(serverUrl, newName);
    },
  };
}

async function cloneDatabase(serverUrl: string, template: string, name: string): Promise<void> {
  await withMaintenanceClient(serverUrl, (client) =>
    retryWhileInUse(() => client.query(`CREATE DATABASE ${quoteIdent(name)} TEMPLATE ${quoteIdent(template)}`)),
  );
}

/**
 * Retries `fn` while PostgreSQL answers 55006 ("database is being accessed by other users"):
 * sessions that just closed can linger for a few milliseconds on the server.
 */
async function retryWhileInUse<T>(fn: () => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn();
    } catch (error) {
      if ((error as { code?: string }).code !== '55006' || attempt >= 20) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50 + attempt * 25));
    }
  }
}
