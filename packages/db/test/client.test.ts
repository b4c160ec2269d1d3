import { DEFAULT_RANDOM_PAGE_COST, PLAIN_SQL_SETTINGS, createPrismaClient, ensureDatabase, sqlPoolOf, withTransaction } from '@switchboard/db';

import { dropAll, uniqueDatabase } from './helpers';

describe('createPrismaClient / withTransaction', () => {
  const db = uniqueDatabase('client');
  const prisma = createPrismaClient(db.url, { poolSize: 2 });

  beforeAll(async () => {
    await ensureDatabase(db.url);
    await prisma.$executeRawUnsafe('CREATE TABLE public.item (name text PRIMARY KEY)');
  });
  afterAll(async () => {
    await prisma.$disconnect();
    await dropAll([db.name]);
  });

  const names = async () =>
    (await prisma.$queryRawUnsafe<{ name: string }[]>('SELECT name FROM public.item ORDER BY name')).map((r) => r.name);

  it('commits when the function resolves', async () => {
    const result = await withTransaction(prisma, async (tx) => {
      await tx.$executeRawUnsafe(`INSERT INTO public.item VALUES ('a')`);
      await tx.$executeRawUnsafe(`INSERT INTO public.item VALUES ('b')`);
      return 'done';
    });
    expect(result).toBe('done');
    expect(await names()).toEqual(['a', 'b']);
  });

  it('rolls everything back and rethrows when the function throws', async () => {
    const failure = new Error('stop');
    await expect(
      withTransaction(prisma, async (tx) => {
        await tx.$executeRawUnsafe(`INSERT INTO public.item VALUES ('c')`);
        throw failure;
      }),
    ).rejects.toBe(failure);
    expect(await names()).toEqual(['a', 'b']);
  });

  it('uses at most poolSize connections', async () => {
    await Promise.all(Array.from({ length: 6 }, () => prisma.$queryRawUnsafe('SELECT pg_sleep(0.05)::text AS slept')));
    const rows = await prisma.$queryRawUnsafe<{ n: number }[]>(
      `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database()`,
    );
    expect(rows[0]!.n).toBeLessThanOrEqual(2);
  });

  it('plans for SSD or memory (random_page_cost 1.1) unless told otherwise or the URL sets its own options', async () => {
    const setting = async (client: ReturnType<typeof createPrismaClient>) => {
      const viaPrisma = (await client.$queryRawUnsafe<{ random_page_cost: string }[]>('SHOW random_page_cost'))[0]!.random_page_cost;
      const viaSql = (await sqlPoolOf(client).query<{ random_page_cost: string }>('SHOW random_page_cost')).rows[0]!.random_page_cost;
      expect(viaSql).toBe(viaPrisma);
      return viaPrisma;
    };
    const server = (await sqlPoolOf(prisma).query<{ value: string }>(`SELECT boot_val AS value FROM pg_settings WHERE name = 'random_page_cost'`)).rows[0]!.value;
    expect(await setting(prisma)).toBe(String(DEFAULT_RANDOM_PAGE_COST));
    const own = createPrismaClient(db.url, { poolSize: 1, randomPageCost: 2 });
    const serverDefault = createPrismaClient(db.url, { poolSize: 1, randomPageCost: null });
    const fromUrl = createPrismaClient(`${db.url}?options=${encodeURIComponent('-c random_page_cost=3')}`, { poolSize: 1 });
    try {
      expect(await setting(own)).toBe('2');
      expect(await setting(serverDefault)).toBe(server);
      expect(await setting(fromUrl)).toBe('3');
    } finally {
      await Promise.all([own.$disconnect(), serverDefault.$disconnect(), fromUrl.$disconnect()]);
    }
    expect(() => createPrismaClient(db.url, { randomPageCost: 0 })).toThrow('randomPageCost must be a positive number');
  });

  it("gives plain SQL a pool of its own whose sessions plan named statements once and read through indexes; Prisma's keep the server's planner", async () => {
    const settings = 'SELECT current_setting($1) AS plan_cache_mode, current_setting($2) AS enable_seqscan, current_setting($3) AS enable_bitmapscan';
    const names = ['plan_cache_mode', 'enable_seqscan', 'enable_bitmapscan'];
    const expected = Object.fromEntries(PLAIN_SQL_SETTINGS.map((setting) => setting.split('=') as [string, string]));
    expect(expected).toEqual({ plan_cache_mode: 'force_generic_plan', enable_seqscan: 'off', enable_bitmapscan: 'off' });
    const fromUrl = createPrismaClient(`${db.url}?options=${encodeURIComponent('-c random_page_cost=3')}`, { poolSize: 1, applicationName: 'url-options' });
    try {
      for (const client of [prisma, fromUrl]) {
        expect((await sqlPoolOf(client).query(settings, names)).rows[0]).toEqual(expected);
        expect((await client.$queryRawUnsafe<Record<string, string>[]>(settings, ...names))[0]).toEqual({ plan_cache_mode: 'auto', enable_seqscan: 'on', enable_bitmapscan: 'on' });
      }
      expect(sqlPoolOf(prisma)).toBe(sqlPoolOf(prisma));
    } finally {
      await fromUrl.$disconnect();
    }
    // $disconnect ended both of its pools (a backend leaves pg_stat_activity soon after its client).
    const left = async () =>
      (
        await prisma.$queryRawUnsafe<{ n: number }[]>(
          `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'url-options'`,
        )
      )[0]!.n;
    const deadline = Date.now() + 5_000;
    while ((await left()) > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(await left()).toBe(0);
  });

  it('opens no plain-SQL pool for a client that was disconnected (nothing would end it)', async () => {
    const never = createPrismaClient(db.url, { poolSize: 1 });
    await never.$queryRawUnsafe('SELECT 1');
    await never.$disconnect();
    expect(() => sqlPoolOf(never)).toThrow('sqlPoolOf: this Prisma client was disconnected');
    // One opened before: the same, ended pool (its queries fail rather than connect again).
    const opened = createPrismaClient(db.url, { poolSize: 1 });
    const pool = sqlPoolOf(opened);
    await opened.$disconnect();
    expect(sqlPoolOf(opened)).toBe(pool);
    expect(pool.ending).toBe(true);
  });

  it('survives the server ending idle connections: the next query opens a new one (no unhandled pool error)', async () => {
    await sqlPoolOf(prisma).query('SELECT 1');
    const other = createPrismaClient(db.url, { poolSize: 1 });
    try {
      const ended = await sqlPoolOf(other).query<{ n: number }>(
        `SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`,
      );
      expect(ended.rows[0]!.n).toBeGreaterThanOrEqual(2);
    } finally {
      await other.$disconnect();
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await names()).toEqual(['a', 'b']);
    expect((await sqlPoolOf(prisma).query<{ n: number }>('SELECT count(*)::int AS n FROM public.item')).rows[0]!.n).toBe(2);
  });
});
