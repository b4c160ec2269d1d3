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
