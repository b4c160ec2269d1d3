import { sleep } from '@switchboard/kafka';

/** Thrown out of a delivery when the worker stops during a wait: the offset stays uncommitted. */
export class DeliveryInterrupted extends Error {
  override readonly name = 'DeliveryInterrupted';

  constructor() {
    super('delivery interrupted: the worker is stopping (the request will be redelivered)');
  }
}

/** What a long-running delivery needs while it waits: shutdown, and the group's liveness. */
export interface WaitContext {
  /** Aborted when the worker stops. */
  signal: AbortSignal;
  /** Tells the group coordinator this member is alive (kafkajs throttles it to its interval). Throws during a rebalance. */
  heartbeat(): Promise<void>;
  /** Longest sleep between heartbeats. */
  heartbeatIntervalMs: number;
}

/**
 * Waits `ms`, heartbeating in between. Throws DeliveryInterrupted when the worker stops, and the
 * heartbeat's error when the group rebalances (the partition may go to another member: give it up).
 */
export async function pause(ms: number, ctx: WaitContext): Promise<void> {
  const until = Date.now() + ms;
  for (;;) {
    if (ctx.signal.aborted) throw new DeliveryInterrupted();
    const left = until - Date.now();
    if (left <= 0) return;
    await sleep(Math.min(left, ctx.heartbeatIntervalMs), ctx.signal);
    if (ctx.signal.aborted) throw new DeliveryInterrupted();
    await ctx.heartbeat();
  }
}
