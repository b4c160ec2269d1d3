import { createPrismaClient, ensureDatabase, withTransaction } from '@switchboard/db';

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
});
