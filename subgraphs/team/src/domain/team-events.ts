import type { Redis } from 'ioredis';
import type { Logger } from '@switchboard/config';

/** The Redis pub/sub channel (before the deployment's key prefix) the gateway's bridge listens on. */
export const TEAM_CHANGED_CHANNEL = 'events:team.changed';

export const TEAM_CHANGE_KINDS = [
  'CREATED',
  'RENAMED',
  'DELETED',
  'MEMBER_ADDED',
  'MEMBER_REMOVED',
  'MEMBER_ROLE_CHANGED',
] as const;
export type TeamChangeKind = (typeof TEAM_CHANGE_KINDS)[number];

/** The message published after every committed change to a team or its members. */
export interface TeamChangedEvent {
  organizationId: string;
  teamId: string;
  kind: TeamChangeKind;
}

export interface TeamEvents {
  /** Called after the change is committed; never throws (the change stands either way). */
  changed(event: TeamChangedEvent): Promise<void>;
}

/**
 * ioredis applies `keyPrefix` to keys but not to pub/sub channels, so the prefix is added here:
 * systems sharing one Redis (one per test run) never hear each other.
 */
export function teamChangedChannel(redis: Pick<Redis, 'options'>): string {
  return `${redis.options.keyPrefix ?? ''}${TEAM_CHANGED_CHANNEL}`;
}

/**
 * Publishes on Redis pub/sub: at most once, to whoever listens at that moment. A failed publish
 * is logged, not raised — the mutation has already committed.
 */
export function redisTeamEvents(redis: Pick<Redis, 'options' | 'publish'>, log: Logger): TeamEvents {
  const channel = teamChangedChannel(redis);
  return {
    async changed(event) {
      try {
        await redis.publish(channel, JSON.stringify(event));
      } catch (error) {
        log.warn({ err: error, teamId: event.teamId, kind: event.kind }, 'could not publish team change');
      }
    },
  };
}
