import { DEFAULT_RANDOM_PAGE_COST, createPrismaClient, ensureDatabase, sqlPoolOf, withTransaction } from '@switchboard/db';

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
    const setting = async (client: ReturnType<typeof createPrismaClient>) =>
      (await sqlPoolOf(client).query<{ random_page_cost: string }>('SHOW random_page_cost')).rows[0]!.random_page_cost;
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

  it('survives the server ending an idle connection: the next query opens a new one (no unhandled pool error)', async () => {
    const pool = sqlPoolOf(prisma);
    const pid = (await pool.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
    const other = createPrismaClient(db.url, { poolSize: 1 });
    try {
      await sqlPoolOf(other).query('SELECT pg_terminate_backend($1)', [pid]);
    } finally {
      await other.$disconnect();
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await names()).toEqual(['a', 'b']);
  });
});
