import { randomUUID } from 'node:crypto';
import { Prisma } from '@switchboard/db';
import { CHANNELS, type ConsentChannel, type ConsentStatus } from '../domain/contact-fields';
import type { ContactChanges, ContactRecord, NewContact } from '../domain/types';
import { contactChangedEvents, contactDeletedEvents, nextUpdatedAt, notifyRelay } from './outbox';
import { CONTACT_COLUMNS } from './sql';

/*
 * Single-contact writes. Each is ONE statement: the write, its `contact.changed` outbox row and the
 * relay's wake-up (see outbox.ts) — atomic on its own, and usable inside a caller's transaction
 * (`db` is the Prisma client or a transaction client). Every write sets `version = version + 1`
 * and a strictly later `updated_at`, which the event carries.
 */

/** The Prisma client or an interactive transaction's client. */
export type Db = Prisma.TransactionClient;

/** Who / what caused a write: the event's trace id (a request id, or the event being consumed). */
export interface WriteMeta {
  now: Date;
  traceId: string | null;
}

const CONSENT_COLUMNS = {
  EMAIL: { status: 'email_consent', source: 'email_consent_source', at: 'email_consent_at' },
  SMS: { status: 'sms_consent', source: 'sms_consent_source', at: 'sms_consent_at' },
  WHATSAPP: { status: 'whatsapp_consent', source: 'whatsapp_consent_source', at: 'whatsapp_consent_at' },
} as const satisfies Record<ConsentChannel, { status: string; source: string; at: string }>;

/** A consent decision as stored: status, where it came from, and when it was made. */
export interface ConsentDecision {
  status: ConsentStatus;
  source: string;
  at: Date;
}

type Row = ContactRecord & { notified?: number };

function contactOf(rows: Row[]): ContactRecord | null {
  const row = rows[0];
  if (!row) return null;
  const { notified: _notified, ...contact } = row;
  return contact;
}

/**
 * Inserts a contact (version 1) and its CREATED event. `onConflict: 'skip'` leaves the insert out
 * when a unique phone / email of the organization is already taken (null then: the caller looks
 * the holder up); `'fail'` lets the unique violation throw (nothing is written).
 */
export async function insertContact(
  db: Db,
  organizationId: string,
  contact: NewContact & { source: string; consentDecisions?: Partial<Record<ConsentChannel, ConsentDecision>> },
  meta: WriteMeta & { onConflict?: 'fail' | 'skip' },
): Promise<ContactRecord | null> {
  const consent = CHANNELS.map((channel) => {
    const decision =
      contact.consentDecisions?.[channel] ??
      (contact.consent[channel] ? { ...contact.consent[channel], at: meta.now } : undefined);
    return decision
      ? Prisma.sql`${decision.status}::contact.consent_status, ${decision.source}, ${decision.at}::timestamptz`
      : Prisma.sql`'UNKNOWN'::contact.consent_status, NULL, NULL`;
  });
  const onConflict = meta.onConflict === 'skip' ? Prisma.sql`ON CONFLICT DO NOTHING` : Prisma.empty;
  const rows = await db.$queryRaw<Row[]>`
    WITH written AS (
      INSERT INTO contact.contact AS c (id, organization_id, name, sort_name, search_text, phone, email, whatsapp_id, tags,
        attributes, favourite, email_consent, email_consent_source, email_consent_at, sms_consent, sms_consent_source,
        sms_consent_at, whatsapp_consent, whatsapp_consent_source, whatsapp_consent_at, source, version, created_at, updated_at)
      VALUES (${randomUUID()}::uuid, ${organizationId}::uuid, ${contact.name}, ${contact.sortName}, ${contact.searchText},
        ${contact.phone}, ${contact.email}, ${contact.whatsappId}, ${contact.tags}::text[], ${JSON.stringify(contact.attributes)}::jsonb,
        ${contact.favourite}, ${Prisma.join(consent, ', ')}, ${contact.source}, 1, ${meta.now}::timestamptz, ${meta.now}::timestamptz)
      ${onConflict}
      RETURNING c.*
    ),
    events AS (${contactChangedEvents('written', 'CREATED', meta.traceId)})
    SELECT ${CONTACT_COLUMNS}, ${notifyRelay('events')} AS notified FROM written c`;
  return contactOf(rows);
}

/**
 * Sets the given columns (plus version and updated_at) and writes the UPDATED event, when the row
 * exists in the organization (and matches `guard`). Null otherwise: nothing was written.
 */
async function updateWith(
  db: Db,
  organizationId: string,
  id: string,
  sets: Prisma.Sql[],
  meta: WriteMeta,
  guard: Prisma.Sql = Prisma.sql`TRUE`,
): Promise<ContactRecord | null> {
  const rows = await db.$queryRaw<Row[]>`
    WITH written AS (
      UPDATE contact.contact c SET ${Prisma.join(
        [...sets, Prisma.sql`version = c.version + 1`, Prisma.sql`updated_at = ${nextUpdatedAt(Prisma.sql`${meta.now}::timestamptz`)}`],
        ', ',
      )}
      WHERE c.id = ${id}::uuid AND c.organization_id = ${organizationId}::uuid AND ${guard}
      RETURNING c.*
    ),
    events AS (${contactChangedEvents('written', 'UPDATED', meta.traceId)})
    SELECT ${CONTACT_COLUMNS}, ${notifyRelay('events')} AS notified FROM written c`;
  return contactOf(rows);
}

/** Changed values only (`null` clears); every call is a write (a new version and event). */
export function updateContact(db: Db, organizationId: string, id: string, changes: ContactChanges, meta: WriteMeta): Promise<ContactRecord | null> {
  const sets: Prisma.Sql[] = [];
  if (changes.name !== undefined) sets.push(Prisma.sql`name = ${changes.name}`);
  if (changes.sortName !== undefined) sets.push(Prisma.sql`sort_name = ${changes.sortName}`);
  if (changes.searchText !== undefined) sets.push(Prisma.sql`search_text = ${changes.searchText}`);
  if (changes.phone !== undefined) sets.push(Prisma.sql`phone = ${changes.phone}`);
  if (changes.email !== undefined) sets.push(Prisma.sql`email = ${changes.email}`);
  if (changes.whatsappId !== undefined) sets.push(Prisma.sql`whatsapp_id = ${changes.whatsappId}`);
  if (changes.tags !== undefined) sets.push(Prisma.sql`tags = ${changes.tags}::text[]`);
  if (changes.attributes !== undefined) sets.push(Prisma.sql`attributes = ${JSON.stringify(changes.attributes)}::jsonb`);
  if (changes.favourite !== undefined) sets.push(Prisma.sql`favourite = ${changes.favourite}`);
  return updateWith(db, organizationId, id, sets, meta);
}

/**
 * Records one channel's consent decision. With `onlyIfNewer`, a decision made at or before the one
 * on record changes nothing (null is returned as for a missing contact): a redelivered or late
 * keyword never overrides a later decision.
 */
export function setContactConsent(
  db: Db,
  organizationId: string,
  id: string,
  channel: ConsentChannel,
  decision: ConsentDecision,
  meta: WriteMeta & { onlyIfNewer?: boolean },
): Promise<ContactRecord | null> {
  const columns = CONSENT_COLUMNS[channel];
  const sets = [
    Prisma.sql`${Prisma.raw(columns.status)} = ${decision.status}::contact.consent_status`,
    Prisma.sql`${Prisma.raw(columns.source)} = ${decision.source}`,
    Prisma.sql`${Prisma.raw(columns.at)} = ${decision.at}::timestamptz`,
  ];
  const guard = meta.onlyIfNewer
    ? Prisma.sql`(c.${Prisma.raw(columns.at)} IS NULL OR c.${Prisma.raw(columns.at)} < ${decision.at}::timestamptz)`
    : Prisma.sql`TRUE`;
  return updateWith(db, organizationId, id, sets, meta, guard);
}

/** Deletes a contact (its group memberships cascade) and writes its tombstone. False: no such contact. */
export async function deleteContact(db: Db, organizationId: string, id: string, meta: WriteMeta): Promise<boolean> {
  const rows = await db.$queryRaw<{ id: string; notified: number }[]>`
    WITH removed AS (
      DELETE FROM contact.contact c WHERE c.id = ${id}::uuid AND c.organization_id = ${organizationId}::uuid
      RETURNING c.id, c.organization_id, c.version, c.updated_at
    ),
    events AS (${contactDeletedEvents('removed', meta.now, meta.traceId)})
    SELECT r.id, ${notifyRelay('events')} AS notified FROM removed r`;
  return rows.length > 0;
}
