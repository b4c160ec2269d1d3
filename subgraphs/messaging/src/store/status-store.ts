import { randomUUID } from 'node:crypto';
import type { SqlExecutor } from '@switchboard/db';
import type { Channel, Direction, MessageStatus, StatusSource } from '../domain/types';
import { translatePgUniqueViolation } from './errors';
import { OUTBOX_NOTIFY_CHANNEL, outboxCte, outboxParams, type OutboxEvent } from './outbox';

/*
 * The status hot path in plain SQL: every provider callback and worker report of every message
 * comes through here, so it takes two statements and no transaction (Prisma took about twelve in
 * one), both named (planned once per connection, see LOAD_STATUSES_NAME). Writes are optimistic: a
 * write names the `revision` it was planned from and changes nothing if the row moved on
 * meanwhile; the caller re-reads and plans again. The message row, its new history entries and
 * their outbox events go in one statement, so all or none. The update still locks each row it
 * changes until the statement commits, in whatever order its plan reads them (the input's, the
 * index's or the table's): so the statement first locks its rows in the order of their ids. Two batches of the same messages (the worker reports' and the
 * callbacks', from two processes) then wait for each other instead of deadlocking, which
 * PostgreSQL only detects after `deadlock_timeout` (a second) and breaks by failing one of them.
 */

/** What the status machine needs of a message, plus which of the asked event ids it already applied. */
export interface MessageStatusState {
  id: string;
  organizationId: string;
  senderId: string;
  direction: Direction;
  channel: Channel;
  contactId: string | null;
  conversationId: string | null;
  counterpartAddress: string;
  toAddress: string;
  status: MessageStatus;
  providerMessageId: string | null;
  errorCode: string | null;
  errorReason: string | null;
  attempts: number;
  revision: number;
  historyLength: number;
  appliedEventIds: string[];
}

export interface StatusHistoryEntry {
  status: MessageStatus;
  at: Date;
  source: StatusSource;
  providerCode: string | null;
  eventId: string | null;
}

/** A message's new state, planned from `revision`, with the history entries and events it adds. */
export interface StatusWrite {
  messageId: string;
  revision: number;
  /** Sequence of the first new history entry (the message's history length when planned). */
  historyStart: number;
  status: MessageStatus;
  providerMessageId: string | null;
  errorCode: string | null;
  errorReason: string | null;
  attempts: number;
  history: StatusHistoryEntry[];
  events: OutboxEvent[];
}

/** A provider callback kept until its message's provider id is known. */
export interface PendingProviderStatusEntry {
  organizationId: string;
  senderId: string;
  providerMessageId: string;
  status: MessageStatus;
  at: Date;
  errorCode: string | null;
  errorReason: string | null;
}

/** Unique indexes a status write can run into. */
export const PROVIDER_ID_CONSTRAINT = 'message_sender_id_direction_provider_message_id_key';
export const EVENT_ID_CONSTRAINT = 'message_status_change_event_id_key';

interface StateRow {
  id: string;
  organization_id: string;
  sender_id: string;
  direction: Direction;
  channel: Channel;
  contact_id: string | null;
  conversation_id: string | null;
  counterpart_address: string;
  to_address: string;
  status: MessageStatus;
  provider_message_id: string | null;
  error_code: string | null;
  error_reason: string | null;
  attempts: number;
  revision: number;
  history_length: number;
  applied: string[] | null;
}

interface PendingRow {
  organization_id: string;
  sender_id: string;
  provider_message_id: string;
  status: MessageStatus;
  at: Date;
  error_code: string | null;
  error_reason: string | null;
  created_at: Date;
}

/*
 * The two statements are named: on the plain-SQL pool (@switchboard/db `sqlPoolOf`) each is parsed
 * and planned once per connection, and that plan reads the primary key whatever the table's size
 * was when it was made. Planned for each batch instead (unnamed), planning took about a third of
 * the write's time.
 */
export const LOAD_STATUSES_NAME = 'messaging.status.load';
export const WRITE_STATUSES_NAME = 'messaging.status.write';

/** Reads a batch's messages (`$1`) and which of the event ids (`$2`) each already applied. */
export const LOAD_STATUSES = `
  SELECT m.id, m.organization_id, m.sender_id, m.direction::text AS direction, m.channel::text AS channel,
         m.contact_id, m.conversation_id, m.counterpart_address, m.to_address, m.status::text AS status,
         m.provider_message_id, m.error_code, m.error_reason, m.attempts, m.revision, m.history_length,
         CASE WHEN cardinality($2::uuid[]) = 0 THEN NULL
              ELSE ARRAY(SELECT s.event_id FROM "messaging"."message_status_change" s
                          WHERE s.message_id = m.id AND s.event_id = ANY($2::uuid[])) END AS applied
    FROM "messaging"."message" m
   WHERE m.id = ANY($1::uuid[])`;

/** Writes a batch's planned states, history entries and events (StatusStore.write). */
const WRITE_STATUSES = `
  WITH w AS (
    SELECT * FROM unnest($1::uuid[], $2::int[], $3::text[], $4::text[], $5::text[], $6::text[], $7::int[], $8::int[])
      AS w(id, revision, status, provider_message_id, error_code, error_reason, attempts, added)
  ), locked AS MATERIALIZED (
    SELECT m.id FROM "messaging"."message" m WHERE m.id = ANY($1::uuid[]) ORDER BY m.id FOR UPDATE
  ), updated AS (
    UPDATE "messaging"."message" m
       SET status = w.status::"messaging"."message_status",
           provider_message_id = w.provider_message_id,
           error_code = w.error_code,
           error_reason = w.error_reason,
           attempts = w.attempts,
           history_length = m.history_length + w.added,
           revision = m.revision + 1,
           updated_at = now()
      FROM w
     WHERE m.id IN (SELECT id FROM locked) AND m.id = ANY($1::uuid[]) AND m.id = w.id AND m.revision = w.revision
    RETURNING m.id
  ), history AS (
    INSERT INTO "messaging"."message_status_change" (id, message_id, sequence, status, at, source, provider_code, event_id)
    SELECT h.id, h.message_id, h.sequence, h.status::"messaging"."message_status", h.at,
           h.source::"messaging"."message_status_source", h.provider_code, h.event_id
      FROM unnest($9::uuid[], $10::uuid[], $11::int[], $12::text[], $13::timestamptz[], $14::text[], $15::text[], $16::uuid[])
        AS h(id, message_id, sequence, status, at, source, provider_code, event_id)
     WHERE h.message_id IN (SELECT id FROM updated)
  ), ${outboxCte(17, 'updated')}
  SELECT (SELECT coalesce(array_agg(id), '{}') FROM updated) AS written,
         (SELECT pg_notify('${OUTBOX_NOTIFY_CHANNEL}', 'messaging') WHERE EXISTS (SELECT 1 FROM outbox)) IS NOT NULL AS notified`;

/**
 * The settings under which kept callbacks past their retention are deleted (one statement, one
 * transaction). Without statistics (no ANALYZE yet) the planner guesses that a third of the table is
 * older than any cutoff, and reads the whole table and sorts it rather than read the `created_at`
 * index until the batch is full. With sequential and bitmap scans off, it is a range scan of that
 * index in its own order that stops at the batch's limit.
 */
export const EXPIRED_PENDING_INDEX_SCANS = 'SET LOCAL enable_seqscan=off; SET LOCAL enable_bitmapscan=off';

/**
 * Deletes at most `limit` kept callbacks older than `retentionHours`, oldest first: found by the
 * `created_at` index, deleted by their physical address (`ctid`), so no other index is read.
 * The numbers are checked, so they can be literals (the statement goes with its settings as one query).
 */
export function deleteExpiredPendingStatement(retentionHours: number, limit: number): string {
  if (!Number.isFinite(retentionHours) || retentionHours <= 0) throw new Error('the retention must be a positive number of hours');
  if (!Number.isSafeInteger(limit) || limit < 1) throw new Error('the deletion limit must be a positive integer');
  return `DELETE FROM "messaging"."pending_provider_status"
           WHERE ctid = ANY(ARRAY(
                   SELECT ctid FROM "messaging"."pending_provider_status"
                    WHERE created_at < now() - interval '1 hour' * ${retentionHours}
                    ORDER BY created_at
                    LIMIT ${limit}))`;
}

export class StatusStore {
  constructor(private readonly sql: SqlExecutor) {}

  /** The messages' states (missing ids are absent), with which of `eventIds` each already applied. */
  async load(messageIds: readonly string[], eventIds: readonly string[]): Promise<Map<string, MessageStatusState>> {
    const result = await this.sql.query<StateRow>({ name: LOAD_STATUSES_NAME, text: LOAD_STATUSES, values: [messageIds, eventIds] });
    const states = new Map<string, MessageStatusState>();
    for (const row of result.rows) {
      states.set(row.id, {
        id: row.id,
        organizationId: row.organization_id,
        senderId: row.sender_id,
        direction: row.direction,
        channel: row.channel,
        contactId: row.contact_id,
        conversationId: row.conversation_id,
        counterpartAddress: row.counterpart_address,
        toAddress: row.to_address,
        status: row.status,
        providerMessageId: row.provider_message_id,
        errorCode: row.error_code,
        errorReason: row.error_reason,
        attempts: row.attempts,
        revision: row.revision,
        historyLength: row.history_length,
        appliedEventIds: row.applied ?? [],
      });
    }
    return states;
  }

  /** Our outbound message with this provider id from this sender. */
  async findOutboundByProviderId(senderId: string, providerMessageId: string): Promise<string | null> {
    const result = await this.sql.query<{ id: string }>({
      name: 'messaging.status.by-provider-id',
      text: `SELECT id FROM "messaging"."message" WHERE sender_id = $1 AND direction = 'OUTBOUND' AND provider_message_id = $2`,
      values: [senderId, providerMessageId],
    });
    return result.rows[0]?.id ?? null;
  }

  /**
   * Writes the planned states whose message is still at its planned revision, in one statement;
   * returns the ids written (the others moved on: plan them again). A unique index refusing a
   * row (an event id applied meanwhile, a provider id another message holds) refuses the whole
   * statement: UniqueViolationError naming the constraint.
   */
  async write(writes: readonly StatusWrite[]): Promise<Set<string>> {
    if (writes.length === 0) return new Set();
    const w = { id: [] as string[], revision: [] as number[], status: [] as string[], providerId: [] as (string | null)[],
      errorCode: [] as (string | null)[], errorReason: [] as (string | null)[], attempts: [] as number[], added: [] as number[] };
    const h = { id: [] as string[], messageId: [] as string[], sequence: [] as number[], status: [] as string[], at: [] as Date[],
      source: [] as string[], providerCode: [] as (string | null)[], eventId: [] as (string | null)[] };
    // In the order of the ids, as the statement locks them.
    const ordered = [...writes].sort((a, b) => (a.messageId < b.messageId ? -1 : a.messageId > b.messageId ? 1 : 0));
    for (const write of ordered) {
      w.id.push(write.messageId);
      w.revision.push(write.revision);
      w.status.push(write.status);
      w.providerId.push(write.providerMessageId);
      w.errorCode.push(write.errorCode);
      w.errorReason.push(write.errorReason);
      w.attempts.push(write.attempts);
      w.added.push(write.history.length);
      write.history.forEach((entry, index) => {
        h.id.push(randomUUID());
        h.messageId.push(write.messageId);
        h.sequence.push(write.historyStart + index);
        h.status.push(entry.status);
        h.at.push(entry.at);
        h.source.push(entry.source);
        h.providerCode.push(entry.providerCode);
        h.eventId.push(entry.eventId);
      });
    }
    const events = ordered.flatMap((write) => write.events.map((event) => ({ event, messageId: write.messageId })));
    try {
      const result = await this.sql.query<{ written: string[] }>({
        name: WRITE_STATUSES_NAME,
        text: WRITE_STATUSES,
        values: [w.id, w.revision, w.status, w.providerId, w.errorCode, w.errorReason, w.attempts, w.added,
          h.id, h.messageId, h.sequence, h.status, h.at, h.source, h.providerCode, h.eventId,
          ...outboxParams(events)],
      });
      return new Set(result.rows[0]?.written ?? []);
    } catch (error) {
      return translatePgUniqueViolation(error);
    }
  }

  /** Keeps a provider callback whose message is not known by its provider id (yet). */
  async addPending(entry: PendingProviderStatusEntry): Promise<void> {
    await this.sql.query({
      name: 'messaging.status.pending-add',
      text: `INSERT INTO "messaging"."pending_provider_status"
               (id, organization_id, sender_id, provider_message_id, status, at, error_code, error_reason)
             VALUES ($1, $2, $3, $4, $5::"messaging"."message_status", $6, $7, $8)`,
      values: [randomUUID(), entry.organizationId, entry.senderId, entry.providerMessageId, entry.status, entry.at, entry.errorCode, entry.errorReason],
    });
  }

  /**
   * Deletes one batch of callbacks kept longer than `retentionHours` (their provider id was never
   * recorded), under EXPIRED_PENDING_INDEX_SCANS: the statements of one query run as one
   * transaction, so the settings end with it and an error rolls all of it back. Returns how many it
   * deleted (fewer than `limit`: no more are due).
   */
  async deleteExpiredPending(retentionHours: number, limit: number): Promise<number> {
    const results = (await this.sql.query(`${EXPIRED_PENDING_INDEX_SCANS}; ${deleteExpiredPendingStatement(retentionHours, limit)}`)) as unknown as {
      rowCount: number | null;
    }[];
    return results[results.length - 1]?.rowCount ?? 0;
  }

  /**
   * Removes and returns the callbacks kept for these provider ids (oldest first). Call it after
   * the provider id is recorded (committed), and after keeping a callback: between the two, a
   * callback is always found by one side (each writes, then reads what the other wrote).
   */
  async takePending(keys: readonly { senderId: string; providerMessageId: string }[]): Promise<PendingProviderStatusEntry[]> {
    if (keys.length === 0) return [];
    const result = await this.sql.query<PendingRow>({
      name: 'messaging.status.pending-take',
      text: `DELETE FROM "messaging"."pending_provider_status" p
              USING unnest($1::uuid[], $2::text[]) AS k(sender_id, provider_message_id)
              WHERE p.sender_id = k.sender_id AND p.provider_message_id = k.provider_message_id
             RETURNING p.organization_id, p.sender_id, p.provider_message_id, p.status::text AS status, p.at,
                       p.error_code, p.error_reason, p.created_at`,
      values: [keys.map((key) => key.senderId), keys.map((key) => key.providerMessageId)],
    });
    return result.rows
      .sort((a, b) => a.created_at.getTime() - b.created_at.getTime())
      .map((row) => ({
        organizationId: row.organization_id,
        senderId: row.sender_id,
        providerMessageId: row.provider_message_id,
        status: row.status,
        at: row.at,
        errorCode: row.error_code,
        errorReason: row.error_reason,
      }));
  }
}
