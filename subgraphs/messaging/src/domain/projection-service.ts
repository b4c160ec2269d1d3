import type { Logger } from '@switchboard/config';
import type { EventOfType } from '@switchboard/events';
import type { MessagingStore } from '../store';
import { planContactUpsert, planTemplateUpsert, type ContactState } from './projection-rules';

export type ProjectionOutcome = 'APPLIED' | 'STALE' | 'OTHER_ORGANIZATION' | 'NO_ORGANIZATION';

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
    const organizationId = event.organizationId;
    if (!organizationId) return 'NO_ORGANIZATION';
    const { contactId, contact } = event.payload;
    const outcome = await this.store.transaction(async (tx) => {
      const existing = await tx.projections.lockContact(contactId);
      const incoming: ContactState = contact
        ? {
            id: contactId,
            organizationId,
            name: contact.name,
            phone: contact.phone,
            email: contact.email?.toLowerCase() ?? null,
            whatsappId: contact.whatsappId,
            consent: { EMAIL: contact.consent.email, SMS: contact.consent.sms, WHATSAPP: contact.consent.whatsapp },
            deleted: event.payload.change === 'DELETED',
            at: new Date(contact.updatedAt),
            eventId: event.id,
          }
        : {
            // Deleted: keep what we knew, mark it gone as of the event.
            id: contactId,
            organizationId,
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
            at: new Date(event.occurredAt),
            eventId: event.id,
          };
      const plan = planContactUpsert(existing, incoming);
      if (!plan.apply) return plan.reason;
      await tx.projections.saveContact(plan.row);
      return 'APPLIED' as const;
    });
    this.log.debug({ eventId: event.id, contactId, outcome }, 'contact projection');
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
