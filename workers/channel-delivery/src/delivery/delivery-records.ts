import type { Redis } from 'ioredis';
import type { DeliveryOutcome } from './processor';

export interface DeliveryRecordsOptions {
  redis: Redis;
  /** Key prefix (default `delivery:`), before the message id. */
  keyPrefix?: string;
  /** How long an outcome is remembered (default 30 days: longer than any redelivery or topic retention). */
  ttlSeconds?: number;
}

/**
 * `delivery:<messageId>` → the outcome as JSON (for a SENT outcome: the provider message id, the
 * attempts, when, and which request). Written before the outcome is published and read before
 * every send, so a redelivered request never reaches the provider again once its send is recorded.
 */
export interface DeliveryRecords {
  get(messageId: string): Promise<DeliveryOutcome | null>;
  put(messageId: string, outcome: DeliveryOutcome): Promise<void>;
}

function parse(value: string | null): DeliveryOutcome | null {
  if (value === null) return null;
  try {
    const parsed = JSON.parse(value) as DeliveryOutcome;
    return parsed.status === 'SENT' || parsed.status === 'FAILED' ? parsed : null;
  } catch {
    return null;
  }
}

export function createDeliveryRecords(options: DeliveryRecordsOptions): DeliveryRecords {
  const { redis } = options;
  const prefix = options.keyPrefix ?? 'delivery:';
  const ttlSeconds = options.ttlSeconds ?? 30 * 24 * 3600;
  return {
    get: async (messageId) => parse(await redis.get(prefix + messageId)),
    async put(messageId, outcome) {
      await redis.set(prefix + messageId, JSON.stringify(outcome), 'EX', ttlSeconds);
    },
  };
}
