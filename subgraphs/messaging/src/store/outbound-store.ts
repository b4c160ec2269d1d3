import type { Message, SqlExecutor } from '@switchboard/db';
import { randomUUID } from 'node:crypto';
import { translatePgUniqueViolation } from './errors';
import type { NewMessage } from './message-store';
import { OUTBOX_NOTIFY_CHANNEL, outboxCte, outboxParams, type OutboxEvent } from './outbox';

/*
 * sendMessage's write in plain SQL: QUEUED messages, their first status entries and their
 * `message.requested.<channel>` events in one statement (atomic on its own, no transaction to
 * open and commit), with the relay's wake-up. Every accepted message comes through here;
 * messages accepted at the same moment share the statement (SendService coalesces them).
 */

const QUEUE = `
  WITH m AS (
    SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::uuid[], $6::uuid[], $7::text[], $8::text[], $9::text[],
                         $10::text[], $11::text[], $12::uuid[], $13::uuid[], $14::text[], $15::text[], $16::text[], $17::uuid[],
                         $18::uuid[], $19::text[], $20::text[], $21::timestamptz[])
      AS m(id, organization_id, direction, channel, sender_id, contact_id, from_address, to_address, counterpart_address,
           subject, body, template_id, template_version_id, variables, status, provider_message_id, campaign_id,
           conversation_id, idempotency_key, idempotency_fingerprint, created_at)
  ), message AS (
    INSERT INTO "messaging"."message"
      (id, organization_id, direction, channel, sender_id, contact_id, from_address, to_address, counterpart_address,
       subject, body, template_id, template_version_id, variables, status, provider_message_id, campaign_id,
       conversation_id, idempotency_key, idempotency_fingerprint, created_at, updated_at, history_length, revision, attempts)
    SELECT id, organization_id, direction::"messaging"."message_direction", channel::"messaging"."message_channel", sender_id,
           contact_id, from_address, to_address, counterpart_address, subject, body, template_id, template_version_id,
           variables::jsonb, status::"messaging"."message_status", provider_message_id, campaign_id, conversation_id,
           idempotency_key, idempotency_fingerprint, created_at, created_at, 1, 0, 0
      FROM m
    RETURNING id
  ), history AS (
    INSERT INTO "messaging"."message_status_change" (id, message_id, sequence, status, at, source, provider_code, event_id)
    SELECT h.id, h.message_id, 0, h.status::"messaging"."message_status", h.at, h.source::"messaging"."message_status_source",
           h.provider_code, h.event_id
      FROM unnest($22::uuid[], $23::uuid[], $24::text[], $25::timestamptz[], $26::text[], $27::text[], $28::uuid[])
        AS h(id, message_id, status, at, source, provider_code, event_id)
     WHERE h.message_id IN (SELECT id FROM message)
  ), ${outboxCte(29, 'message')}
  SELECT pg_notify('${OUTBOX_NOTIFY_CHANNEL}', 'messaging') FROM (SELECT 1 FROM outbox LIMIT 1) AS written`;

/** A message to queue with the events announcing it. */
export interface QueuedMessage {
  message: NewMessage;
  events: readonly OutboxEvent[];
}

export class OutboundStore {
  constructor(private readonly sql: SqlExecutor) {}

  /**
   * Inserts messages with their first status entries and their events, all or none. A unique
   * index refusing one (an organization's idempotency key) throws UniqueViolationError naming
   * the constraint.
   */
  async queue(entries: readonly QueuedMessage[]): Promise<Message[]> {
    if (entries.length === 0) return [];
    const column = <T>(pick: (message: NewMessage) => T) => entries.map((entry) => pick(entry.message));
    const events = entries.flatMap((entry) => entry.events.map((event) => ({ event, messageId: entry.message.id })));
    try {
      await this.sql.query({
        name: 'messaging.outbound.queue',
        text: QUEUE,
        values: [
          column((m) => m.id), column((m) => m.organizationId), column((m) => m.direction), column((m) => m.channel),
          column((m) => m.senderId), column((m) => m.contactId), column((m) => m.fromAddress), column((m) => m.toAddress),
          column((m) => m.counterpartAddress), column((m) => m.subject), column((m) => m.body), column((m) => m.templateId),
          column((m) => m.templateVersionId), column((m) => (m.variables === null ? null : JSON.stringify(m.variables))),
          column((m) => m.status), column((m) => m.providerMessageId), column((m) => m.campaignId), column((m) => m.conversationId),
          column((m) => m.idempotencyKey), column((m) => m.idempotencyFingerprint), column((m) => m.createdAt),
          entries.map(() => randomUUID()), column((m) => m.id), column((m) => m.firstStatus.status), column((m) => m.firstStatus.at),
          column((m) => m.firstStatus.source), column((m) => m.firstStatus.providerCode), column((m) => m.firstStatus.eventId),
          ...outboxParams(events),
        ],
      });
    } catch (error) {
      translatePgUniqueViolation(error);
    }
    return entries.map(({ message }) => {
      const { firstStatus: _first, variables, ...fields } = message;
      return {
        ...fields,
        variables: variables as Message['variables'],
        errorCode: null,
        errorReason: null,
        attempts: 0,
        updatedAt: message.createdAt,
        revision: 0,
        historyLength: 1,
      };
    });
  }
}
