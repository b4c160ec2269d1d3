import type { SwitchboardEvent } from '@switchboard/events';

/**
 * Who is a member of which organization, as this subgraph learns it from the user subgraph's
 * events (the user subgraph owns memberships; the team schema keeps a projection).
 *
 * Every event below says one thing about one (organization, user) at the event's `occurredAt`:
 * they were a member then, or they were not. Events of different topics arrive in any order and
 * may arrive twice, so the projection keeps, per (organization, user), the fact of the latest
 * event — by `occurredAt`, then a removal before a join at the same instant (refusing is the safe
 * side), then the event id — whatever order they are applied in. A duplicate changes nothing.
 */

/** What one event says about one user's membership of one organization. */
export interface MembershipFact {
  organizationId: string;
  userId: string;
  isMember: boolean;
  /** The event's `occurredAt` (milliseconds: what the projection stores). */
  at: Date;
  /** The event id, lower case. */
  eventId: string;
}

/**
 * The membership fact an event carries, or null for events that say nothing about membership.
 * - `organization.created`: the owner is a member of the new organization.
 * - `user.registered`: the new account is a member of `organizationId` either way — `via: SIGN_UP`
 *   created that organization with the user as its owner, `via: INVITATION` joined it (its
 *   `invitation.accepted` comes from the same transaction, with the same `occurredAt`).
 * - `invitation.accepted`: the user joined.
 * - `membership.role_changed`: the user was a member when their role changed.
 * - `membership.removed`: the user left or was removed.
 */
export function membershipFactOf(event: SwitchboardEvent): MembershipFact | null {
  const base = { at: new Date(event.occurredAt), eventId: event.id.toLowerCase() };
  const fact = (organizationId: string, userId: string, isMember: boolean): MembershipFact => ({
    organizationId: organizationId.toLowerCase(),
    userId: userId.toLowerCase(),
    isMember,
    ...base,
  });
  switch (event.type) {
    case 'organization.created':
      return fact(event.payload.organizationId, event.payload.ownerUserId, true);
    case 'user.registered':
      return fact(event.payload.organizationId, event.payload.userId, true);
    case 'invitation.accepted':
      return fact(event.payload.organizationId, event.payload.userId, true);
    case 'membership.role_changed':
      return fact(event.payload.organizationId, event.payload.userId, true);
    case 'membership.removed':
      return fact(event.payload.organizationId, event.payload.userId, false);
    default:
      return null;
  }
}

/**
 * Whether fact `a` is decided after fact `b` (so `a` wins): later `occurredAt`; at the same
 * instant a removal wins over a join; then the greater event id (compared as PostgreSQL compares
 * uuids: the store applies the same order in SQL). Equal facts (the same event) are not later.
 */
export function isLaterFact(a: MembershipFact, b: MembershipFact): boolean {
  const byTime = a.at.getTime() - b.at.getTime();
  if (byTime !== 0) return byTime > 0;
  if (a.isMember !== b.isMember) return !a.isMember;
  return a.eventId > b.eventId;
}

export function membershipKey(fact: Pick<MembershipFact, 'organizationId' | 'userId'>): string {
  return `${fact.organizationId}:${fact.userId}`;
}

/** A batch of events planned for the store. */
export interface MembershipBatchPlan {
  /** The latest fact per (organization, user), ordered by organization then user (the order rows are locked in). */
  latest: MembershipFact[];
  /**
   * Per (organization, user) with a removal in the batch, the latest removal's time: the team
   * memberships added up to then go (all of them if the user ends up not a member).
   */
  removals: { organizationId: string; userId: string; at: Date }[];
}

/** Reduces a batch of events to one write per (organization, user), the same whatever their order. */
export function planMembershipBatch(events: readonly SwitchboardEvent[]): MembershipBatchPlan {
  const latest = new Map<string, MembershipFact>();
  const removals = new Map<string, { organizationId: string; userId: string; at: Date }>();
  for (const event of events) {
    const fact = membershipFactOf(event);
    if (!fact) continue;
    const key = membershipKey(fact);
    const current = latest.get(key);
    if (!current || isLaterFact(fact, current)) latest.set(key, fact);
    if (!fact.isMember) {
      const removal = removals.get(key);
      if (!removal || fact.at > removal.at) removals.set(key, { organizationId: fact.organizationId, userId: fact.userId, at: fact.at });
    }
  }
  const byKey = <T extends { organizationId: string; userId: string }>(a: T, b: T) => {
    const left = membershipKey(a);
    const right = membershipKey(b);
    return left < right ? -1 : left > right ? 1 : 0;
  };
  return { latest: [...latest.values()].sort(byKey), removals: [...removals.values()].sort(byKey) };
}

/** What the projection knows about a user in an organization. */
export type OrganizationMembership = 'MEMBER' | 'REMOVED' | 'UNKNOWN';

/**
 * Whether `userId` may be added to a team of the caller's organization: a member as the
 * projection knows it, or the caller themselves while the projection knows nothing of them yet
 * (the gateway verified the caller's membership on this very request — e.g. the owner of an
 * organization created a moment ago). A removal the projection knows of is believed over the
 * caller's context: the join that followed it, if any, is on its way.
 */
export function mayJoinTeams(membership: OrganizationMembership, userId: string, callerUserId: string): boolean {
  if (membership === 'MEMBER') return true;
  return membership === 'UNKNOWN' && userId === callerUserId.toLowerCase();
}
