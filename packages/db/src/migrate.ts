import pg from 'pg';

import { ensureDatabase, parseDatabaseUrl, quoteIdent } from './database-url';
import { connectionError, DatabaseError } from './errors';
import { loadMigrationList } from './migrations-dir';
import { readDatasourceSchemas, resolvePaths, type PrismaPaths } from './paths';
import { withSchemaEngine } from './schema-engine';

export interface MigrateOptions extends Partial<PrismaPaths> {
  /** Progress messages (database created, migrations applied). */
  log?: (message: string) => void;
}

export interface MigrateResult {
  /** The database did not exist and was created. */
  createdDatabase: boolean;
  /** Migrations applied by this call, oldest first; empty when the database was up to date. */
  appliedMigrations: string[];
}

/** Arbitrary key of the advisory lock serialising concurrent `migrate` calls on one database. */
const MIGRATE_LOCK_KEY = 0x5357_4d31; // "SWM1"

/**
 * Brings the database at `databaseUrl` up to date: creates the database if it does not exist,
 * creates the PostgreSQL schemas the datasource lists, and applies the pending migrations of
 * `prisma/migrations/` (recorded in `_prisma_migrations`, as `prisma migrate deploy` does) with the
 * WebAssembly schema engine. Idempotent; needs no network. Concurrent calls wait for each other.
 */
export async function migrate(databaseUrl: string, options: MigrateOptions = {}): Promise<MigrateResult> {
  const { display } = parseDatabaseUrl(databaseUrl);
  const log = options.log ?? (() => undefined);
  const { schemaDir, migrationsDir } = resolvePaths(options);

  const createdDatabase = await ensureDatabase(databaseUrl);
  if (createdDatabase) log(`created database ${display}`);

  const client = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: 10_000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (error) {
    await client.end().catch(() => undefined);
    throw connectionError(error, display);
  }
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATE_LOCK_KEY]);
    for (const schema of readDatasourceSchemas(schemaDir)) {
      await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schema)}`);
    }
    const migrationsList = loadMigrationList(migrationsDir);
    const { appliedMigrationNames } = await withSchemaEngine(databaseUrl, undefined, (engine) =>
      engine.applyMigrations({ migrationsList, filters: { externalTables: [], externalEnums: [] } }),
    ).catch(async (error: unknown) => {
      throw await nameFailedMigration(client, error);
    });
    for (const name of appliedMigrationNames) log(`applied migration ${name}`);
    return { createdDatabase, appliedMigrations: appliedMigrationNames };
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [MIGRATE_LOCK_KEY]).catch(() => undefined);
    await client.end().catch(() => undefined);
  }
}

/** Prefixes the engine's error with the migration that failed, read from `_prisma_migrations`. */
async function nameFailedMigration(client: pg.Client, error: unknown): Promise<unknown> {
  if (!(error instanceof DatabaseError)) return error;
  const failed = await client
    .query<{ migration_name: string }>(
      `SELECT migration_name FROM _prisma_migrations
        WHERE finished_at IS NULL AND rolled_back_at IS NULL ORDER BY started_at DESC LIMIT 1`,
    )
    .then((result) => result.rows[0]?.migration_name)
    .catch(() => undefined);
  if (!failed || error.message.includes(failed)) return error;
  return new DatabaseError(`Migration ${failed} failed: ${error.message}`, { cause: error.cause ?? error });
}
