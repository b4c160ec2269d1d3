/**
 * Redis cache of templates by id (the hot read: rendering). Every write invalidates the entry
 * after its transaction commits.
 *
 * A reader that loaded an old row from PostgreSQL must not put it back after a writer's
 * invalidation. Each template has a generation counter: the writer bumps it, then deletes the
 * entry; a reader notes the generation before reading PostgreSQL and stores its result only if
 * the generation is still the same (checked atomically in Redis). Redis trouble never fails a
 * read: the cache is skipped and PostgreSQL answers.
 */
import type { Redis } from 'ioredis';
import type { Logger } from '@switchboard/config';
import type { TemplateVersionRecord, TemplateView } from '../domain/types';

const SET_IF_GENERATION = `
local current = redis.call('GET', KEYS[1])
if (current or '') == ARGV[1] then
  redis.call('SET', KEYS[2], ARGV[2], 'EX', ARGV[3])
  return 1
end
return 0`;

const GENERATION_TTL_SECONDS = 24 * 3600;

export interface TemplateCacheStats {
  hits: number;
  misses: number;
  errors: number;
}

function reviveVersion(raw: TemplateVersionRecord): TemplateVersionRecord {
  return {
    ...raw,
    submittedAt: raw.submittedAt ? new Date(raw.submittedAt) : null,
    supersededAt: raw.supersededAt ? new Date(raw.supersededAt) : null,
    createdAt: new Date(raw.createdAt),
    updatedAt: new Date(raw.updatedAt),
  };
}

function revive(raw: TemplateView): TemplateView {
  return {
    ...raw,
    archivedAt: raw.archivedAt ? new Date(raw.archivedAt) : null,
    providerTemplateId: raw.providerTemplateId ?? null,
    providerStatusAt: raw.providerStatusAt ? new Date(raw.providerStatusAt) : null,
    createdAt: new Date(raw.createdAt),
    updatedAt: new Date(raw.updatedAt),
    latest: reviveVersion(raw.latest),
    active: raw.active ? reviveVersion(raw.active) : null,
  };
}

export class TemplateCache {
  readonly stats: TemplateCacheStats = { hits: 0, misses: 0, errors: 0 };

  constructor(
    private readonly redis: Redis,
    private readonly log: Logger,
    private readonly ttlSeconds = 300,
  ) {}

  static entryKey(organizationId: string, id: string): string {
    return `template:view:${organizationId}:${id}`;
  }

  static generationKey(organizationId: string, id: string): string {
    return `template:generation:${organizationId}:${id}`;
  }

  /** The template from Redis, or from `load` (stored for the next reader when still current). */
  async get(organizationId: string, id: string, load: () => Promise<TemplateView | null>): Promise<TemplateView | null> {
    const entryKey = TemplateCache.entryKey(organizationId, id);
    const generationKey = TemplateCache.generationKey(organizationId, id);
    let generation: string | null;
    try {
      const [seen, cached] = await this.redis.mget(generationKey, entryKey);
      if (cached) {
        this.stats.hits += 1;
        return revive(JSON.parse(cached) as TemplateView);
      }
      generation = seen ?? '';
    } catch (error) {
      this.stats.errors += 1;
      this.log.warn({ err: error }, 'template cache read failed; reading PostgreSQL');
      return load();
    }
    this.stats.misses += 1;
    const view = await load();
    if (view) {
      try {
        await this.redis.eval(SET_IF_GENERATION, 2, generationKey, entryKey, generation, JSON.stringify(view), this.ttlSeconds);
      } catch (error) {
        this.stats.errors += 1;
        this.log.warn({ err: error }, 'template cache write failed');
      }
    }
    return view;
  }

  /** Called after every committed write of the template. */
  async invalidate(organizationId: string, id: string): Promise<void> {
    const generationKey = TemplateCache.generationKey(organizationId, id);
    try {
      await this.redis
        .multi()
        .incr(generationKey)
        .expire(generationKey, GENERATION_TTL_SECONDS)
        .del(TemplateCache.entryKey(organizationId, id))
        .exec();
    } catch (error) {
      this.stats.errors += 1;
      this.log.error({ err: error, templateId: id }, 'template cache invalidation failed; the entry expires on its own');
    }
  }
}
