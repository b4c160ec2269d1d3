import type { Prisma } from '@switchboard/db';

/** An event to append to the messaging schema's outbox, in the transaction of the change it reports. */
export interface OutboxEvent {
  /** Becomes the event id (the relay publishes the row's id as the envelope id). */
  id: string;
  type: string;
  payload: Prisma.InputJsonValue;
  organizationId: string | null;
  traceId: string | null;
}

/** The outbox relay LISTENs here; the notification is delivered when the transaction commits. */
export const OUTBOX_NOTIFY_CHANNEL = 'switchboard_outbox';

export async function appendOutbox(db: Prisma.TransactionClient, events: OutboxEvent[]): Promise<void> {
  if (events.length === 0) return;
  await db.messagingOutboxEvent.createMany({
    data: events.map((event) => ({
      id: event.id,
      type: event.type,
      payload: event.payload,
      organizationId: event.organizationId,
      traceId: event.traceId,
    })),
  });
  await db.$executeRaw`SELECT pg_notify(${OUTBOX_NOTIFY_CHANNEL}, 'messaging')`;
}

/**
 * The `outbox` CTE of a statement that writes messages and their events together: inserts the
 * events (six array parameters from `$first`, see outboxParams) of the messages the CTE named
 * `written` returned, so a message refused by the statement takes its events with it.
 */
export function outboxCte(first: number, written: string): string {
  const [id, type, payload, organizationId, traceId, messageId] = Array.from({ length: 6 }, (_, i) => `$${first + i}`);
  return `outbox AS (
    INSERT INTO "messaging"."outbox" (id, type, payload, organization_id, trace_id)
    SELECT o.id, o.type, o.payload::jsonb, o.organization_id, o.trace_id
      FROM unnest(${id}::uuid[], ${type}::text[], ${payload}::text[], ${organizationId}::uuid[], ${traceId}::text[], ${messageId}::uuid[])
        AS o(id, type, payload, organization_id, trace_id, message_id)
     WHERE o.message_id IN (SELECT id FROM ${written})
    RETURNING 1
  )`;
}

/** The six array parameters of outboxCte: the events, each with the message it belongs to. */
export function outboxParams(events: readonly { event: OutboxEvent; messageId: string }[]): unknown[] {
  return [
    events.map((e) => e.event.id),
    events.map((e) => e.event.type),
    events.map((e) => JSON.stringify(e.event.payload)),
    events.map((e) => e.event.organizationId),
    events.map((e) => e.event.traceId),
    events.map((e) => e.messageId),
  ];
}
