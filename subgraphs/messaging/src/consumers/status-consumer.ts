import type { Logger } from '@switchboard/config';
import type { EventOfType, SwitchboardEvent } from '@switchboard/events';
import type { StatusService } from '../domain/status-service';

/** Topics of the status consumer. */
export const STATUS_TOPICS = ['message.status', 'message.dead_lettered'] as const;

/**
 * Applies `message.status` (channel workers, or any producer) through the status service's
 * forward-only state machine; `message.dead_lettered` fails the message with the worker's reason
 * and attempt count. Idempotent on the event id (recorded with the status entry) and harmless for
 * duplicates and out-of-order reports. Each applied change writes `message.status_changed` to
 * the outbox in the same transaction; the offset is committed after it (runConsumer).
 */
export function statusHandler(statuses: StatusService, log: Logger) {
  return async (event: SwitchboardEvent): Promise<void> => {
    let outcome;
    if (event.type === 'message.status') outcome = await applyStatus(statuses, event);
    else if (event.type === 'message.dead_lettered') outcome = await applyDeadLetter(statuses, event);
    else return;
    if (outcome.kind === 'UNKNOWN_MESSAGE') log.warn({ eventId: event.id, type: event.type }, 'status for an unknown message; skipped');
  };
}

function applyStatus(statuses: StatusService, event: EventOfType<'message.status'>) {
  const p = event.payload;
  return statuses.apply({
    organizationId: event.organizationId,
    messageId: p.messageId,
    status: p.status,
    at: new Date(p.occurredAt),
    source: p.source,
    providerMessageId: p.providerMessageId,
    errorCode: p.errorCode,
    errorReason: p.errorReason,
    eventId: event.id,
    traceId: event.traceId,
  });
}

function applyDeadLetter(statuses: StatusService, event: EventOfType<'message.dead_lettered'>) {
  const p = event.payload;
  return statuses.apply({
    organizationId: event.organizationId,
    messageId: p.messageId,
    status: 'FAILED',
    at: new Date(p.lastAttemptAt),
    source: 'WORKER',
    providerMessageId: null,
    errorCode: p.errorCode,
    errorReason: p.reason,
    eventId: event.id,
    traceId: event.traceId,
    attempts: p.attempts,
  });
}
