import type { Redis } from 'ioredis';
import { pause, type WaitContext } from './waits';

/**
 * Token bucket per sender, in Redis so every worker process shares it. One atomic script call
 * refills the bucket from the time elapsed (Redis's clock, so workers' clocks do not matter) and
 * takes a token, or says how long until one is there.
 *
 * KEYS[1] bucket; ARGV[1] refill rate (tokens per second); ARGV[2] capacity (tokens).
 * Returns {1, 0} when a token was taken, {0, ms to wait} otherwise.
 */
const TAKE_TOKEN = `
local rate = tonumber(ARGV[1])
local capacity = tonumber(ARGV[2])
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + tonumber(time[2]) / 1000
local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(state[1])
local at = tonumber(state[2])
if tokens == nil or at == nil then
  tokens = capacity
  at = now
end
if now > at then
  tokens = math.min(capacity, tokens + (now - at) * rate / 1000)
end
if tokens >= 1 then
  redis.call('HSET', KEYS[1], 'tokens', string.format('%.6f', tokens - 1), 'at', string.format('%.3f', math.max(now, at)))
  redis.call('PEXPIRE', KEYS[1], math.ceil(capacity / rate * 1000) + 1000)
  return {1, 0}
end
return {0, math.max(1, math.ceil((1 - tokens) * 1000 / rate))}
`;

export interface RateLimiterOptions {
  redis: Redis;
  /** Prefix of the bucket keys (default `ratelimit:sender:`), before the sender id. */
  keyPrefix?: string;
  /**
   * Tokens the bucket holds (default 1). With 1, sends are spaced by 1/rate, so no one-second
   * window ever holds more than `rate` sends; a larger bucket allows bursts after idle time (up
   * to burst + rate in one second).
   */
  burst?: number;
  /**
   * Share of the rate held back (default 0.05). The provider counts requests when they arrive,
   * after a network and processing delay that varies; withholding 5 % leaves ~50 ms per second
   * for that jitter, so the provider never sees more than the rate in any one-second window.
   */
  headroom?: number;
}

export interface RateLimiter {
  /** Waits (never fails, but ends when the worker stops) until the sender may send one message; returns the time waited in ms. */
  acquire(senderId: string, perSecond: number, ctx: WaitContext): Promise<number>;
}

/** The script as a command (`defineCommand` sends EVALSHA, and the script only when Redis lacks it). */
interface TokenCommand {
  takeSenderToken(key: string, rate: string, capacity: string): Promise<[number, number]>;
}

export function createRateLimiter(options: RateLimiterOptions): RateLimiter {
  const redis = options.redis as Redis & Partial<TokenCommand>;
  const prefix = options.keyPrefix ?? 'ratelimit:sender:';
  const burst = Math.max(1, options.burst ?? 1);
  const headroom = options.headroom ?? 0.05;
  if (!(headroom >= 0 && headroom < 0.5)) throw new Error(`rate limit headroom must be in [0, 0.5) (got ${headroom})`);
  if (!redis.takeSenderToken) redis.defineCommand('takeSenderToken', { numberOfKeys: 1, lua: TAKE_TOKEN });
  const commands = redis as Redis & TokenCommand;

  return {
    async acquire(senderId, perSecond, ctx) {
      if (!(perSecond > 0)) throw new Error(`rate limit of sender ${senderId} must be positive (got ${perSecond})`);
      const refill = String(perSecond * (1 - headroom));
      const started = Date.now();
      for (;;) {
        const [granted, waitMs] = await commands.takeSenderToken(prefix + senderId, refill, String(burst));
        if (granted === 1) return Date.now() - started;
        await pause(waitMs, ctx);
      }
    },
  };
}
