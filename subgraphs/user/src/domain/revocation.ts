import type { Redis } from 'ioredis';
import { revocationKeys } from '@switchboard/subgraph-kit';

/**
 * Tells the gateway to refuse access tokens before they expire (the keys it reads). Entries live
 * as long as an access token can, after which every token they cover has expired anyway.
 */
export class AccessRevocation {
  constructor(
    private readonly redis: Redis,
    private readonly accessTokenTtlSeconds: number,
  ) {}

  /** Every access token of these sessions is refused from now on. */
  async revokeSessions(familyIds: readonly string[]): Promise<void> {
    if (familyIds.length === 0) return;
    const pipeline = this.redis.multi();
    for (const familyId of new Set(familyIds)) {
      pipeline.set(revocationKeys.session(familyId), '1', 'EX', this.accessTokenTtlSeconds);
    }
    await pipeline.exec();
  }

  /**
   * The user's membership in the organization changed now: access tokens issued at or before
   * this second are refused, so a new role (or a removal) applies at once.
   */
  async membershipChanged(organizationId: string, userId: string, now: Date): Promise<void> {
    await this.redis.set(
      revocationKeys.membership(organizationId, userId),
      String(Math.floor(now.getTime() / 1000)),
      'EX',
      this.accessTokenTtlSeconds + 60,
    );
  }

  /**
   * Tokens issued in the same second as a membership change would be refused too (the gateway
   * compares whole seconds). Before issuing one, wait until the second after the change.
   */
  async waitPastMembershipChange(organizationId: string, userId: string): Promise<void> {
    const changedAt = Number(await this.redis.get(revocationKeys.membership(organizationId, userId)));
    if (!Number.isFinite(changedAt) || changedAt <= 0) return;
    const issuableFrom = (changedAt + 1) * 1000;
    if (issuableFrom - Date.now() > 1_100) return; // a clock far behind: nothing sensible to wait for
    // Timers may fire a millisecond early; re-check the clock so the token's `iat` is past the change.
    while (Date.now() < issuableFrom) {
      await new Promise((resolve) => setTimeout(resolve, issuableFrom - Date.now() + 2));
    }
  }
}
