import { z } from 'zod';
import { defineEvent } from '../define-event';
import { id, isoDateTime } from '../schema-helpers';

/*
 * State-carrying change events for read models in other subgraphs and workers (the inbox shows
 * contact names, campaigns check consent, messaging renders templates). Each carries the entity's
 * state after the change (null once deleted), so a consumer can upsert without asking back; the
 * key is the entity id, so one entity's changes arrive in order.
 */

const consentStatus = z.enum(['OPTED_IN', 'OPTED_OUT', 'UNKNOWN']);

const nullableText = (max: number) => z.string().max(max).nullable();

/** A template version's content, by channel (as the template subgraph stores it). */
const templateContent = z.discriminatedUnion('channel', [
  z.object({ channel: z.literal('EMAIL'), subject: z.string().max(998), html: z.string().max(1_000_000), text: nullableText(1_000_000) }),
  z.object({ channel: z.literal('SMS'), body: z.string().max(1600) }),
  z.object({
    channel: z.literal('WHATSAPP'),
    category: z.enum(['MARKETING', 'UTILITY', 'AUTHENTICATION']),
    header: z.object({ format: z.literal('TEXT'), text: z.string().max(60) }).nullable(),
    body: z.string().max(1024),
    footer: nullableText(60),
    buttons: z.array(
      z.object({
        type: z.enum(['QUICK_REPLY', 'URL', 'PHONE_NUMBER']),
        text: z.string().max(25),
        url: nullableText(2000),
        phoneNumber: nullableText(32),
      }),
    ),
  }),
]);

/** A declared template variable (`first_name`, or `1`, `2` … for WhatsApp). */
const templateVariable = z.object({
  name: z.string().min(1).max(64),
  type: z.enum(['STRING', 'NUMBER', 'DATE', 'CURRENCY', 'URL', 'EMAIL', 'PHONE_NUMBER']),
  example: z.unknown().optional(),
  description: nullableText(500).optional(),
});

export const contactChanged = defineEvent({
  type: 'contact.changed',
  version: 1,
  topic: 'contact.changed',
  description: 'A contact was created, updated or deleted; carries its state after the change.',
  payload: z.object({
    contactId: id,
    change: z.enum(['CREATED', 'UPDATED', 'DELETED']),
    /**
     * The contact's version after the change: 1 when created, +1 on every write, and the next one
     * for the deletion — strictly increasing per contact in commit order, so a consumer that keeps
     * the highest version it applied can drop any older (or repeated) state without comparing
     * clocks. (`contact.updatedAt` is strictly increasing per contact too; a deletion's time is the
     * envelope's `occurredAt`, later than the last `updatedAt`.) Null only from producers that predate it.
     */
    version: z.number().int().min(1).nullable().default(null),
    /** Null when deleted. */
    contact: z
      .object({
        name: z.string().min(1).max(200),
        phone: z.string().max(32).nullable(),
        email: z.string().max(320).nullable(),
        whatsappId: z.string().max(32).nullable(),
        tags: z.array(z.string().max(100)),
        consent: z.object({ email: consentStatus, sms: consentStatus, whatsapp: consentStatus }),
        updatedAt: isoDateTime,
      })
      .nullable(),
  }),
  key: (p) => p.contactId,
});

export const templateChanged = defineEvent({
  type: 'template.changed',
  version: 1,
  topic: 'template.changed',
  description: 'A template was created, edited, changed approval status or was archived; carries its state after the change.',
  payload: z.object({
    templateId: id,
    change: z.enum(['CREATED', 'UPDATED', 'STATUS_CHANGED', 'ARCHIVED']),
    template: z.object({
      channel: z.enum(['EMAIL', 'SMS', 'WHATSAPP']),
      name: z.string().min(1).max(512),
      /** WhatsApp language code; null for email and SMS. */
      language: z.string().max(15).nullable(),
      /** The status of the latest version (a new DRAFT while an approved version still sends). */
      status: z.enum(['ACTIVE', 'DRAFT', 'PENDING', 'APPROVED', 'REJECTED', 'PAUSED', 'DISABLED']),
      /** WhatsApp category of the latest version; null for email and SMS. */
      category: z.enum(['MARKETING', 'UTILITY', 'AUTHENTICATION']).nullable().default(null),
      /** The version used to send; null while none is usable. */
      activeVersionId: id.nullable(),
      latestVersionId: id.nullable(),
      /**
       * The content and declared variables of `activeVersionId` (what messaging renders to send);
       * null while there is no usable version (none approved, paused, disabled, archived). `version`
       * is its number (1, 2 …).
       */
      activeVersion: z
        .object({ version: z.number().int().min(1).optional(), content: templateContent, variables: z.array(templateVariable).max(100) })
        .nullable()
        .default(null),
      archivedAt: isoDateTime.nullable(),
      /** Strictly increasing per template: the order of its states (older events change nothing). */
      updatedAt: isoDateTime,
    }),
  }),
  key: (p) => p.templateId,
});

export const teamChanged = defineEvent({
  type: 'team.changed',
  version: 1,
  topic: 'team.changed',
  description: 'A team was created, renamed or deleted, or its membership changed.',
  payload: z.object({
    teamId: id,
    change: z.enum(['CREATED', 'RENAMED', 'DELETED', 'MEMBER_ADDED', 'MEMBER_REMOVED', 'MEMBER_ROLE_CHANGED']),
    /** The team's name after the change; null when deleted. */
    name: z.string().min(1).max(200).nullable(),
    /** The member concerned, for MEMBER_* changes; null otherwise. */
    member: z.object({ userId: id, role: z.enum(['LEAD', 'MEMBER']) }).nullable(),
  }),
  key: (p) => p.teamId,
});

export const projectionEvents = [contactChanged, templateChanged, teamChanged] as const;
