import type { Prisma } from '@switchboard/db';

/** An event to append to the user schema's outbox, in the transaction of the change it reports. */
export interface OutboxEvent {
  type: string;
  payload: Prisma.InputJsonValue;
  organizationId: string | null;
  traceId: string | null;
}

export async function appendOutbox(tx: Prisma.TransactionClient, events: OutboxEvent[]): Promise<void> {
  if (events.length === 0) return;
  await tx.userOutboxEvent.createMany({
    data: events.map((event) => ({
      type: event.type,
      payload: event.payload,
      organizationId: event.organizationId,
      traceId: event.traceId,
    })),
  });
}
