import type { Logger } from '@switchboard/config';
import type { EventOfType } from '@switchboard/events';
import type { MessagingStore } from '../store';
import { planContactBatch, planContactUpsert, planTemplateUpsert, type ContactChange, type ContactState } from './projection-rules';

export type ProjectionOutcome = 'APPLIED' | 'STALE' | 'OTHER_ORGANIZATION' | 'NO_ORGANIZATION';

/** What a batch of contact events did. */
export interface ContactBatchOutcome {
  /** Events of the batch (with an organization). */
  events: number;
  /** Rows inserted or updated (a row written once per round; stale and foreign changes write none). */
  rowsWritten: number;
  /** Bulk statements that wrote the projection. */
  statements: number;
  /** Messages linked to the batch's contacts (exchanged with their addresses before they were known). */
  messagesLinked: number;
}

/** A `contact.changed` event as the projection sees it (null without an organization). */
export function contactChangeOf(event: EventOfType<'contact.changed'>): ContactChange | null {
  const organizationId = event.organizationId;
  if (!organizationId) return null;
  const { contactId, contact, version } = event.payload;
  if (!contact) return { id: contactId, organizationId, version, at: new Date(event.occurredAt), eventId: event.id, state: null };
  const at = new Date(contact.updatedAt);
  return {
    id: contactId,
    organizationId,
    version,
    at,
    eventId: event.id,
    state: {
      id: contactId,
      organizationId,
      name: contact.name,
      phone: contact.phone,
      email: contact.email?.toLowerCase() ?? null,
      whatsappId: contact.whatsappId,
      consent: { EMAIL: contact.consent.email, SMS: contact.consent.sms, WHATSAPP: contact.consent.whatsapp },
      deleted: event.payload.change === 'DELETED',
      at,
      eventId: event.id,
    },
  };
}

/**
 * Keeps messaging's projections of contacts and templates from their change events (consumers in
 * src/consumers). Idempotent: applying an event twice, or an older one after a newer one, leaves
 * the projection as the newest event made it.
 */
export class ProjectionService {
  constructor(
    private readonly store: MessagingStore,
    private readonly log: Logger,
  ) {}

  async applyContactChanged(event: EventOfType<'contact.changed'>): Promise<ProjectionOutcome> {
    const change = contactChangeOf(event);
    if (!change) return 'NO_ORGANIZATION';
    const outcome = await this.store.transaction(async (tx) => {
      const existing = await tx.projections.lockContact(change.id);
      const incoming: ContactState = change.state ?? {
        // Deleted: keep what we knew, mark it gone as of the event.
        id: change.id,
        organizationId: change.organizationId,
        name: existing?.name ?? null,
        phone: existing?.phone ?? null,
        email: existing?.email ?? null,
        whatsappId: existing?.whatsappId ?? null,
        consent: {
          EMAIL: existing?.emailConsent ?? 'UNKNOWN',
          SMS: existing?.smsConsent ?? 'UNKNOWN',
          WHATSAPP: existing?.whatsappConsent ?? 'UNKNOWN',
        },
        deleted: true,
        at: change.at,
        eventId: change.eventId,
      };
      const plan = planContactUpsert(existing, incoming);
      if (!plan.apply) return plan.reason;
      await tx.projections.saveContact(plan.row);
      await tx.projections.linkMessages([change.id]);
      return 'APPLIED' as const;
    });
    this.log.debug({ eventId: event.id, contactId: change.id, outcome }, 'contact projection');
    return outcome;
  }

  /**
   * Applies a batch of `contact.changed` events (in partition order) with a few bulk statements
   * in one transaction; the result is the same as `applyContactChanged` on each event in turn.
   */
  async applyContactChanges(events: readonly EventOfType<'contact.changed'>[]): Promise<ContactBatchOutcome> {
    const changes = events.map(contactChangeOf).filter((change): change is ContactChange => change !== null);
    const rounds = planContactBatch(changes);
    if (rounds.length === 0) return { events: changes.length, rowsWritten: 0, statements: 0, messagesLinked: 0 };
    const written = await this.store.transaction(async (tx) => {
      let rows = 0;
      let statements = 0;
      for (const writes of rounds) {
        const result = await tx.projections.applyContactWrites(writes);
        rows += result.rows;
        statements += result.statements;
      }
      const live = [...new Set(changes.flatMap((change) => (change.state ? [change.id] : [])))];
      const linked = await tx.projections.linkMessages(live);
      return { rows, statements, linked };
    });
    const outcome = { events: changes.length, rowsWritten: written.rows, statements: written.statements, messagesLinked: written.linked };
    this.log.debug(outcome, 'contact projection batch');
    return outcome;
  }

  async applyTemplateChanged(event: EventOfType<'template.changed'>): Promise<ProjectionOutcome> {
    const organizationId = event.organizationId;
    if (!organizationId) return 'NO_ORGANIZATION';
    const { templateId, template } = event.payload;
    const outcome = await this.store.transaction(async (tx) => {
      const existing = await tx.projections.lockTemplate(templateId);
      const plan = planTemplateUpsert(existing, {
        id: templateId,
        organizationId,
        channel: template.channel,
        name: template.name,
        language: template.language,
        status: template.status,
        activeVersionId: template.activeVersion ? template.activeVersionId : null,
        content: template.activeVersion?.content ?? null,
        variables: template.activeVersion?.variables ?? null,
        archived: template.archivedAt !== null || event.payload.change === 'ARCHIVED',
        at: new Date(template.updatedAt),
        eventId: event.id,
      });
      if (!plan.apply) return plan.reason;
      await tx.projections.saveTemplate(plan.row);
      return 'APPLIED' as const;
    });
    this.log.debug({ eventId: event.id, templateId, outcome }, 'template projection');
    return outcome;
  }
}
