import { createCatalog, type EncodedEvent, type EventOf } from './catalog';
import { messageEvents } from './events/message';
import { projectionEvents } from './events/projections';
import { userEvents } from './events/user';

export { defineEvent, type EventDefinition, type PayloadOf } from './define-event';
export { EVENT_HEADERS, envelopeSchema, type EventEnvelope } from './envelope';
export { UnreadableEventError, isUnreadableEventError, type EventIssue, type UnreadableReason } from './errors';
export { EventCatalog, createCatalog, createEvent, type EncodedEvent, type EventMeta, type EventOf } from './catalog';
export { eventId } from './event-ids';
export { channel as channelSchema, type Channel } from './schema-helpers';
export * from './events/user';
export * from './events/message';
export * from './events/projections';
export { SAMPLE_PAYLOADS } from './events/fixtures';

/** Every event definition of Switchboard. */
export const eventDefinitions = [...userEvents, ...messageEvents, ...projectionEvents] as const;

/** The catalog shared by every producer and consumer. */
export const eventCatalog = createCatalog(eventDefinitions);

/** Any event of the catalog, discriminated by `type`. */
export type SwitchboardEvent = EventOf<(typeof eventDefinitions)[number]>;

/** The event of one type. */
export type EventOfType<T extends SwitchboardEvent['type']> = Extract<SwitchboardEvent, { type: T }>;

/** Encodes an envelope for Kafka against the Switchboard catalog (throws UnreadableEventError). */
export function encodeEvent(event: SwitchboardEvent): EncodedEvent {
  return eventCatalog.encode(event);
}

/** Decodes a Kafka message value against the Switchboard catalog (throws UnreadableEventError only). */
export function decodeEvent(value: Buffer | string | null | undefined): SwitchboardEvent {
  return eventCatalog.decode(value);
}
