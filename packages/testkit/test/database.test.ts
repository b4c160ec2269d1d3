import { createTestDatabase, dropStaleTestDatabases, type TestDatabase } from '@switchboard/testkit';
import { createPrismaClient, dropDatabase, withMaintenanceClient } from '@switchboard/db';

const serverUrl = process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/switchboard';

async function databaseExists(name: string): Promise<boolean> {
  return withMaintenanceClient(serverUrl, async (client) =>
    Boolean((await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name])).rowCount),
  );
}

describe('createTestDatabase', () => {
  const created: TestDatabase[] = [];
  afterAll(async () => {
    await Promise.all(created.map((db) => db.drop()));
  });

  it('gives isolated, migrated databases', async () => {
    const [a, b] = await Promise.all([createTestDatabase({ prefix: 'iso-a' }), createTestDatabase({ prefix: 'iso_b' })]);
    created.push(a!, b!);
    expect(a!.url).not.toBe(b!.url);
    expect(a!.name).toMatch(/^sbt_iso_a_\d+_/);

    // Every migration is applied in both.
    const applied = async (db: TestDatabase) =>
      (await db.prisma.$queryRawUnsafe<{ n: number }[]>('SELECT count(*)::int AS n FROM _prisma_migrations WHERE finished_at IS NOT NULL'))[0]!.n;
    expect(await applied(a!)).toBe(await applied(b!));

    // A write in one is invisible in the other.
    await a!.prisma.$executeRawUnsafe('CREATE TABLE public.isolation_probe (value text)');
    await a!.prisma.$executeRawUnsafe(`INSERT INTO public.isolation_probe VALUES ('only in a')`);
    const inA = await a!.prisma.$queryRawUnsafe<{ value: string }[]>('SELECT value FROM public.isolation_probe');
    expect(inA).toEqual([{ value: 'only in a' }]);
    const inB = await b!.prisma.$queryRawUnsafe<{ n: number }[]>(
      `SELECT count(*)::int AS n FROM information_schema.tables WHERE table_name = 'isolation_probe'`,
    );
    expect(inB[0]!.n).toBe(0);
  });

  it('drop() removes the database and can be called twice', async () => {
    const db = await createTestDatabase();
    expect(await databaseExists(db.name)).toBe(true);
    await db.drop();
    await db.drop();
    expect(await databaseExists(db.name)).toBe(false);
  });

  it('keepAs() renames the database out of the sweep of stale test databases, data intact', async () => {
    const db = await createTestDatabase({ prefix: 'kept' });
    await db.prisma.$executeRawUnsafe('CREATE TABLE public.kept_probe (value text)');
    await db.prisma.$executeRawUnsafe(`INSERT INTO public.kept_probe VALUES ('still here')`);
    const kept = `testkit_kept_${Date.now().toString(36)}`;
    try {
      const url = await db.keepAs(kept);
      expect(url.endsWith(`/${kept}`)).toBe(true);
      expect(await databaseExists(db.name)).toBe(false);
      expect(await dropStaleTestDatabases()).not.toContain(kept);
      const client = createPrismaClient(url, { poolSize: 1 });
      try {
        expect(await client.$queryRawUnsafe('SELECT value FROM public.kept_probe')).toEqual([{ value: 'still here' }]);
      } finally {
        await client.$disconnect();
      }
    } finally {
      await dropDatabase(serverUrl, kept);
    }
  });

  it('dropStaleTestDatabases removes databases of dead processes only', async () => {
    // A pid far above any real one: its database is a leftover of a crashed run.
    const stale = `sbt_db_999999999_${Date.now().toString(36)}_abc123`;
    const live = await createTestDatabase({ prefix: 'live' });
    created.push(live);
    await withMaintenanceClient(serverUrl, (client) => client.query(`CREATE DATABASE "${stale}"`));
    const dropped = await dropStaleTestDatabases();
    expect(dropped).toContain(stale);
    expect(await databaseExists(stale)).toBe(false);
    expect(await databaseExists(live.name)).toBe(true);
  });
});
