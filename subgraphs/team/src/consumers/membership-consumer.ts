import { invitationAccepted, membershipRemoved, membershipRoleChanged, organizationCreated, userRegistered, type SwitchboardEvent } from '@switchboard/events';
import type { MembershipService } from '../domain/membership-service';

/** The user subgraph's topics that say who joined or left an organization. */
export const MEMBERSHIP_TOPICS = [
  organizationCreated.topic,
  userRegistered.topic,
  invitationAccepted.topic,
  membershipRoleChanged.topic,
  membershipRemoved.topic,
] as const;

/**
 * Applies a batch of one partition's events (runConsumer's batch mode) to the organization-
 * membership projection in one transaction. Order within and across topics does not matter (see
 * src/domain/organization-members.ts); events of other types are acknowledged without a write.
 */
export function membershipBatchHandler(memberships: MembershipService) {
  return async (events: SwitchboardEvent[]): Promise<void> => {
    await memberships.apply(events);
  };
}
