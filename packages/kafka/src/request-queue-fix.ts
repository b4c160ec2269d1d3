import { createRequire } from 'node:module';

/**
 * kafkajs 2.2.4 keeps a 1 ms timer running forever on every connection that has had an answer:
 * `RequestQueue.scheduleCheckPendingRequests` arms a timer even when nothing waits to be sent, with
 * a negative delay (Node runs it after 1 ms, and Node 24 warns `TimeoutNegativeWarning`), and the
 * timer's check arms the next one. An idle process woke about a thousand times a second per
 * connection. Upstream issues tulios/kafkajs#1556, #1604 and #1704 describe it; no release fixes it.
 *
 * The replacement arms a timer only for requests that wait: for the end of a broker's throttling,
 * or, when none is in force, kafkajs's own 10 ms re-check. A request that cannot be sent at once is
 * queued by `push`, which schedules the check; an answer or a timeout checks the queue again.
 */
const CHECK_PENDING_REQUESTS_INTERVAL_MS = 10;

interface RequestQueueInternals {
  pending: unknown[];
  throttledUntil: number;
  throttleCheckTimeoutId: NodeJS.Timeout | null;
  checkPendingRequests(): void;
  scheduleCheckPendingRequests(): void;
}

/** The replacement (exported for tests). */
export function scheduleCheckPendingRequests(this: RequestQueueInternals): void {
  if (this.throttleCheckTimeoutId) return;
  const untilUnthrottled = this.throttledUntil - Date.now();
  let delayMs: number;
  if (this.pending.length > 0) delayMs = untilUnthrottled > 0 ? untilUnthrottled : CHECK_PENDING_REQUESTS_INTERVAL_MS;
  else if (untilUnthrottled > 0) delayMs = untilUnthrottled;
  else return;
  this.throttleCheckTimeoutId = setTimeout(() => {
    this.throttleCheckTimeoutId = null;
    this.checkPendingRequests();
  }, delayMs);
}

/** The kafkajs version whose request queue this replaces; any other is left as it is. */
export const PATCHED_KAFKAJS_VERSION = '2.2.4';

/** Replaces the method on kafkajs's RequestQueue (once per process); true when kafkajs is the patched version. */
export function fixRequestQueueTimers(): boolean {
  const { version } = requireFromKafkajs('./package.json') as { version: string };
  if (version !== PATCHED_KAFKAJS_VERSION) return false;
  kafkajsRequestQueue().prototype.scheduleCheckPendingRequests = scheduleCheckPendingRequests;
  return true;
}

const requireFromKafkajs = createRequire(require.resolve('kafkajs'));

/** kafkajs's RequestQueue class (one per connection). */
export function kafkajsRequestQueue(): { prototype: RequestQueueInternals } {
  return requireFromKafkajs('./src/network/requestQueue') as { prototype: RequestQueueInternals };
}
