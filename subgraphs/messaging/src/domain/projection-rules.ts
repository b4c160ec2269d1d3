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

/** The projection row of a contact state, each channel's consent decided as of the state. */
export function contactRowOf(incoming: ContactState): ContactProjectionRow {
  return {
    id: incoming.id,
    organizationId: incoming.organizationId,
    name: incoming.name,
    phone: incoming.phone,
    email: incoming.email,
    whatsappId: incoming.whatsappId,
    emailConsent: incoming.consent.EMAIL,
    emailConsentAt: incoming.at,
    smsConsent: incoming.consent.SMS,
    smsConsentAt: incoming.at,
    whatsappConsent: incoming.consent.WHATSAPP,
    whatsappConsentAt: incoming.at,
    deleted: incoming.deleted,
    sourceUpdatedAt: incoming.at,
    lastEventId: incoming.eventId,
  };
}

export function planContactUpsert(existing: ContactProjectionRecord | null, incoming: ContactState): ProjectionPlan<ContactProjectionRow> {
  if (existing && existing.organizationId !== incoming.organizationId) return { apply: false, reason: 'OTHER_ORGANIZATION' };
  if (existing && incoming.at.getTime() < existing.sourceUpdatedAt.getTime()) return { apply: false, reason: 'STALE' };
  const row = contactRowOf(incoming);
  for (const channel of ['EMAIL', 'SMS', 'WHATSAPP'] as const) {
    const [statusField, atField] = CONSENT_FIELDS[channel];
    const local = existing ? consentOf(existing, channel) : null;
    // A decision recorded here later than this event (a keyword) wins over the event's.
    if (local?.at && local.at.getTime() > incoming.at.getTime()) {
      row[statusField] = local.status;
      row[atField] = local.at;
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

/**
 * One `contact.changed` as the projection sees it: the contact's state after the change, or null
 * for a tombstone (deleted without state: what the projection knew is kept, marked deleted).
 */
export interface ContactChange {
  id: string;
  organizationId: string;
  /** The payload's per-contact version (null from older producers). */
  version: number | null;
  /** The contact's updatedAt, or the deletion time of a tombstone. */
  at: Date;
  eventId: string;
  state: ContactState | null;
}

/** A bulk write: a whole state (upsert), or a tombstone (mark deleted, keep the rest). */
export type ContactWrite = { kind: 'STATE'; row: ContactProjectionRow } | { kind: 'TOMBSTONE'; id: string; organizationId: string; at: Date; eventId: string };

/** Whether `a` is an older state of the contact than `b`: by version when both carry one, else by time. */
export function isOlderChange(a: ContactChange, b: ContactChange): boolean {
  if (a.version !== null && b.version !== null) return a.version < b.version;
  return a.at.getTime() < b.at.getTime();
}

/**
 * Plans a batch of contact changes (in partition order) as rounds of bulk writes, each round with
 * at most one write per contact, so that applying the rounds in order leaves every row exactly as
 * applying the events one at a time (`planContactUpsert`) would:
 * - a change older than one before it in the batch is stale and dropped;
 * - a whole state replaces everything before it (its fields win; each channel's consent keeps a
 *   decision recorded here after it, which only depends on the newest state);
 * - a tombstone after a tombstone replaces it; a tombstone after a state keeps both (the state's
 *   fields are the ones the deletion keeps), so that contact takes two rounds.
 * A contact id seen under two organizations keeps each organization's writes apart (the store's
 * guard refuses the one not owning the row), in the order they first appeared.
 */
export function planContactBatch(changes: readonly ContactChange[]): ContactWrite[][] {
  const groups = new Map<string, { id: string; last: ContactChange | null; steps: ContactChange[] }>();
  for (const change of changes) {
    const key = `${change.id}/${change.organizationId}`;
    let group = groups.get(key);
    if (!group) groups.set(key, (group = { id: change.id, last: null, steps: [] }));
    if (group.last && isOlderChange(change, group.last)) continue;
    group.last = change;
    if (change.state) group.steps = [change];
    else if (group.steps.at(-1)?.state === null) group.steps[group.steps.length - 1] = change;
    else group.steps.push(change);
  }
  const byContact = new Map<string, ContactChange[]>();
  for (const group of groups.values()) byContact.set(group.id, [...(byContact.get(group.id) ?? []), ...group.steps]);
  const rounds: ContactWrite[][] = [];
  for (const steps of byContact.values()) {
    steps.forEach((change, round) => {
      (rounds[round] ??= []).push(
        change.state
          ? { kind: 'STATE', row: contactRowOf(change.state) }
          : { kind: 'TOMBSTONE', id: change.id, organizationId: change.organizationId, at: change.at, eventId: change.eventId },
      );
    });
  }
  return rounds;
}
