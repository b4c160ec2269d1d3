import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { createRateLimiter } from './rate-limiter';
import { DeliveryInterrupted, type WaitContext } from './waits';

const prefix = `test:rate-limiter:${randomUUID()}:`;
const url = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
// Two connections: two worker processes sharing the buckets.
const redisA = new Redis(url, { keyPrefix: prefix });
const redisB = new Redis(url, { keyPrefix: prefix });
const ctx = (signal = new AbortController().signal): WaitContext => ({ signal, heartbeat: async () => {}, heartbeatIntervalMs: 1_000 });

afterAll(async () => {
  const keys = await redisA.keys(`${prefix}*`);
  const plain = new Redis(url);
  if (keys.length > 0) await plain.del(...keys);
  plain.disconnect();
  redisA.disconnect();
  redisB.disconnect();
});

describe('Redis token bucket', () => {
  it('spaces one sender’s sends by 1/rate across processes, so no second holds more than the rate', async () => {
    const senderId = randomUUID();
    const limiters = [createRateLimiter({ redis: redisA }), createRateLimiter({ redis: redisB })];
    const granted: number[] = [];
    await Promise.all(
      limiters.map(async (limiter) => {
        for (let i = 0; i < 6; i++) {
          await limiter.acquire(senderId, 10, ctx());
          granted.push(Date.now());
        }
      }),
    );
    granted.sort((a, b) => a - b);
    expect(granted).toHaveLength(12);
    // 11 gaps of 1/(10 × 0.95) s ≈ 105 ms: more than a second, however the two processes interleave.
    expect(granted.at(-1)! - granted[0]!).toBeGreaterThanOrEqual(1_150);
    const busiest = Math.max(...granted.map((t) => granted.filter((u) => u >= t && u < t + 1_000).length));
    expect(busiest).toBeLessThanOrEqual(10);
  });

  it('keeps senders apart', async () => {
    const limiter = createRateLimiter({ redis: redisA });
    const started = Date.now();
    await Promise.all([randomUUID(), randomUUID(), randomUUID()].map((senderId) => limiter.acquire(senderId, 1, ctx())));
    expect(Date.now() - started).toBeLessThan(500);
  });

  it('lets a burst through after idle time when the bucket holds more than one token', async () => {
    const limiter = createRateLimiter({ redis: redisA, keyPrefix: 'burst:', burst: 5, headroom: 0 });
    const senderId = randomUUID();
    const started = Date.now();
    for (let i = 0; i < 5; i++) await limiter.acquire(senderId, 1, ctx());
    expect(Date.now() - started).toBeLessThan(500);
    const waited = await limiter.acquire(senderId, 1, ctx());
    expect(waited).toBeGreaterThanOrEqual(800);
  });

  it('stops waiting when the worker stops', async () => {
    const limiter = createRateLimiter({ redis: redisA });
    const senderId = randomUUID();
    await limiter.acquire(senderId, 0.1, ctx()); // the next token is 10 s away
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    await expect(limiter.acquire(senderId, 0.1, ctx(controller.signal))).rejects.toBeInstanceOf(DeliveryInterrupted);
  });
});
