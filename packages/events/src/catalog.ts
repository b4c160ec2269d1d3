import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import type { EventDefinition } from './define-event';
import { EVENT_HEADERS, envelopeSchema, type EventEnvelope } from './envelope';
import { UnreadableEventError } from './errors';
import { describeIssues } from './schema-helpers';

/** The envelope type of a definition (distributes over unions of definitions). */
export type EventOf<D> = D extends EventDefinition<infer T, infer P> ? EventEnvelope<T, z.output<P>> : never;

/** What goes on the wire: the topic, the key, the JSON value and a few headers. */
export interface EncodedEvent {
  topic: string;
  key: string;
  value: string;
  headers: Record<string, string>;
}

export interface EventMeta {
  organizationId: string | null;
  traceId?: string | null;
  /** Defaults to a new random UUID. The outbox relay passes the outbox row's id. */
  id?: string;
  /** Defaults to now. */
  occurredAt?: Date | string;
}

/** Builds an envelope for a definition, checking the payload (throws UnreadableEventError). */
export function createEvent<T extends string, P extends z.ZodType>(
  definition: EventDefinition<T, P>,
  payload: z.input<P>,
  meta: EventMeta,
): EventEnvelope<T, z.output<P>> {
  const parsed = definition.payload.safeParse(payload);
  if (!parsed.success) {
    throw new UnreadableEventError('INVALID_PAYLOAD', `payload of ${definition.type} v${definition.version} is invalid`, {
      type: definition.type,
      version: definition.version,
      issues: describeIssues(parsed.error),
    });
  }
  const occurredAt = meta.occurredAt ?? new Date();
  return {
    id: meta.id ?? randomUUID(),
    type: definition.type,
    version: definition.version,
    organizationId: meta.organizationId,
    occurredAt: typeof occurredAt === 'string' ? occurredAt : occurredAt.toISOString(),
    traceId: meta.traceId ?? null,
    payload: parsed.data,
  };
}

/**
 * A set of event definitions: looks types up, and encodes / decodes envelopes against them.
 * Decoding never throws anything but UnreadableEventError.
 */
export class EventCatalog<D extends EventDefinition = EventDefinition> {
  private readonly byType = new Map<string, Map<number, D>>();

  constructor(readonly definitions: readonly D[]) {
    for (const definition of definitions) {
      const versions = this.byType.get(definition.type) ?? new Map<number, D>();
      if (versions.has(definition.version)) {
        throw new Error(`event ${definition.type} v${definition.version} is defined twice`);
      }
      versions.set(definition.version, definition);
      this.byType.set(definition.type, versions);
    }
  }

  /** The definition of a type, in a version or (by default) the newest one. */
  find<T extends D['type']>(type: T, version?: number): Extract<D, { type: T }> | undefined;
  find(type: string, version?: number): D | undefined;
  find(type: string, version?: number): D | undefined {
    const versions = this.byType.get(type);
    if (!versions) return undefined;
    if (version !== undefined) return versions.get(version);
    return versions.get(Math.max(...versions.keys()));
  }

  has(type: string): boolean {
    return this.byType.has(type);
  }

  types(): string[] {
    return [...this.byType.keys()].sort();
  }

  /** Every topic an event of the catalog is published to, sorted. */
  topics(): string[] {
    return [...new Set(this.definitions.map((definition) => definition.topic))].sort();
  }

  /**
   * Checks an envelope object (already JSON-parsed) against the catalog and returns it with the
   * parsed payload. Throws UnreadableEventError only.
   */
  parse(value: unknown): EventOf<D> {
    const envelope = envelopeSchema.safeParse(value);
    if (!envelope.success) {
      const raw = value as { type?: unknown; id?: unknown } | null;
      throw new UnreadableEventError('INVALID_ENVELOPE', 'the event envelope is invalid', {
        ...(typeof raw?.type === 'string' ? { type: raw.type.slice(0, 200) } : {}),
        issues: describeIssues(envelope.error),
      });
    }
    const { type, version, id } = envelope.data;
    const versions = this.byType.get(type);
    if (!versions) {
      throw new UnreadableEventError('UNKNOWN_TYPE', `event type "${type}" is not in the catalog`, { type, version, eventId: id });
    }
    const definition = versions.get(version);
    if (!definition) {
      throw new UnreadableEventError('UNKNOWN_VERSION', `event type "${type}" has no version ${version} in the catalog`, {
        type,
        version,
        eventId: id,
      });
    }
    const payload = definition.payload.safeParse(envelope.data.payload);
    if (!payload.success) {
      throw new UnreadableEventError('INVALID_PAYLOAD', `payload of ${type} v${version} is invalid`, {
        type,
        version,
        eventId: id,
        issues: describeIssues(payload.error),
      });
    }
    return { ...envelope.data, payload: payload.data } as EventOf<D>;
  }

  /** Reads a Kafka message value. Throws UnreadableEventError only. */
  decode(value: Buffer | string | null | undefined): EventOf<D> {
    if (value === null || value === undefined || value.length === 0) {
      throw new UnreadableEventError('EMPTY', 'the message has no value');
    }
    let json: unknown;
    try {
      json = JSON.parse(typeof value === 'string' ? value : value.toString('utf8'));
    } catch {
      throw new UnreadableEventError('INVALID_JSON', 'the message value is not JSON');
    }
    return this.parse(json);
  }

  /**
   * Checks an envelope and turns it into a Kafka message for the definition's topic, keyed by
   * the definition's key. Throws UnreadableEventError when it does not match the catalog.
   */
  encode(event: EventEnvelope): EncodedEvent {
    const checked = this.parse(event) as EventEnvelope;
    const definition = this.find(checked.type, checked.version) as D;
    const key = definition.key(checked.payload as never);
    const headers: Record<string, string> = {
      [EVENT_HEADERS.id]: checked.id,
      [EVENT_HEADERS.type]: checked.type,
      [EVENT_HEADERS.version]: String(checked.version),
    };
    if (checked.traceId !== null) headers[EVENT_HEADERS.traceId] = checked.traceId;
    return { topic: definition.topic, key, value: JSON.stringify(checked), headers };
  }
}

export function createCatalog<const D extends EventDefinition>(definitions: readonly D[]): EventCatalog<D> {
  return new EventCatalog(definitions);
}
