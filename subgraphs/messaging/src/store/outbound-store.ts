import type { Message, SqlExecutor } from '@switchboard/db';
import { randomUUID } from 'node:crypto';
import { translatePgUniqueViolation } from './errors';
import type { NewMessage } from './message-store';
import { OUTBOX_NOTIFY_CHANNEL, type OutboxEvent } from './outbox';

/*
 * sendMessage's write in plain SQL: the QUEUED message, its first status entry and its
 * `message.requested.<channel>` event in one statement (atomic on its own, no transaction to
 * open and commit), with the relay's wake-up. Every accepted message comes through here.
 */

const QUEUE = `
  WITH message AS (
    INSERT INTO "messaging"."message"
      (id, organization_id, direction, channel, sender_id, contact_id, from_address, to_address, counterpart_address,
       subject, body, template_id, template_version_id, variables, status, provider_message_id, campaign_id,
       conversation_id, idempotency_key, created_at, updated_at, history_length, revision, attempts)
    VALUES ($1, $2, $3::"messaging"."message_direction", $4::"messaging"."message_channel", $5, $6, $7, $8, $9,
            $10, $11, $12, $13, $14::jsonb, $15::"messaging"."message_status", $16, $17,
            $18, $19, $20, $20, 1, 0, 0)
    RETURNING id
  ), history AS (
    INSERT INTO "messaging"."message_status_change" (id, message_id, sequence, status, at, source, provider_code, event_id)
    SELECT $21, id, 0, $22::"messaging"."message_status", $23, $24::"messaging"."message_status_source", $25, $26 FROM message
  ), outbox AS (
    INSERT INTO "messaging"."outbox" (id, type, payload, organization_id, trace_id)
    SELECT o.id, o.type, o.payload::jsonb, o.organization_id, o.trace_id
      FROM message, unnest($27::uuid[], $28::text[], $29::text[], $30::uuid[], $31::text[]) AS o(id, type, payload, organization_id, trace_id)
    RETURNING 1
  )
  SELECT pg_notify('${OUTBOX_NOTIFY_CHANNEL}', 'messaging') FROM (SELECT 1 FROM outbox LIMIT 1) AS written`;

export class OutboundStore {
  constructor(private readonly sql: SqlExecutor) {}

  /**
   * Inserts a message with its first status entry and its events. A unique index refusing it
   * (the organization's idempotency key) throws UniqueViolationError naming the constraint.
   */
  async queue(message: NewMessage, events: readonly OutboxEvent[]): Promise<Message> {
    const first = message.firstStatus;
    try {
      await this.sql.query({
        name: 'messaging.outbound.queue',
        text: QUEUE,
        values: [
          message.id, message.organizationId, message.direction, message.channel, message.senderId, message.contactId,
          message.fromAddress, message.toAddress, message.counterpartAddress, message.subject, message.body,
          message.templateId, message.templateVersionId, message.variables === null ? null : JSON.stringify(message.variables),
          message.status, message.providerMessageId, message.campaignId, message.conversationId, message.idempotencyKey,
          message.createdAt,
          randomUUID(), first.status, first.at, first.source, first.providerCode, first.eventId,
          events.map((e) => e.id), events.map((e) => e.type), events.map((e) => JSON.stringify(e.payload)),
          events.map((e) => e.organizationId), events.map((e) => e.traceId),
        ],
      });
    } catch (error) {
      translatePgUniqueViolation(error);
    }
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
  }
}
