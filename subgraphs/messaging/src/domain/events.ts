/**
 * Events messaging writes to its outbox (`"messaging"."outbox"`), checked against the shared catalog
 * (@switchboard/events) when built: a payload that does not match is a bug here, never a message
 * the relay publishes and consumers park. The relay wraps each row in the envelope, with the row's
 * id (time-ordered, see `eventId` in @switchboard/events) as the event id. Payloads hold addresses
 * and text: never log them.
 */
import {
  createEvent,
  emailRequested,
  eventId,
  messageReceived,
  messageStatusApplied,
  smsRequested,
  templateStatusReported,
  whatsappRequested,
  type EventDefinition,
  type PayloadOf,
} from '@switchboard/events';
import type { z } from 'zod';
import type { OutboxEvent } from '../store/outbox';

export interface EventContext {
  organizationId: string;
  traceId: string | null;
}

function toOutbox<T extends string, P extends z.ZodType>(definition: EventDefinition<T, P>, payload: z.input<P>, ctx: EventContext): OutboxEvent {
  const event = createEvent(definition, payload, { id: eventId(), organizationId: ctx.organizationId, traceId: ctx.traceId });
  return {
    id: event.id,
    type: event.type,
    payload: event.payload as OutboxEvent['payload'],
    organizationId: ctx.organizationId,
    traceId: ctx.traceId,
  };
}

export const emailRequestedEvent = (ctx: EventContext, payload: PayloadOf<typeof emailRequested>) => toOutbox(emailRequested, payload, ctx);
export const smsRequestedEvent = (ctx: EventContext, payload: PayloadOf<typeof smsRequested>) => toOutbox(smsRequested, payload, ctx);
export const whatsappRequestedEvent = (ctx: EventContext, payload: PayloadOf<typeof whatsappRequested>) =>
  toOutbox(whatsappRequested, payload, ctx);
export const messageReceivedEvent = (ctx: EventContext, payload: z.input<(typeof messageReceived)['payload']>) =>
  toOutbox(messageReceived, payload, ctx);
export const messageStatusChangedEvent = (ctx: EventContext, payload: PayloadOf<typeof messageStatusApplied>) =>
  toOutbox(messageStatusApplied, payload, ctx);
export const templateStatusReportedEvent = (ctx: EventContext, payload: PayloadOf<typeof templateStatusReported>) =>
  toOutbox(templateStatusReported, payload, ctx);
