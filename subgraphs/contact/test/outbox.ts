import { eventCatalog, type EventOfType } from '@switchboard/events';
import type { PrismaClient } from '@switchboard/db';

/** A `contact.outbox` row decoded the way the outbox relay publishes it (envelope checked by the catalog). */
export interface OutboxEvent {
  row: { id: string; type: string; organizationId: string | null; traceId: string | null; createdAt: Date; publishedAt: Date | null };
  event: EventOfType<'contact.changed'>;
}

/**
 * The contact schema's outbox rows (of one organization, or all), oldest first as the relay sends
 * them, each wrapped in the envelope the relay builds (event id = row id, occurredAt = created_at)
 * and parsed by the shared catalog — a row the catalog refuses fails the test here.
 */
export async function outboxEvents(prisma: PrismaClient, organizationId?: string): Promise<OutboxEvent[]> {
  const rows = await prisma.contactOutboxEvent.findMany({
    where: organizationId ? { organizationId } : {},
    orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
  });
  return rows.map((row) => {
    const definition = eventCatalog.find(row.type);
    if (!definition) throw new Error(`outbox row of unknown type ${row.type}`);
    const event = eventCatalog.parse({
      id: row.id,
      type: row.type,
      version: definition.version,
      organizationId: row.organizationId,
      occurredAt: row.createdAt.toISOString(),
      traceId: row.traceId,
      payload: row.payload,
    }) as EventOfType<'contact.changed'>;
    const { payload: _payload, ...meta } = row;
    return { row: meta, event };
  });
}

/** The events of one contact, oldest first. */
export async function eventsOf(prisma: PrismaClient, contactId: string): Promise<EventOfType<'contact.changed'>[]> {
  return (await outboxEvents(prisma)).map((e) => e.event).filter((event) => event.payload.contactId === contactId);
}
