import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { z } from 'zod';
import { createLogger, env, loadConfig } from '@switchboard/config';
import { TemplateCache } from '../src/store/template-cache';
import type { TemplateView } from '../src/domain/types';

/** The cache against a real Redis: hits, invalidation, the read/write race, Redis outages. */

const { REDIS_URL } = loadConfig(z.object({ REDIS_URL: env.redisUrl }));
const log = createLogger('template-cache-test', 'silent');
const prefix = `test:template-cache:${randomUUID()}:`;
let redis: Redis;

beforeAll(() => {
  redis = new Redis(REDIS_URL, { keyPrefix: prefix });
});
afterAll(async () => {
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length) await redis.del(...keys.map((k) => k.slice(prefix.length)));
  redis.disconnect();
});

function view(name: string, organizationId = randomUUID(), id = randomUUID()): TemplateView {
  const at = new Date('2026-03-01T10:00:00.000Z');
  const version = {
    id: randomUUID(),
    templateId: id,
    organizationId,
    version: 1,
    status: 'ACTIVE' as const,
    statusReason: null,
    content: { channel: 'SMS' as const, body: 'Hi {{name}}' },
    variables: [{ name: 'name', type: 'STRING' as const, example: null, description: null }],
    submittedAt: null,
    supersededAt: null,
    createdById: randomUUID(),
    createdAt: at,
    updatedAt: at,
  };
  return {
    id,
    organizationId,
    channel: 'SMS',
    name,
    language: null,
    status: 'ACTIVE',
    latestVersionId: version.id,
    activeVersionId: version.id,
    createdById: version.createdById,
    archivedAt: null,
    createdAt: at,
    updatedAt: at,
    providerTemplateId: null,
    providerStatusAt: null,
    latest: version,
    active: version,
  };
}

describe('TemplateCache', () => {
  it('loads once, then answers from Redis with dates revived', async () => {
    const cache = new TemplateCache(redis, log);
    const stored = view('first');
    const load = jest.fn(async () => stored);
    expect(await cache.get(stored.organizationId, stored.id, load)).toEqual(stored);
    const again = await cache.get(stored.organizationId, stored.id, load);
    expect(again).toEqual(stored);
    expect(again?.createdAt).toBeInstanceOf(Date);
    expect(again?.latest.createdAt).toBeInstanceOf(Date);
    expect(load).toHaveBeenCalledTimes(1);
    expect(cache.stats).toMatchObject({ hits: 1, misses: 1 });
  });

  it('does not cache a template that does not exist', async () => {
    const cache = new TemplateCache(redis, log);
    const load = jest.fn(async () => null);
    const organizationId = randomUUID();
    const id = randomUUID();
    await cache.get(organizationId, id, load);
    expect(await redis.exists(TemplateCache.entryKey(organizationId, id))).toBe(0);
  });

  it('drops the entry on invalidate: the next read loads the new state', async () => {
    const cache = new TemplateCache(redis, log);
    const before = view('before');
    await cache.get(before.organizationId, before.id, async () => before);
    await cache.invalidate(before.organizationId, before.id);
    const after = { ...before, name: 'after' };
    expect((await cache.get(before.organizationId, before.id, async () => after))?.name).toBe('after');
  });

  it('never stores what a reader loaded before a concurrent write was invalidated', async () => {
    const cache = new TemplateCache(redis, log);
    const old = view('old');
    // The reader loads the old row; meanwhile a writer commits and invalidates.
    const stale = await cache.get(old.organizationId, old.id, async () => {
      await cache.invalidate(old.organizationId, old.id);
      return old;
    });
    expect(stale?.name).toBe('old'); // that reader answers with what it read…
    expect(await redis.exists(TemplateCache.entryKey(old.organizationId, old.id))).toBe(0); // …but does not cache it
    const fresh = { ...old, name: 'new' };
    expect((await cache.get(old.organizationId, old.id, async () => fresh))?.name).toBe('new');
  });

  it('keys entries by organization: the same id in another organization is another entry', async () => {
    const cache = new TemplateCache(redis, log);
    const mine = view('mine');
    await cache.get(mine.organizationId, mine.id, async () => mine);
    const otherOrganization = randomUUID();
    const load = jest.fn(async () => null);
    expect(await cache.get(otherOrganization, mine.id, load)).toBeNull();
    expect(load).toHaveBeenCalledTimes(1);
  });

  it('falls back to the database when Redis is unreachable', async () => {
    const down = new Redis('redis://127.0.0.1:1', { lazyConnect: true, maxRetriesPerRequest: 0, enableOfflineQueue: false, retryStrategy: () => null });
    down.on('error', () => undefined);
    try {
      const cache = new TemplateCache(down, log);
      const stored = view('from-db');
      expect((await cache.get(stored.organizationId, stored.id, async () => stored))?.name).toBe('from-db');
      await expect(cache.invalidate(stored.organizationId, stored.id)).resolves.toBeUndefined();
      expect(cache.stats.errors).toBeGreaterThanOrEqual(2);
    } finally {
      down.disconnect();
    }
  });
});
