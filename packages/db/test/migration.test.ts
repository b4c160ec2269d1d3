import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { createMigration, DatabaseError, toMigrationSlug } from '@switchboard/db';

import { createWorkspace, serverUrl, WIDGET_MODEL, WIDGET_MODEL_WITH_COLOR, type Workspace } from './helpers';

describe('createMigration', () => {
  let ws: Workspace;
  beforeEach(() => {
    ws = createWorkspace();
  });
  afterEach(() => ws.remove());

  it('writes nothing when the datamodel matches the migrations', async () => {
    const result = await createMigration(serverUrl, 'nothing', ws);
    expect(result).toEqual({ name: null, path: null, sql: null });
    expect(existsSync(ws.migrationsDir)).toBe(false);
  });

  it('writes the SQL of an added model, then of an added field, each in its own migration', async () => {
    ws.writeModel('campaign.prisma', WIDGET_MODEL);
    const now = new Date(Date.UTC(2026, 0, 2, 3, 4, 5));
    const first = await createMigration(serverUrl, 'Add widgets', { ...ws, now });
    expect(first.name).toBe('20260102030405_add_widgets');
    const sql = readFileSync(join(ws.migrationsDir, first.name!, 'migration.sql'), 'utf8');
    expect(sql).toBe(first.sql);
    expect(sql).toContain('CREATE SCHEMA IF NOT EXISTS "campaign";');
    expect(sql).toContain('CREATE TABLE "campaign"."widget"');
    expect(sql).toMatch(/"created_at" TIMESTAMPTZ\(3\) NOT NULL DEFAULT CURRENT_TIMESTAMP/);
    expect(sql).toContain('CONSTRAINT "widget_pkey" PRIMARY KEY ("id")');
    expect(readFileSync(join(ws.migrationsDir, 'migration_lock.toml'), 'utf8')).toContain('provider = "postgresql"');

    // Replaying the migrations gives the datamodel: nothing more to write.
    expect((await createMigration(serverUrl, 'again', ws)).name).toBeNull();

    ws.writeModel('campaign.prisma', WIDGET_MODEL_WITH_COLOR);
    // Same clock: the timestamp still moves past the newest migration, keeping the order.
    const second = await createMigration(serverUrl, 'widget_color', { ...ws, now });
    expect(second.name).toBe('20260102030406_widget_color');
    expect(second.sql).toContain(`ALTER TABLE "campaign"."widget" ADD COLUMN     "color" TEXT NOT NULL DEFAULT 'blue';`);
    expect(second.sql).not.toContain('CREATE TABLE');
    expect(readdirSync(ws.migrationsDir).sort()).toEqual([
      '20260102030405_add_widgets',
      '20260102030406_widget_color',
      'migration_lock.toml',
    ]);
  });

  it('rejects an invalid schema with the engine message, without a stack of Rust frames', async () => {
    ws.writeModel('campaign.prisma', 'model Broken {\n  id String @id\n  @@schema("nowhere")\n}\n');
    const error = await createMigration(serverUrl, 'broken', ws).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DatabaseError);
    expect((error as Error).message).toMatch(/nowhere/);
    expect((error as Error).message).not.toMatch(/schema_engine_wasm::/);
    expect(existsSync(ws.migrationsDir)).toBe(false);
  });

  it('reports an unreachable server clearly', async () => {
    ws.writeModel('campaign.prisma', WIDGET_MODEL);
    await expect(createMigration('postgresql://postgres@127.0.0.1:1/switchboard', 'x', ws)).rejects.toThrow(
      /Cannot reach PostgreSQL at 127\.0\.0\.1:1\/postgres \(ECONNREFUSED/,
    );
  });
});

describe('toMigrationSlug', () => {
  it.each([
    ['add widgets', 'add_widgets'],
    ['AddWidgets', 'add_widgets'],
    ['  contact-tags!! v2 ', 'contact_tags_v2'],
  ])('%s → %s', (input, slug) => {
    expect(toMigrationSlug(input)).toBe(slug);
  });

  it('rejects a name without letters or digits', () => {
    expect(() => toMigrationSlug(' -- ')).toThrow(DatabaseError);
  });
});
