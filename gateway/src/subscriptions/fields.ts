import { z } from 'zod';

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
};
