import type { Logger } from '@switchboard/config';
import type { SwitchboardEvent } from '@switchboard/events';
import type { MembershipStore } from '../store/membership-store';
import { planMembershipBatch } from './organization-members';
import type { TeamEvents } from './team-events';

/** What applying a batch of the user subgraph's events did. */
export interface MembershipBatchOutcome {
  /** (organization, user) pairs the batch said something about. */
  memberships: number;
  /** Projection rows inserted or updated (a stale or repeated fact writes none). */
  rowsWritten: number;
  /** Team memberships deleted because their user left the organization. */
  teamMembershipsRemoved: number;
  /** Teams a `MEMBER_REMOVED` change was published for. */
  teamsChanged: number;
}

/**
 * Keeps the organization-membership projection from the user subgraph's events (the consumer in
 * src/consumers) and takes the teams of those who leave: their team memberships in that
 * organization are deleted in the same transaction, and each team that lost members gets one
 * `MEMBER_REMOVED` change on `team.changed` after the commit, as a mutation would publish it.
 * Applying the same events again, or in another order, leaves the same state and deletes nothing more.
 */
export class MembershipService {
  constructor(
    private readonly store: MembershipStore,
    private readonly events: TeamEvents,
    private readonly log: Logger,
  ) {}

  async apply(events: readonly SwitchboardEvent[]): Promise<MembershipBatchOutcome> {
    const plan = planMembershipBatch(events);
    const { rowsWritten, removed } = await this.store.apply(plan);
    const teams = new Map<string, { organizationId: string; teamId: string; userIds: string[] }>();
    for (const member of removed) {
      const team = teams.get(member.teamId) ?? { organizationId: member.organizationId, teamId: member.teamId, userIds: [] };
      team.userIds.push(member.userId);
      teams.set(member.teamId, team);
    }
    for (const team of teams.values()) {
      this.log.info(team, 'removed team members who left the organization');
    }
    await Promise.all(
      [...teams.values()].map((team) => this.events.changed({ organizationId: team.organizationId, teamId: team.teamId, kind: 'MEMBER_REMOVED' })),
    );
    const outcome = { memberships: plan.latest.length, rowsWritten, teamMembershipsRemoved: removed.length, teamsChanged: teams.size };
    if (outcome.memberships > 0) this.log.debug(outcome, 'organization membership batch');
    return outcome;
  }
}
