import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { tooManyRequests } from '@switchboard/subgraph-kit';

export interface WindowLimit {
  maxFailures: number;
  windowSeconds: number;
}

export interface LoginLimits {
  perAccount: WindowLimit;
  perIp: WindowLimit;
}

export const DEFAULT_LOGIN_LIMITS: LoginLimits = {
  perAccount: { maxFailures: 5, windowSeconds: 15 * 60 },
  perIp: { maxFailures: 20, windowSeconds: 15 * 60 },
};

/**
 * Failed sign-in attempts counted per account and per client IP in Redis, in fixed windows
 * (INCR, and EXPIRE when the window opens). While either count is at its limit, sign-in is
 * refused with TOO_MANY_REQUESTS and the seconds until the window closes. Account keys hold a
 * hash of the address, never the address itself.
 */
export class LoginLimiter {
  constructor(
    private readonly redis: Redis,
    private readonly limits: LoginLimits = DEFAULT_LOGIN_LIMITS,
  ) {}

  private accountKey(email: string): string {
    return `auth:login-failures:account:${createHash('sha256').update(email).digest('hex').slice(0, 32)}`;
  }

  private ipKey(ip: string): string {
    return `auth:login-failures:ip:${ip}`;
  }

  /** Throws TOO_MANY_REQUESTS when the account or the IP has used up its failures. */
  async assertAllowed(email: string, ip: string): Promise<void> {
    const accountKey = this.accountKey(email);
    const ipKey = this.ipKey(ip);
    const results = await this.redis.multi().get(accountKey).ttl(accountKey).get(ipKey).ttl(ipKey).exec();
    const value = (index: number) => Number(results?.[index]?.[1] ?? 0) || 0;
    const checks: [number, number, WindowLimit][] = [
      [value(0), value(1), this.limits.perAccount],
      [value(2), value(3), this.limits.perIp],
    ];
    const blocked = checks.filter(([count, , limit]) => count >= limit.maxFailures);
    if (blocked.length > 0) {
      const retryAfterSeconds = Math.max(
        ...blocked.map(([, ttl, limit]) => (ttl > 0 ? ttl : limit.windowSeconds)),
      );
      throw tooManyRequests(
        `Too many failed sign-in attempts; try again in ${retryAfterSeconds} seconds`,
        retryAfterSeconds,
      );
    }
  }

  async recordFailure(email: string, ip: string): Promise<void> {
    const accountKey = this.accountKey(email);
    const ipKey = this.ipKey(ip);
    await this.redis
      .multi()
      .incr(accountKey)
      .expire(accountKey, this.limits.perAccount.windowSeconds, 'NX')
      .incr(ipKey)
      .expire(ipKey, this.limits.perIp.windowSeconds, 'NX')
      .exec();
  }

  /** A successful sign-in clears the account's count (the IP's keeps counting down). */
  async recordSuccess(email: string): Promise<void> {
    await this.redis.del(this.accountKey(email));
  }
}
