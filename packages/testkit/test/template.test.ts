import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { findPrismaDir, withMaintenanceClient } from '@switchboard/db';
import type * as Testkit from '@switchboard/testkit';
import { createTestDatabase, type TestDatabase } from '@switchboard/testkit';

const serverUrl = process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/switchboard';

/** Scratch schema + migrations folders, so these tests never depend on the repository's models. */
function workspace() {
  const root = mkdtempSync(join(tmpdir(), 'switchboard-testkit-'));
  const schemaDir = join(root, 'schema');
  const migrationsDir = join(root, 'migrations');
  mkdirSync(schemaDir);
  copyFileSync(join(findPrismaDir(), 'schema', 'base.prisma'), join(schemaDir, 'base.prisma'));
  const addMigration = (name: string, sql: string) => {
    mkdirSync(join(migrationsDir, name), { recursive: true });
    writeFileSync(join(migrationsDir, name, 'migration.sql'), sql);
  };
  // A unique table name makes the migrations (and so the template) unique to this test run.
  const tag = `t${process.pid}_${Date.now().toString(36)}`;
  return { root, schemaDir, migrationsDir, addMigration, tag, remove: () => rmSync(root, { recursive: true, force: true }) };
}

async function listDatabases(pattern: string): Promise<string[]> {
  return withMaintenanceClient(serverUrl, async (client) =>
    (await client.query<{ datname: string }>('SELECT datname FROM pg_database WHERE datname LIKE $1', [pattern])).rows.map(
      (r) => r.datname,
    ),
  );
}

describe('test database templates', () => {
  const ws = workspace();
  const databases: TestDatabase[] = [];
  afterAll(async () => {
    await Promise.all(databases.map((db) => db.drop()));
    const templates = [...new Set(databases.map((db) => db.template))];
    await withMaintenanceClient(serverUrl, async (client) => {
      for (const t of templates) await client.query(`DROP DATABASE IF EXISTS "${t}" WITH (FORCE)`);
    });
    ws.remove();
  });

  it('builds the template once even for concurrent builders, and reuses it', async () => {
    ws.addMigration('20260101000000_first', `CREATE TABLE campaign.${ws.tag} (id int PRIMARY KEY);\n`);
    // Three independent copies of the module (as in three jest workers): only the advisory lock
    // stands between them.
    const instances = [1, 2, 3].map(() => {
      let instance: typeof Testkit | undefined;
      jest.isolateModules(() => {
        instance = jest.requireActual<typeof Testkit>('@switchboard/testkit');
      });
      return instance!;
    });
    const created = await Promise.all(
      instances.map((kit) => kit.createTestDatabase({ schemaDir: ws.schemaDir, migrationsDir: ws.migrationsDir })),
    );
    databases.push(...created);
    expect(new Set(created.map((db) => db.template)).size).toBe(1);
    expect(new Set(created.map((db) => db.name)).size).toBe(3);

    // Same _prisma_migrations row ids everywhere: all cloned from one build.
    const ids = await Promise.all(
      created.map(async (db) => (await db.prisma.$queryRawUnsafe<{ id: string }[]>('SELECT id FROM _prisma_migrations'))[0]!.id),
    );
    expect(new Set(ids).size).toBe(1);
    expect(await listDatabases(`${created[0]!.template}_build_%`)).toEqual([]);

    const again = await createTestDatabase({ schemaDir: ws.schemaDir, migrationsDir: ws.migrationsDir });
    databases.push(again);
    expect(again.template).toBe(created[0]!.template);
  });

  it('builds a new template when the migrations change', async () => {
    const before = await createTestDatabase({ schemaDir: ws.schemaDir, migrationsDir: ws.migrationsDir });
    databases.push(before);
    ws.addMigration('20260102000000_second', `ALTER TABLE campaign.${ws.tag} ADD COLUMN label text;\n`);
    const after = await createTestDatabase({ schemaDir: ws.schemaDir, migrationsDir: ws.migrationsDir });
    databases.push(after);
    expect(after.template).not.toBe(before.template);
    const columns = await after.prisma.$queryRawUnsafe<{ column_name: string }[]>(
      `SELECT column_name FROM information_schema.columns WHERE table_name = '${ws.tag}' ORDER BY ordinal_position`,
    );
    expect(columns.map((c) => c.column_name)).toEqual(['id', 'label']);
  });
});
