import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { createMigration, DatabaseError, migrate } from '@switchboard/db';
import { query, serverUrl, useMigrationWorkspace, type Workspace } from './helpers';

/** Semicolons in a comment, a string literal and a `$$` body: the script must reach PostgreSQL whole. */
const TRIGGER_MIGRATION = `-- A note keeps its length; a trigger computes it.
CREATE SCHEMA IF NOT EXISTS "campaign";

CREATE TABLE "campaign"."note" (
    "id" SERIAL PRIMARY KEY,
    "body" TEXT NOT NULL DEFAULT 'one; two',
    "body_length" INTEGER
);

/* The function body holds several statements; each ends with a semicolon. */
CREATE FUNCTION "campaign"."note_set_length"() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    n integer;
BEGIN
    n := length(NEW."body");
    NEW."body_length" := n;
    RETURN NEW;
END;
$$;

CREATE TRIGGER "note_set_length" BEFORE INSERT OR UPDATE ON "campaign"."note"
    FOR EACH ROW EXECUTE FUNCTION "campaign"."note_set_length"();

INSERT INTO "campaign"."note" ("body") VALUES ('a;b;c');
`;

/** The model of the table TRIGGER_MIGRATION creates. */
const NOTE_MODEL = `
model Note {
  id         Int    @id @default(autoincrement())
  body       String @default("one; two")
  bodyLength Int?   @map("body_length")

  @@map("note")
  @@schema("campaign")
}
`;

function writeMigration(ws: Workspace, name: string, sql: string): void {
  const dir = join(ws.migrationsDir, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'migration.sql'), sql);
}

describe('migration scripts', () => {
  const bed = useMigrationWorkspace();

  it('applies a script whose strings, comments and $$ bodies contain semicolons', async () => {
    writeMigration(bed.ws, '20260101000000_note_trigger', TRIGGER_MIGRATION);
    const db = bed.database('script');

    expect(await migrate(db.url, bed.ws)).toEqual({ createdDatabase: true, appliedMigrations: ['20260101000000_note_trigger'] });

    await query(db.url, `INSERT INTO campaign.note DEFAULT VALUES`);
    await query(db.url, `UPDATE campaign.note SET body = 'x;y' WHERE body = 'a;b;c'`);
    expect(await query(db.url, 'SELECT body, body_length FROM campaign.note ORDER BY id')).toEqual([
      { body: 'x;y', body_length: 3 },
      { body: 'one; two', body_length: 8 },
    ]);
  });

  it('replays such a script in the shadow database', async () => {
    writeMigration(bed.ws, '20260101000000_note_trigger', TRIGGER_MIGRATION);
    bed.ws.writeModel('campaign.prisma', NOTE_MODEL);
    expect(await createMigration(serverUrl, 'nothing', bed.ws)).toEqual({ name: null, path: null, sql: null });
  });

  it('applies a failing migration not at all, and names it', async () => {
    writeMigration(bed.ws, '20260101000000_fine', 'CREATE TABLE campaign.fine (id int);\n');
    writeMigration(
      bed.ws,
      '20260101000001_half',
      [
        'CREATE TABLE campaign.half (id int);',
        'INSERT INTO campaign.half VALUES (1);',
        'INSERT INTO campaign.half VALUES (1 / 0);',
        'CREATE TABLE campaign.never (id int);',
        '',
      ].join('\n'),
    );
    const db = bed.database('atomic');

    const error = await migrate(db.url, bed.ws).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DatabaseError);
    const message = (error as Error).message;
    expect(message).toMatch(/20260101000001_half/);
    expect(message).toMatch(/division by zero/);
    expect(message).not.toMatch(/schema_engine_wasm::/);

    const tables = await query<{ table_name: string }>(
      db.url,
      `SELECT table_name FROM information_schema.tables WHERE table_schema = 'campaign' ORDER BY table_name`,
    );
    expect(tables.map((t) => t.table_name)).toEqual(['fine']);
    const recorded = await query<{ migration_name: string; finished: boolean; applied_steps_count: number }>(
      db.url,
      `SELECT migration_name, finished_at IS NOT NULL AS finished, applied_steps_count
         FROM _prisma_migrations ORDER BY migration_name`,
    );
    expect(recorded).toEqual([
      { migration_name: '20260101000000_fine', finished: true, applied_steps_count: 1 },
      { migration_name: '20260101000001_half', finished: false, applied_steps_count: 0 },
    ]);
  });
});
