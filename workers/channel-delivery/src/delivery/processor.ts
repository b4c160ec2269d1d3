// The pure part of a delivery: what to do with a request given what was recorded, what a failed
// attempt leads to, and which events describe an outcome. No I/O here (style.md: processor).
import {
  createEvent,
  messageDeadLettered,
  messageStatusChanged,
  type Channel,
  type EventEnvelope,
  type SwitchboardEvent,
} from '@switchboard/events';
import { backoffMs } from '@switchboard/kafka';
import type { ProviderError } from '../providers/provider';
import { derivedEventId } from './event-ids';

/** The request fields a delivery needs, whatever the channel. */
export interface RequestRef {
  /** The message.requested.* event's id. */
  eventId: string;
  organizationId: string | null;
  traceId: string | null;
  channel: Channel;
  messageId: string;
  conversationId: string | null;
}

/**
 * How a delivery ended; stored in Redis (`delivery:<messageId>`) before it is published, so a
 * redelivered request re-publishes it instead of sending again.
 */
export type DeliveryOutcome =
  | { status: 'SENT'; requestEventId: string; providerMessageId: string; attempts: number; at: string }
  | { status: 'FAILED'; requestEventId: string; errorCode: string; reason: string; attempts: number; at: string };

export type RequestPlan = { kind: 'send' } | { kind: 'republish'; outcome: DeliveryOutcome };

/**
 * A message the provider accepted is never sent again, whichever request asks. A failure is
 * final for the request that failed; a new request for the same message (a retry asked by
 * messaging) is tried again.
 */
export function planRequest(request: RequestRef, recorded: DeliveryOutcome | null): RequestPlan {
  if (recorded === null) return { kind: 'send' };
  if (recorded.status === 'SENT' || recorded.requestEventId === request.eventId) return { kind: 'republish', outcome: recorded };
  return { kind: 'send' };
}

export interface RetryPolicy {
  /** Provider calls per request, the first included (e.g. 5). */
  maxAttempts: number;
  /** First backoff (e.g. 200 ms), doubling with jitter up to `capMs` (e.g. 30 s). */
  baseMs: number;
  capMs: number;
}

export type FailureStep = { kind: 'retry'; delayMs: number } | { kind: 'give-up'; errorCode: string; reason: string };

/**
 * After attempt number `attempt` (1-based) failed: permanent errors give up at once; transient
 * and rate-limit errors wait (exponential backoff with jitter, at least the provider's
 * Retry-After, at most the cap) until the last attempt.
 */
export function afterFailure(error: ProviderError, attempt: number, policy: RetryPolicy, jittered = backoffMs): FailureStep {
  if (error.kind === 'PERMANENT') return { kind: 'give-up', errorCode: error.code, reason: error.reason };
  if (attempt >= policy.maxAttempts) {
    return {
      kind: 'give-up',
      errorCode: error.code,
      reason: `gave up after ${attempt} attempt${attempt === 1 ? '' : 's'}: ${error.reason}`,
    };
  }
  const backoff = jittered(attempt, policy.baseMs, policy.capMs);
  return { kind: 'retry', delayMs: Math.min(policy.capMs, Math.max(backoff, error.retryAfterMs ?? 0)) };
}

function meta(request: RequestRef, name: string, occurredAt: string) {
  return { id: derivedEventId(`${request.eventId}:${name}`), organizationId: request.organizationId, traceId: request.traceId, occurredAt };
}

/**
 * `message.status` SENDING, published as each provider call starts, with its attempt number:
 * messaging keeps the highest attempt reported, so a redelivered or late SENDING counts once.
 */
export function sendingEvent(request: RequestRef, attempt: number, at: string): SwitchboardEvent {
  return createEvent(
    messageStatusChanged,
    {
      messageId: request.messageId,
      channel: request.channel,
      conversationId: request.conversationId,
      status: 'SENDING',
      providerMessageId: null,
      errorCode: null,
      errorReason: null,
      source: 'WORKER',
      occurredAt: at,
      attempt,
    },
    meta(request, `SENDING:${attempt}`, at),
  );
}

/** The events announcing an outcome: `message.status` SENT, or FAILED plus `message.dead_lettered`. */
export function outcomeEvents(request: RequestRef, outcome: DeliveryOutcome): EventEnvelope[] {
  const status = createEvent(
    messageStatusChanged,
    {
      messageId: request.messageId,
      channel: request.channel,
      conversationId: request.conversationId,
      status: outcome.status,
      providerMessageId: outcome.status === 'SENT' ? outcome.providerMessageId : null,
      errorCode: outcome.status === 'FAILED' ? outcome.errorCode : null,
      errorReason: outcome.status === 'FAILED' ? outcome.reason : null,
      source: 'WORKER',
      occurredAt: outcome.at,
      attempt: Math.max(1, outcome.attempts),
    },
    meta(request, outcome.status, outcome.at),
  );
  if (outcome.status === 'SENT') return [status];
  const deadLettered = createEvent(
    messageDeadLettered,
    {
      messageId: request.messageId,
      channel: request.channel,
      conversationId: request.conversationId,
      requestEventId: outcome.requestEventId,
      attempts: Math.max(1, outcome.attempts),
      errorCode: outcome.errorCode,
      reason: outcome.reason,
      lastAttemptAt: outcome.at,
    },
    meta(request, 'DEAD_LETTERED', outcome.at),
  );
  return [status, deadLettered];
}
