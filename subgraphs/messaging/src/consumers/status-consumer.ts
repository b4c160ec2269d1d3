import type { Logger } from '@switchboard/config';
import type { EventOfType, SwitchboardEvent } from '@switchboard/events';
import type { StatusReport, StatusService } from '../domain/status-service';

/** Topics of the status consumer. */
export const STATUS_TOPICS = ['message.status', 'message.dead_lettered'] as const;

/**
 * Applies `message.status` (channel workers, or any producer) through the status service's
 * forward-only state machine; `message.dead_lettered` fails the message with the worker's reason
 * and attempt count. A batch of one partition at a time (runConsumer's batch mode): the batch's
 * reports are applied together, in partition order (a message's events share its partition), in
 * two statements when nothing races, shared with the batches of the other partitions handled at the
 * same moment (StatusService.applyShared). Idempotent on the event id (recorded with the status
 * entry) and harmless for duplicates and out-of-order reports. Each applied change writes
 * `message.status_changed` to the outbox in the same statement; the offsets are committed after.
 */
export function statusBatchHandler(statuses: StatusService, log: Logger) {
  return async (events: SwitchboardEvent[]): Promise<void> => {
    const reports: StatusReport[] = [];
    const sources: SwitchboardEvent[] = [];
    for (const event of events) {
      if (event.type === 'message.status') reports.push(statusReport(event));
      else if (event.type === 'message.dead_lettered') reports.push(deadLetterReport(event));
      else continue;
      sources.push(event);
    }
    if (reports.length === 0) return;
    const outcomes = await statuses.applyShared(reports);
    outcomes.forEach((outcome, index) => {
      if (outcome.kind === 'UNKNOWN_MESSAGE') log.warn({ eventId: sources[index]!.id, type: sources[index]!.type }, 'status for an unknown message; skipped');
    });
  };
}

function statusReport(event: EventOfType<'message.status'>): StatusReport {
  const p = event.payload;
  return {
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
    ...(p.attempt !== undefined ? { attempts: p.attempt } : {}),
  };
}

function deadLetterReport(event: EventOfType<'message.dead_lettered'>): StatusReport {
  const p = event.payload;
  return {
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
  };
}
