/**
 * The event the template subgraph writes to its outbox (`"template"."outbox"`) in the
 * transaction of every template write: `template.changed`, with the template's state after the
 * change — what other subgraphs' projections need (messaging renders and gates sends with it).
 * Checked against the shared catalog (@switchboard/events) when built: a payload that does not
 * match is a bug here, never a row the relay parks. Payloads hold template content: never log them.
 */
import { createEvent, eventId, templateChanged, type PayloadOf } from '@switchboard/events';
import type { OutboxEvent } from '../store/outbox';
import { isSendable } from './approval';
import type { TemplateView } from './types';

export type TemplateChangeKind = PayloadOf<typeof templateChanged>['change'];

export interface EventContext {
  traceId: string | null;
}

/**
 * The payload of `template.changed` for a template as stored after a write. `activeVersion` is
 * the version that sends — only while the template is sendable (an APPROVED WhatsApp version, the
 * current email/SMS version, not archived); otherwise null, with `activeVersionId` null too.
 */
export function templateChangedPayload(view: TemplateView, change: TemplateChangeKind): PayloadOf<typeof templateChanged> {
  const sendable = isSendable(view) ? view.active : null;
  return {
    templateId: view.id,
    change,
    template: {
      channel: view.channel,
      name: view.name,
      language: view.language,
      status: view.status,
      category: view.latest.content.channel === 'WHATSAPP' ? view.latest.content.category : null,
      activeVersionId: sendable?.id ?? null,
      latestVersionId: view.latest.id,
      activeVersion: sendable ? { version: sendable.version, content: sendable.content, variables: sendable.variables } : null,
      archivedAt: view.archivedAt?.toISOString() ?? null,
      updatedAt: view.updatedAt.toISOString(),
    },
  };
}

/** The outbox row of a `template.changed` event (id: UUIDv7; created at the template's `updatedAt`). */
export function templateChangedEvent(view: TemplateView, change: TemplateChangeKind, ctx: EventContext): OutboxEvent {
  const traceId = ctx.traceId ? ctx.traceId.slice(0, 200) : null; // the envelope's limit
  const event = createEvent(templateChanged, templateChangedPayload(view, change), {
    id: eventId(),
    organizationId: view.organizationId,
    traceId,
    occurredAt: view.updatedAt,
  });
  return {
    id: event.id,
    type: event.type,
    payload: event.payload as OutboxEvent['payload'],
    organizationId: view.organizationId,
    traceId,
    createdAt: view.updatedAt,
  };
}
