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
 * `delivery:<messageId>:attempts` counts the attempts begun, across workers: a request redelivered
 * after a worker died mid-attempt goes on counting from there.
 */
export interface DeliveryRecords {
  /**
   * One round trip before a request is handled: the recorded outcome, or none and the number of the
   * attempt that begins now (1, or more after earlier workers' attempts).
   */
  begin(messageId: string): Promise<{ outcome: DeliveryOutcome | null; attempt: number }>;
  /** Another attempt begins (a retry): its number. */
  nextAttempt(messageId: string): Promise<number>;
  /** The attempt just begun ended before the provider was called (shutdown, Redis): not counted. */
  undoAttempt(messageId: string): Promise<void>;
  put(messageId: string, outcome: DeliveryOutcome): Promise<void>;
}

function parse(value: unknown): DeliveryOutcome | null {
  if (typeof value !== 'string') return null;
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
  const attemptsKey = (messageId: string) => `${prefix}${messageId}:attempts`;
  /** Runs a MULTI; a command's error fails the whole call (as a single command's would). */
  const exec = async (multi: ReturnType<Redis['multi']>): Promise<unknown[]> => {
    const results = await multi.exec();
    if (!results) throw new Error('Redis transaction aborted');
    return results.map(([error, value]) => {
      if (error) throw error;
      return value;
    });
  };
  const increment = async (messageId: string) => {
    const [attempt] = await exec(redis.multi().incr(attemptsKey(messageId)).expire(attemptsKey(messageId), ttlSeconds));
    return Number(attempt);
  };
  return {
    async begin(messageId) {
      const [outcome, attempt] = await exec(
        redis.multi().get(prefix + messageId).incr(attemptsKey(messageId)).expire(attemptsKey(messageId), ttlSeconds),
      );
      return { outcome: parse(outcome), attempt: Number(attempt) };
    },
    nextAttempt: increment,
    async undoAttempt(messageId) {
      await redis.decr(attemptsKey(messageId));
    },
    async put(messageId, outcome) {
      await redis.set(prefix + messageId, JSON.stringify(outcome), 'EX', ttlSeconds);
    },
  };
}
