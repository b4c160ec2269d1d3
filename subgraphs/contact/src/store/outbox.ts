import { Prisma } from '@switchboard/db';

/*
 * The contact schema's outbox (`contact.outbox`, convention of prisma/schema/user.prisma): every
 * contact write appends its `contact.changed` event IN THE SAME SQL STATEMENT as the write (a
 * data-modifying CTE), so the change and its event commit or fail together, and a batch of an
 * import costs no extra round trip. The payload is built here, once, for every write path; it is
 * the catalog's `contact.changed` v1 payload (@switchboard/events — the tests decode every row they
 * produce with the catalog). The outbox relay publishes the rows with the row id as the event id.
 */

export const CONTACT_CHANGED = 'contact.changed';

/** The channel the outbox relay LISTENs on; the payload names the schema to relay. */
const RELAY_CHANNEL = 'switchboard_outbox';

export type ContactChange = 'CREATED' | 'UPDATED' | 'DELETED';

/**
 * A time-ordered event id (UUID version 7, RFC 9562) computed by PostgreSQL 15, which has no
 * uuidv7(): the clock's milliseconds in the first 48 bits of a random UUID, version bits set to 7.
 * Rows of one statement share `created_at` only when they are different contacts' (whose order
 * does not matter); one contact's rows are ordered by `created_at` itself (its `updated_at`).
 */
const EVENT_ID = Prisma.sql`encode(set_bit(set_bit(overlay(uuid_send(gen_random_uuid())
  placing substring(int8send(floor(extract(epoch FROM clock_timestamp()) * 1000)::bigint) FROM 3) FROM 1 FOR 6), 52, 1), 53, 1), 'hex')::uuid`;

/** A timestamptz as JavaScript's toISOString() writes it (`2026-11-21T19:00:00.123Z`). */
export function isoTime(column: Prisma.Sql): Prisma.Sql {
  return Prisma.sql`to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
}

/**
 * A contact's `updated_at` after a write at `now`: never earlier than 1 ms after the previous one,
 * so it increases strictly per contact whatever the clocks of the writers (`c` is the row).
 */
export function nextUpdatedAt(now: Prisma.Sql): Prisma.Sql {
  return Prisma.sql`GREATEST(${now}, c.updated_at + interval '1 millisecond')`;
}

/** `contact.changed` payload of a contact row as written (`c` is a row of `contact.contact`). */
function statePayload(change: 'CREATED' | 'UPDATED'): Prisma.Sql {
  return Prisma.sql`jsonb_build_object(
    'contactId', c.id,
    'change', ${Prisma.raw(`'${change}'`)}::text,
    'version', c.version,
    'contact', jsonb_build_object(
      'name', c.name,
      'phone', c.phone,
      'email', c.email,
      'whatsappId', c.whatsapp_id,
      'tags', to_jsonb(c.tags),
      'consent', jsonb_build_object('email', c.email_consent, 'sms', c.sms_consent, 'whatsapp', c.whatsapp_consent),
      'updatedAt', ${isoTime(Prisma.sql`c.updated_at`)}))`;
}

/**
 * `INSERT INTO contact.outbox …` of one `contact.changed` event per row of the CTE `rows` (rows of
 * `contact.contact` as written, e.g. `RETURNING c.*`). The event's `created_at` is the contact's
 * new `updated_at`, so the relay (`ORDER BY created_at, id`) sends one contact's events in order.
 */
export function contactChangedEvents(rows: string, change: 'CREATED' | 'UPDATED', traceId: string | null): Prisma.Sql {
  return Prisma.sql`INSERT INTO contact.outbox (id, type, payload, organization_id, trace_id, created_at)
    SELECT ${EVENT_ID}, ${CONTACT_CHANGED}, ${statePayload(change)}, c.organization_id, ${traceId}, c.updated_at
    FROM ${Prisma.raw(rows)} c
    RETURNING id`;
}

/**
 * The tombstone of each deleted row of the CTE `rows` (`id, organization_id, version, updated_at`
 * of the deleted contacts): `contact: null`, the next version, and a time (`created_at`, the
 * envelope's occurredAt) after the contact's last `updated_at`.
 */
export function contactDeletedEvents(rows: string, now: Date, traceId: string | null): Prisma.Sql {
  return Prisma.sql`INSERT INTO contact.outbox (id, type, payload, organization_id, trace_id, created_at)
    SELECT ${EVENT_ID}, ${CONTACT_CHANGED},
      jsonb_build_object('contactId', c.id, 'change', 'DELETED'::text, 'version', c.version + 1, 'contact', NULL),
      c.organization_id, ${traceId}, ${nextUpdatedAt(Prisma.sql`${now}::timestamptz`)}
    FROM ${Prisma.raw(rows)} c
    RETURNING id`;
}

/**
 * A column for the statement's final SELECT that wakes the outbox relay once when the CTE `events`
 * wrote rows (NOTIFY is delivered at commit; a statement that wrote none notifies nobody).
 */
export function notifyRelay(events: string): Prisma.Sql {
  return Prisma.sql`(SELECT count(pg_notify(${RELAY_CHANNEL}, 'contact')) FROM (SELECT 1 FROM ${Prisma.raw(events)} LIMIT 1) e)::int`;
}
