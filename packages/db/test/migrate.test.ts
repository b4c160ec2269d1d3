import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { createMigration, DatabaseError, listMigrationNames, migrate, resolvePaths } from '@switchboard/db';
import { databaseExists, query, serverUrl, useMigrationWorkspace, WIDGET_MODEL, WIDGET_MODEL_WITH_COLOR } from './helpers';

describe('migrate', () => {
  const bed = useMigrationWorkspace();

  it('creates the database and schemas, applies the migrations, and applies nothing the second time', async () => {
    bed.ws.writeModel('campaign.prisma', WIDGET_MODEL);
    const first = await createMigration(serverUrl, 'add_widgets', bed.ws);
    const db = bed.database('idem');
    const messages: string[] = [];

    const run1 = await migrate(db.url, { ...bed.ws, log: (m) => messages.push(m) });
    expect(run1).toEqual({ createdDatabase: true, appliedMigrations: [first.name] });
    expect(messages).toEqual([expect.stringMatching(/^created database .*sbt_dbtest_idem_/), `applied migration ${first.name}`]);
    expect(await databaseExists(db.name)).toBe(true);

    const schemas = await query<{ nspname: string }>(db.url, 'SELECT nspname FROM pg_namespace ORDER BY nspname');
    expect(schemas.map((s) => s.nspname)).toEqual(
      expect.arrayContaining(['user', 'team', 'contact', 'template', 'campaign', 'inbox', 'messaging']),
    );
    await query(db.url, `INSERT INTO campaign.widget (id, name) VALUES (gen_random_uuid(), 'kept')`);

    const run2 = await migrate(db.url, bed.ws);
    expect(run2).toEqual({ createdDatabase: false, appliedMigrations: [] });
    const recorded = await query<{ migration_name: string }>(
      db.url,
      'SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL',
    );
    expect(recorded.map((r) => r.migration_name)).toEqual([first.name]);

    // A later migration: only it is applied, and the data survives.
    bed.ws.writeModel('campaign.prisma', WIDGET_MODEL_WITH_COLOR);
    const second = await createMigration(serverUrl, 'widget_color', bed.ws);
    expect(await migrate(db.url, bed.ws)).toEqual({ createdDatabase: false, appliedMigrations: [second.name] });
    expect(await query(db.url, 'SELECT name, color FROM campaign.widget')).toEqual([{ name: 'kept', color: 'blue' }]);
  });

  it("applies the repository's migrations from scratch", async () => {
    const names = listMigrationNames(resolvePaths().migrationsDir);
    expect(names.length).toBeGreaterThan(0);
    const db = bed.database('repo');
    expect(await migrate(db.url)).toEqual({ createdDatabase: true, appliedMigrations: names });
    const recorded = await query<{ migration_name: string }>(
      db.url,
      'SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL ORDER BY migration_name',
    );
    expect(recorded.map((r) => r.migration_name)).toEqual(names);
  });

  it('lets concurrent runs on one database apply each migration once', async () => {
    bed.ws.writeModel('campaign.prisma', WIDGET_MODEL);
    const { name } = await createMigration(serverUrl, 'add_widgets', bed.ws);
    const db = bed.database('conc');
    const results = await Promise.all([migrate(db.url, bed.ws), migrate(db.url, bed.ws), migrate(db.url, bed.ws)]);
    expect(results.flatMap((r) => r.appliedMigrations)).toEqual([name]);
  });

  it('reports a failing migration by name, and the next run refuses to go on', async () => {
    const dir = join(bed.ws.migrationsDir, '20260101000000_broken');
    mkdirSync(dir, { recursive: true });
    writeFileSync(dir + '/migration.sql', 'CREATE TABLE campaign.ok (id int);\nCREATE TABLE campaign.bad (id no_such_type);\n');
    const db = bed.database('fail');
    const error = await migrate(db.url, bed.ws).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DatabaseError);
    expect((error as Error).message).toMatch(/20260101000000_broken/);
    expect((error as Error).message).toMatch(/no_such_type/);
    expect((error as Error).message).not.toMatch(/schema_engine_wasm::/);
    // As with `prisma migrate deploy`: a failed migration blocks the next runs until resolved.
    await expect(migrate(db.url, bed.ws)).rejects.toThrow(/20260101000000_broken/);
  });

  it('rejects a bad URL or an unreachable server with a clear message', async () => {
    await expect(migrate('not a url', bed.ws)).rejects.toThrow(/DATABASE_URL is not a valid URL/);
    await expect(migrate('mysql://root@127.0.0.1/x', bed.ws)).rejects.toThrow(/must start with postgresql:\/\//);
    await expect(migrate('postgresql://postgres@127.0.0.1:5432', bed.ws)).rejects.toThrow(/must name a database/);
    await expect(migrate('postgresql://postgres@127.0.0.1:1/x', bed.ws)).rejects.toThrow(
      /^Cannot reach PostgreSQL at 127\.0\.0\.1:1\/postgres \(ECONNREFUSED: is the server running\?\)$/,
    );
  });
});
