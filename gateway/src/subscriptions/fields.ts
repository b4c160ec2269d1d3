import { z } from 'zod';
import { messageReceived, messageStatusApplied } from '@switchboard/events';

/** A field of the change object resolved by querying the supergraph as the subscriber. */
export interface EntityField<E> {
  /** Root query field that loads the entity, scoped to the caller's organization (`team(id:)`). */
  queryField: string;
  /** Its argument taking the key (`id`). */
  keyArgument: string;
  /** The key to load, or null when there is nothing to load (the entity was deleted). */
  key(event: E): string | null;
}

/**
 * How one root subscription field is fed: which topic, which events a subscriber may and wants to
 * see, which change-object fields come straight from the event, and which are entities loaded
 * through the gateway (so any subgraph's fields, and the subscriber's permissions, apply).
 */
export interface SubscriptionFieldSpec<E> {
  topic: string;
  /**
   * Which transport carries the topic: `redis` (pub/sub channel `${prefix}events:<topic>`, default)
   * or `kafka` (the topic itself, read by the gateway's own consumer group from the latest offset).
   */
  source?: 'redis' | 'kafka';
  event: z.ZodType<E>;
  organizationId(event: E): string;
  /** Keeps the events the subscription's arguments ask for. */
  matches(event: E, args: Record<string, unknown>): boolean;
  /** Plain fields of the change object, from the event. */
  values(event: E): Record<string, unknown>;
  entities: Record<string, EntityField<E>>;
}

function defineField<E>(spec: SubscriptionFieldSpec<E>): SubscriptionFieldSpec<unknown> {
  return spec as unknown as SubscriptionFieldSpec<unknown>;
}

const teamChangedEvent = z.object({
  organizationId: z.string().min(1),
  teamId: z.string().min(1),
  kind: z.enum(['CREATED', 'RENAMED', 'DELETED', 'MEMBER_ADDED', 'MEMBER_REMOVED', 'MEMBER_ROLE_CHANGED']),
});

/** A Kafka event as the Kafka source hands it: the catalog's envelope with its payload. */
function envelopeOf<P extends z.ZodType>(payload: P) {
  return z.object({
    id: z.string(),
    type: z.string(),
    organizationId: z.string().nullable(),
    occurredAt: z.string(),
    payload,
  });
}

const messageStatusChangedEvent = envelopeOf(messageStatusApplied.payload);
const messageReceivedEvent = envelopeOf(messageReceived.payload);

/** An optional ID argument matches when absent/null or equal. */
const argMatches = (args: Record<string, unknown>, name: string, value: string | null): boolean =>
  args[name] === undefined || args[name] === null || args[name] === value;

/** The subscription fields the gateway serves. A new field is a new entry here. */
export const SUBSCRIPTION_FIELDS: Record<string, SubscriptionFieldSpec<unknown>> = {
  teamChanged: defineField({
    topic: 'team.changed',
    event: teamChangedEvent,
    organizationId: (event) => event.organizationId,
    matches: (event, args) => args.teamId === undefined || args.teamId === null || args.teamId === event.teamId,
    values: (event) => ({ kind: event.kind, teamId: event.teamId }),
    entities: {
      team: { queryField: 'team', keyArgument: 'id', key: (event) => (event.kind === 'DELETED' ? null : event.teamId) },
    },
  }),
  messageStatusChanged: defineField({
    topic: messageStatusApplied.topic,
    source: 'kafka',
    event: messageStatusChangedEvent,
    organizationId: (event) => event.organizationId ?? '',
    matches: (event, args) =>
      argMatches(args, 'messageId', event.payload.messageId) &&
      argMatches(args, 'conversationId', event.payload.conversationId) &&
      argMatches(args, 'contactId', event.payload.contactId),
    values: ({ payload }) => ({
      messageId: payload.messageId,
      status: payload.status,
      previousStatus: payload.previousStatus,
      channel: payload.channel,
      direction: payload.direction,
      contactId: payload.contactId,
      conversationId: payload.conversationId,
      senderId: payload.senderId,
      errorCode: payload.errorCode,
      occurredAt: payload.occurredAt,
    }),
    entities: {
      message: { queryField: 'message', keyArgument: 'id', key: (event) => event.payload.messageId },
    },
  }),
  messageReceived: defineField({
    topic: messageReceived.topic,
    source: 'kafka',
    event: messageReceivedEvent,
    organizationId: (event) => event.organizationId ?? '',
    matches: (event, args) => argMatches(args, 'senderId', event.payload.senderId),
    values: ({ payload }) => ({
      messageId: payload.messageId,
      channel: payload.channel,
      senderId: payload.senderId,
      contactId: payload.contactId,
      conversationId: payload.conversationId,
      receivedAt: payload.receivedAt,
    }),
    entities: {
      message: { queryField: 'message', keyArgument: 'id', key: (event) => event.payload.messageId },
    },
  }),
};
