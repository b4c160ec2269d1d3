import type { Prisma } from '@switchboard/db';

/** An event to append to the template schema's outbox, in the transaction of the change it reports. */
export interface OutboxEvent {
  /** Becomes the event id (the relay publishes the row's id as the envelope id): UUIDv7. */
  id: string;
  type: string;
  payload: Prisma.InputJsonValue;
  organizationId: string;
  traceId: string | null;
  /** The row's `created_at` (the relay's order and the envelope's `occurredAt`). */
  createdAt: Date;
}

/** The outbox relay LISTENs here; the notification is delivered when the transaction commits. */
const RELAY_CHANNEL = 'switchboard_outbox';

export async function appendOutbox(tx: Prisma.TransactionClient, event: OutboxEvent): Promise<void> {
  await tx.templateOutboxEvent.create({ data: event });
  await tx.$executeRaw`SELECT pg_notify(${RELAY_CHANNEL}, 'template')`;
}
