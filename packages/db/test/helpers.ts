import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { dropDatabase, findPrismaDir, withDatabase, withMaintenanceClient } from '@switchboard/db';
import { Client } from 'pg';

export const serverUrl = process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/switchboard';

/** A scratch prisma folder: the real base.prisma, no model, no migration. */
export interface Workspace {
  schemaDir: string;
  migrationsDir: string;
  writeModel(file: string, content: string): void;
  remove(): void;
}

export function createWorkspace(): Workspace {
  const root = mkdtempSync(join(tmpdir(), 'switchboard-db-test-'));
  const schemaDir = join(root, 'schema');
  const migrationsDir = join(root, 'migrations');
  mkdirSync(schemaDir);
  copyFileSync(join(findPrismaDir(), 'schema', 'base.prisma'), join(schemaDir, 'base.prisma'));
  return {
    schemaDir,
    migrationsDir,
    writeModel: (file, content) => writeFileSync(join(schemaDir, file), content),
    remove: () => rmSync(root, { recursive: true, force: true }),
  };
}

/** A database name unique to this test run (not created). */
export function uniqueDatabase(label: string): { name: string; url: string } {
  const name = `sbt_dbtest_${label}_${process.pid}_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 6)}`;
  return { name, url: withDatabase(serverUrl, name) };
}

export async function databaseExists(name: string): Promise<boolean> {
  return withMaintenanceClient(serverUrl, async (client) =>
    Boolean((await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name])).rowCount),
  );
}

export async function dropAll(names: string[]): Promise<void> {
  await Promise.all(names.map((name) => dropDatabase(serverUrl, name)));
}

export const WIDGET_MODEL = `
model Widget {
  id        String   @id @default(uuid()) @db.Uuid
  name      String
  createdAt DateTime @default(now()) @map("created_at") @db.Timestamptz(3)

  @@map("widget")
  @@schema("campaign")
}
`;

export const WIDGET_MODEL_WITH_COLOR = WIDGET_MODEL.replace(
  '  name      String\n',
  '  name      String\n  color     String   @default("blue")\n',
);

/** Rows of one statement, on a connection of its own. */
export async function query<T extends Record<string, unknown>>(url: string, sql: string): Promise<T[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
}

/**
 * The setup of the migration suites: a fresh workspace before each test (removed after it) and
 * databases that are dropped after the file. Read `ws` inside tests.
 */
export function useMigrationWorkspace(): { readonly ws: Workspace; database(label: string): { name: string; url: string } } {
  let current: Workspace | undefined;
  const databases: string[] = [];
  beforeEach(() => {
    current = createWorkspace();
  });
  afterEach(() => current?.remove());
  afterAll(() => dropAll(databases));
  return {
    get ws(): Workspace {
      if (!current) throw new Error('the workspace exists only inside a test');
      return current;
    },
    database(label) {
      const db = uniqueDatabase(label);
      databases.push(db.name);
      return db;
    },
  };
}
