import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';

/**
 * What a consumer asks before handling an event id:
 * - `claimed`: nobody handled it; this consumer now holds a lease on it and must `complete` or
 *   `release` it;
 * - `done`: it was handled already (a redelivery after a crash or rebalance): skip it;
 * - `busy`: another consumer holds a live lease (the previous owner of the partition is still
 *   working on it): try again later.
 */
export type ClaimResult = 'claimed' | 'done' | 'busy';

/** Remembers which event ids a consumer group handled, so redeliveries are skipped. */
export interface DedupeStore {
  claim(key: string): Promise<ClaimResult>;
  /** Marks the id handled (kept for the store's retention). */
  complete(key: string): Promise<void>;
  /** Gives the lease back after a failed attempt, so a retry can claim it. */
  release(key: string): Promise<void>;
}

export interface RedisDedupeStoreOptions {
  redis: Redis;
  /** Prefix of the Redis keys (default `dedupe:`); the consumer adds its group id and the event id. */
  keyPrefix?: string;
  /** How long a handled id is remembered (default 7 days: longer than any redelivery). */
  retentionSeconds?: number;
  /**
   * How long a claim protects an id being handled (default 30 s, the consumer's default session
   * timeout: a handler that runs longer loses its partition anyway). After a crash, the event in
   * flight waits this long before the next member handles it.
   */
  leaseMs?: number;
}

const DONE = 'done';

// Deletes the key only when it still holds this claimant's lease token.
const RELEASE_SCRIPT = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end`;

/**
 * Redis implementation: `SET key lease NX PX leaseMs` claims, `SET key done EX retention`
 * completes. One Redis round trip per claim in the common case.
 */
export function createRedisDedupeStore(options: RedisDedupeStoreOptions): DedupeStore {
  const { redis } = options;
  const prefix = options.keyPrefix ?? 'dedupe:';
  const retentionSeconds = options.retentionSeconds ?? 7 * 24 * 3600;
  const leaseMs = options.leaseMs ?? 30_000;
  /** Lease tokens of the claims this process holds, by key. */
  const leases = new Map<string, string>();

  return {
    async claim(key) {
      const token = `lease:${randomUUID()}`;
      const set = await redis.set(prefix + key, token, 'PX', leaseMs, 'NX');
      if (set === 'OK') {
        leases.set(key, token);
        return 'claimed';
      }
      const current = await redis.get(prefix + key);
      if (current === DONE) return 'done';
      // Held by someone else (or expired just now: the next attempt will claim it).
      return 'busy';
    },
    async complete(key) {
      leases.delete(key);
      await redis.set(prefix + key, DONE, 'EX', retentionSeconds);
    },
    async release(key) {
      const token = leases.get(key);
      leases.delete(key);
      if (token) await redis.eval(RELEASE_SCRIPT, 1, prefix + key, token);
    },
  };
}
