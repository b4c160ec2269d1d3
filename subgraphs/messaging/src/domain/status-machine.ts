/**
 * The delivery status state machine. Statuses only move forward:
 *
 *   QUEUED → SENDING → SENT → DELIVERED → READ        FAILED, UNDELIVERED: terminal
 *
 * Providers repeat callbacks and deliver them out of order (a "sent" after "delivered", a "read"
 * with no "delivered" before it): a status at or behind the current one is ignored, a terminal
 * message never changes again, and READ records the skipped DELIVERED first. A message that was
 * DELIVERED (or READ) cannot fail any more: a late failure report is out of order.
 */

export const MESSAGE_STATUSES = ['QUEUED', 'SENDING', 'SENT', 'DELIVERED', 'READ', 'FAILED', 'UNDELIVERED'] as const;
export type MessageStatus = (typeof MESSAGE_STATUSES)[number];

const PROGRESS: Record<Exclude<MessageStatus, 'FAILED' | 'UNDELIVERED'>, number> = {
  QUEUED: 0,
  SENDING: 1,
  SENT: 2,
  DELIVERED: 3,
  READ: 4,
};

export function isTerminal(status: MessageStatus): status is 'FAILED' | 'UNDELIVERED' {
  return status === 'FAILED' || status === 'UNDELIVERED';
}

export type IgnoredBecause = 'DUPLICATE' | 'BACKWARDS' | 'TERMINAL';

export type Transition =
  /** Apply these statuses in order (the last is the new status). `implied` ones were skipped by the provider. */
  | { kind: 'apply'; steps: { status: MessageStatus; implied: boolean }[] }
  | { kind: 'ignore'; because: IgnoredBecause };

/** What reporting `next` does to a message that is `current`. */
export function planTransition(current: MessageStatus, next: MessageStatus): Transition {
  if (current === next) return { kind: 'ignore', because: 'DUPLICATE' };
  if (isTerminal(current)) return { kind: 'ignore', because: 'TERMINAL' };
  const from = PROGRESS[current];
  if (isTerminal(next)) {
    return from < PROGRESS.DELIVERED ? { kind: 'apply', steps: [{ status: next, implied: false }] } : { kind: 'ignore', because: 'BACKWARDS' };
  }
  const to = PROGRESS[next];
  if (to <= from) return { kind: 'ignore', because: 'BACKWARDS' };
  if (next === 'READ' && from < PROGRESS.DELIVERED) {
    return {
      kind: 'apply',
      steps: [
        { status: 'DELIVERED', implied: true },
        { status: 'READ', implied: false },
      ],
    };
  }
  return { kind: 'apply', steps: [{ status: next, implied: false }] };
}

/** Orders statuses the way they happen (for applying a batch of reports that arrived together). */
export function progressOrder(a: MessageStatus, b: MessageStatus): number {
  const rank = (s: MessageStatus) => (isTerminal(s) ? 5 : PROGRESS[s]);
  return rank(a) - rank(b);
}
