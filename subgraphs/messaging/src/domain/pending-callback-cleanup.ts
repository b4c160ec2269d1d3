import { setTimeout as delay } from 'node:timers/promises';
import type { Logger } from '@switchboard/config';
import type { MessagingStore } from '../store';

/**
 * Kept provider callbacks (see StatusService.reportFromProvider) wait for the worker to record
 * their provider message id, which takes seconds. A callback whose id is never recorded (e.g. for
 * a message sent from the same number by another system) would wait forever: after this many hours
 * it is deleted. A provider's callbacks for a message arrive
 * within minutes, so a week is far beyond any that could still find its message.
 */
export const DEFAULT_PENDING_CALLBACK_RETENTION_HOURS = 7 * 24;

export interface PendingCallbackRetention {
  /** Kept callbacks older than this are deleted (default 168, a week; 0: never). */
  hours?: number;
  /** Callbacks deleted per statement (default 1 000). */
  batchSize?: number;
  /** Time between rounds (default 60 s, with ±50 % jitter so processes started together spread out). */
  intervalMs?: number;
}

export interface PendingCallbackCleanup {
  /** Stops the timer; a statement in flight finishes first. */
  stop(): Promise<void>;
}

/**
 * Deletes kept callbacks past their retention on a timer: each round deletes a batch per
 * statement (each its own transaction: no statement holds many locks or writes much WAL at once)
 * until a batch comes back short, and logs what it deleted, if anything. A failed round is logged
 * and the next one tries again. Several processes may run it: at worst a statement waits for
 * another's rows and deletes fewer.
 */
export function startPendingCallbackCleanup(store: MessagingStore, log: Logger, retention: PendingCallbackRetention = {}): PendingCallbackCleanup {
  const hours = retention.hours ?? DEFAULT_PENDING_CALLBACK_RETENTION_HOURS;
  const batchSize = retention.batchSize ?? 1_000;
  const intervalMs = retention.intervalMs ?? 60_000;
  if (!Number.isFinite(hours) || hours < 0) throw new Error('the retention of kept callbacks must be a number of hours, 0 or more');
  if (!Number.isSafeInteger(batchSize) || batchSize < 1) throw new Error('the batch size of the kept callbacks cleanup must be a positive integer');
  if (!(intervalMs > 0)) throw new Error('the interval of the kept callbacks cleanup must be positive');
  const stopping = new AbortController();

  async function deleteExpired(): Promise<void> {
    let deleted = 0;
    let batches = 0;
    try {
      for (;;) {
        const count = await store.statuses.deleteExpiredPending(hours, batchSize);
        deleted += count;
        batches += 1;
        if (count < batchSize || stopping.signal.aborted) break;
      }
    } finally {
      if (deleted > 0) log.info({ deleted, batches, retentionHours: hours }, 'deleted kept provider callbacks past their retention (no message of ours took their provider id)');
    }
  }

  const running = (async () => {
    if (hours === 0) return;
    let failures = 0;
    while (!stopping.signal.aborted) {
      await delay(intervalMs * (0.5 + Math.random()), undefined, { signal: stopping.signal }).catch(() => {});
      if (stopping.signal.aborted) break;
      try {
        await deleteExpired();
        failures = 0;
      } catch (error) {
        failures += 1;
        const err = error instanceof Error ? error.message : String(error);
        if (failures === 1) log.warn({ err }, 'could not delete kept provider callbacks; trying again at the next interval');
        else log.debug({ failures, err }, 'still failing to delete kept provider callbacks');
      }
    }
  })();

  return {
    async stop() {
      stopping.abort();
      await running;
    },
  };
}
