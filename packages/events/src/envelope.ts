import { z } from 'zod';
import { id, isoDateTime } from './schema-helpers';

/**
 * The envelope every event travels in. `id` is unique per event (consumers de-duplicate on it);
 * `organizationId` is null only for account events (password reset); `occurredAt` is when the
 * change was committed; `traceId` is the request that caused it, when there was one.
 */
export interface EventEnvelope<TType extends string = string, TPayload = unknown> {
  id: string;
  type: TType;
  version: number;
  organizationId: string | null;
  occurredAt: string;
  traceId: string | null;
  payload: TPayload;
}

export const envelopeSchema = z.object({
  id,
  type: z.string().min(1).max(200),
  version: z.number().int().min(1),
  organizationId: id.nullable(),
  occurredAt: isoDateTime,
  traceId: z.string().min(1).max(200).nullable(),
  payload: z.unknown(),
});

/** Kafka headers set on every published event, so routing and tracing need no JSON parsing. */
export const EVENT_HEADERS = {
  id: 'event-id',
  type: 'event-type',
  version: 'event-version',
  traceId: 'trace-id',
} as const;
