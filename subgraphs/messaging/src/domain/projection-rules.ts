/**
 * How `contact.changed` and `template.changed` events update messaging's local projections.
 * Events carry the entity's whole state after the change, so applying one is an upsert — guarded
 * by time: an event older than what the projection already reflects changes nothing (Kafka keeps
 * one entity's events in order, but redeliveries and replays do happen). Consent has a time per
 * channel: a keyword (STOP) received here is newer than a contact event written before it, and
 * must not be undone by that event arriving late.
 */
import type { Channel, ConsentStatus, ContactProjectionRecord, TemplateProjectionRecord } from './types';

export interface ContactState {
  id: string;
  organizationId: string;
  name: string | null;
  phone: string | null;
  email: string | null;
  whatsappId: string | null;
  consent: Record<Channel, ConsentStatus>;
  deleted: boolean;
  /** The contact's updatedAt (or when it was deleted). */
  at: Date;
  eventId: string | null;
}

export interface ContactProjectionRow {
  id: string;
  organizationId: string;
  name: string | null;
  phone: string | null;
  email: string | null;
  whatsappId: string | null;
  emailConsent: ConsentStatus;
  emailConsentAt: Date | null;
  smsConsent: ConsentStatus;
  smsConsentAt: Date | null;
  whatsappConsent: ConsentStatus;
  whatsappConsentAt: Date | null;
  deleted: boolean;
  sourceUpdatedAt: Date;
  lastEventId: string | null;
}

export type ProjectionPlan<Row> = { apply: true; row: Row } | { apply: false; reason: 'STALE' | 'OTHER_ORGANIZATION' };

const CONSENT_FIELDS = {
  EMAIL: ['emailConsent', 'emailConsentAt'],
  SMS: ['smsConsent', 'smsConsentAt'],
  WHATSAPP: ['whatsappConsent', 'whatsappConsentAt'],
} as const;

export function consentOf(row: ContactProjectionRow | ContactProjectionRecord, channel: Channel): { status: ConsentStatus; at: Date | null } {
  const [status, at] = CONSENT_FIELDS[channel];
  return { status: row[status], at: row[at] };
}

export function planContactUpsert(existing: ContactProjectionRecord | null, incoming: ContactState): ProjectionPlan<ContactProjectionRow> {
  if (existing && existing.organizationId !== incoming.organizationId) return { apply: false, reason: 'OTHER_ORGANIZATION' };
  if (existing && incoming.at.getTime() < existing.sourceUpdatedAt.getTime()) return { apply: false, reason: 'STALE' };
  const row: ContactProjectionRow = {
    id: incoming.id,
    organizationId: incoming.organizationId,
    name: incoming.name,
    phone: incoming.phone,
    email: incoming.email,
    whatsappId: incoming.whatsappId,
    emailConsent: 'UNKNOWN',
    emailConsentAt: null,
    smsConsent: 'UNKNOWN',
    smsConsentAt: null,
    whatsappConsent: 'UNKNOWN',
    whatsappConsentAt: null,
    deleted: incoming.deleted,
    sourceUpdatedAt: incoming.at,
    lastEventId: incoming.eventId,
  };
  for (const channel of ['EMAIL', 'SMS', 'WHATSAPP'] as const) {
    const [statusField, atField] = CONSENT_FIELDS[channel];
    const local = existing ? consentOf(existing, channel) : null;
    // A decision recorded here later than this event (a keyword) wins over the event's.
    if (local?.at && local.at.getTime() > incoming.at.getTime()) {
      row[statusField] = local.status;
      row[atField] = local.at;
    } else {
      row[statusField] = incoming.consent[channel];
      row[atField] = incoming.at;
    }
  }
  return { apply: true, row };
}

export interface TemplateState {
  id: string;
  organizationId: string;
  channel: Channel;
  name: string;
  language: string | null;
  status: string;
  activeVersionId: string | null;
  content: unknown;
  variables: unknown;
  archived: boolean;
  at: Date;
  eventId: string | null;
}

export function planTemplateUpsert(existing: TemplateProjectionRecord | null, incoming: TemplateState): ProjectionPlan<TemplateState> {
  if (existing && existing.organizationId !== incoming.organizationId) return { apply: false, reason: 'OTHER_ORGANIZATION' };
  if (existing && incoming.at.getTime() < existing.sourceUpdatedAt.getTime()) return { apply: false, reason: 'STALE' };
  return { apply: true, row: incoming };
}

/**
 * The consent that applies to a send: the newest explicit decision (OPTED_IN / OPTED_OUT) among
 * the contact's (from its events, or a keyword applied to it here) and the keyword last received
 * from the address itself (covers addresses no contact had yet). UNKNOWN decides nothing.
 */
export function effectiveConsent(
  decisions: ({ status: ConsentStatus; at: Date | null } | null)[],
): ConsentStatus {
  let best: { status: ConsentStatus; at: Date | null } | null = null;
  for (const decision of decisions) {
    if (!decision || decision.status === 'UNKNOWN') continue;
    if (!best || (decision.at?.getTime() ?? 0) >= (best.at?.getTime() ?? 0)) best = decision;
  }
  return best?.status ?? 'UNKNOWN';
}
