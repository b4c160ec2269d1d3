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

/**
 * `begin` in one command: the outcome, and the attempt counter incremented (and kept as long as
 * outcomes are). A MULTI of the three cost the worker about five times the client CPU of one
 * script call.
 */
const BEGIN_SCRIPT = `
local outcome = redis.call('GET', KEYS[1])
local attempt = redis.call('INCR', KEYS[2])
redis.call('EXPIRE', KEYS[2], ARGV[1])
return {outcome, attempt}`;

type BeginCommand = (outcomeKey: string, attemptsKey: string, ttlSeconds: number) => Promise<[string | null, number]>;

export function createDeliveryRecords(options: DeliveryRecordsOptions): DeliveryRecords {
  const { redis } = options;
  const prefix = options.keyPrefix ?? 'delivery:';
  const ttlSeconds = options.ttlSeconds ?? 30 * 24 * 3600;
  const attemptsKey = (messageId: string) => `${prefix}${messageId}:attempts`;
  const commands = redis as unknown as { switchboardDeliveryBegin?: BeginCommand };
  // Defined once per connection (sent as EVALSHA, loaded on first use; keys get the key prefix).
  if (!commands.switchboardDeliveryBegin) redis.defineCommand('switchboardDeliveryBegin', { numberOfKeys: 2, lua: BEGIN_SCRIPT });
  const begin = commands.switchboardDeliveryBegin!.bind(redis);
  return {
    async begin(messageId) {
      const [outcome, attempt] = await begin(prefix + messageId, attemptsKey(messageId), ttlSeconds);
      return { outcome: parse(outcome), attempt: Number(attempt) };
    },
    async nextAttempt(messageId) {
      const results = await redis.multi().incr(attemptsKey(messageId)).expire(attemptsKey(messageId), ttlSeconds).exec();
      const [error, attempt] = results?.[0] ?? [new Error('Redis transaction aborted'), null];
      if (error) throw error;
      return Number(attempt);
    },
    async undoAttempt(messageId) {
      await redis.decr(attemptsKey(messageId));
    },
    async put(messageId, outcome) {
      await redis.set(prefix + messageId, JSON.stringify(outcome), 'EX', ttlSeconds);
    },
  };
}
