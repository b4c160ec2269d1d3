import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { parseDatabaseUrl, withDatabase, withMaintenanceClient } from './database-url';
import { DatabaseError } from './errors';
import { ensureLockfile, listMigrationNames, loadMigrationList } from './migrations-dir';
import { readSchemaFiles, resolvePaths, type PrismaPaths } from './paths';
import { withSchemaEngine } from './schema-engine';

export interface CreateMigrationOptions extends Partial<PrismaPaths> {
  /** Defaults to the current time; the timestamp is bumped past the newest existing migration. */
  now?: Date;
}

/** The written migration, or all null when the schema has no changes (nothing written). */
export type CreateMigrationResult =
  | {
      /** `<timestamp>_<name>` folder of the written migration. */
      name: string;
      /** Absolute path of the written migration.sql. */
      path: string;
      sql: string;
    }
  | { name: null; path: null; sql: null };

/** `Add Contact-Tags!` → `add_contact_tags`. */
export function toMigrationSlug(name: string): string {
  const slug = name
    .trim()
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .slice(0, 100)
    .replace(/_+$/, '');
  if (!slug) throw new DatabaseError(`Invalid migration name "${name}": use letters, digits and underscores`);
  return slug;
}

function timestamp(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return (
    `${date.getUTCFullYear()}${pad(date.getUTCMonth() + 1)}${pad(date.getUTCDate())}` +
    `${pad(date.getUTCHours())}${pad(date.getUTCMinutes())}${pad(date.getUTCSeconds())}`
  );
}

function parseTimestamp(stamp: string): Date {
  const [y, mo, d, h, mi, s] = [0, 4, 6, 8, 10, 12].map((at, i) => Number(stamp.slice(at, at + (i === 0 ? 4 : 2))));
  return new Date(Date.UTC(y!, mo! - 1, d!, h!, mi!, s!));
}

/** A diff with no statement (only comments or blank lines) means the schema is unchanged. */
function isEmptyScript(sql: string): boolean {
  return sql
    .split('\n')
    .map((line) => line.trim())
    .every((line) => line === '' || line.startsWith('--'));
}

/**
 * Computes the SQL taking the database built by the existing migrations (replayed in a temporary
 * shadow database) to the datamodel of the schema folder, and writes it as the next migration
 * `<UTC timestamp>_<name>/migration.sql`. Writes nothing and returns name=null when there is no change.
 * `databaseUrl` only names the server and credentials: the shadow database is created and dropped
 * through its `postgres` maintenance database, and the named database is never touched.
 */
export async function createMigration(
  databaseUrl: string,
  name: string,
  options: CreateMigrationOptions = {},
): Promise<CreateMigrationResult> {
  parseDatabaseUrl(databaseUrl);
  const slug = toMigrationSlug(name);
  const { schemaDir, migrationsDir } = resolvePaths(options);
  const files = readSchemaFiles(schemaDir);
  const migrationsList = loadMigrationList(migrationsDir);
  // Fails early, with a clear message, when the server is unreachable or refuses the credentials.
  await withMaintenanceClient(databaseUrl, async () => undefined);

  const result = await withSchemaEngine(withDatabase(databaseUrl, 'postgres'), undefined, (engine) =>
    engine.diff({
      from: { tag: 'migrations', ...migrationsList },
      to: { tag: 'schemaDatamodel', files: files.map(([path, content]) => ({ path, content })) },
      script: true,
      exitCode: null,
      filters: { externalTables: [], externalEnums: [] },
    }),
  );
  const sql = result.stdout ?? '';
  if (isEmptyScript(sql)) return { name: null, path: null, sql: null };

  let stamp = timestamp(options.now ?? new Date());
  const newest = listMigrationNames(migrationsDir).at(-1)?.slice(0, 14);
  if (newest && /^\d{14}$/.test(newest) && stamp <= newest) {
    stamp = timestamp(new Date(parseTimestamp(newest).getTime() + 1000));
  }
  const migrationName = `${stamp}_${slug}`;
  ensureLockfile(migrationsDir);
  const dir = join(migrationsDir, migrationName);
  mkdirSync(dir, { recursive: true });
  const path = join(dir, 'migration.sql');
  writeFileSync(path, sql.endsWith('\n') ? sql : `${sql}\n`);
  return { name: migrationName, path, sql };
}
