import type { Logger } from '@switchboard/config';
import type { SubgraphDeps } from '@switchboard/subgraph-kit';
import type { ContactRecord } from '../domain/types';

type Redis = SubgraphDeps['redis'];

const DATE_FIELDS = ['createdAt', 'updatedAt', 'emailConsentAt', 'smsConsentAt', 'whatsappConsentAt'] as const;
const DELETE_CHUNK = 1000;

/**
 * Read-through cache of contact rows by id in Redis, for entity resolution (other subgraphs'
 * Message.contact, Conversation.contact … resolve here constantly). Short TTL, and every write
 * deletes the written ids after it commits, so the next read sees the write. Redis being down
 * never fails a read: the cache is skipped and the database answers.
 */
export class ContactCache {
  constructor(
    private readonly redis: Redis,
    private readonly log: Logger,
    readonly ttlSeconds = 30,
  ) {}

  key(organizationId: string, id: string): string {
    return `contact:v2:${organizationId}:${id}`;
  }

  async getMany(organizationId: string, ids: readonly string[]): Promise<Map<string, ContactRecord>> {
    const found = new Map<string, ContactRecord>();
    if (ids.length === 0) return found;
    try {
      const values = await this.redis.mget(ids.map((id) => this.key(organizationId, id)));
      values.forEach((value, i) => {
        if (value) found.set(ids[i]!, revive(value));
      });
    } catch (error) {
      this.log.warn({ err: error }, 'contact cache read failed; reading the database');
    }
    return found;
  }

  async setMany(organizationId: string, contacts: readonly ContactRecord[]): Promise<void> {
    if (contacts.length === 0) return;
    try {
      const pipeline = this.redis.pipeline();
      for (const contact of contacts) {
        pipeline.set(this.key(organizationId, contact.id), JSON.stringify(contact), 'EX', this.ttlSeconds);
      }
      await pipeline.exec();
    } catch (error) {
      this.log.warn({ err: error }, 'contact cache write failed');
    }
  }

  async invalidate(organizationId: string, ids: readonly string[]): Promise<void> {
    try {
      for (let i = 0; i < ids.length; i += DELETE_CHUNK) {
        await this.redis.del(...ids.slice(i, i + DELETE_CHUNK).map((id) => this.key(organizationId, id)));
      }
    } catch (error) {
      // The entries expire within the TTL anyway.
      this.log.error({ err: error, count: ids.length }, 'contact cache invalidation failed');
    }
  }
}

function revive(json: string): ContactRecord {
  const record = JSON.parse(json) as Record<string, unknown>;
  for (const field of DATE_FIELDS) {
    const value = record[field];
    if (typeof value === 'string') record[field] = new Date(value);
  }
  return record as unknown as ContactRecord;
}
