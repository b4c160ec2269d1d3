import DataLoader from 'dataloader';
import { createEntityLoader } from '@switchboard/subgraph-kit';
import type { TeamMemberRecord, TeamRecord, TeamStore } from './store/team-store';
import { isUuid } from './domain/ids';

/**
 * Per-request batching, scoped to the caller's organization: `teams { members }` or many `User`
 * references cost one query per field, not one per parent.
 */
export interface TeamLoaders {
  /** Null for ids that are not teams of the organization. */
  team: DataLoader<string, TeamRecord | null>;
  membersOfTeam: DataLoader<string, TeamMemberRecord[]>;
  teamsOfUser: DataLoader<string, TeamRecord[]>;
}

export function createTeamLoaders(store: TeamStore, organizationId: string): TeamLoaders {
  return {
    team: createEntityLoader((ids) => store.findTeams(organizationId, ids.filter(isUuid))),
    membersOfTeam: new DataLoader(async (teamIds) => {
      const byTeam = new Map<string, TeamMemberRecord[]>(teamIds.map((teamId) => [teamId, []]));
      for (const member of await store.membersOfTeams(organizationId, teamIds)) byTeam.get(member.teamId)?.push(member);
      return teamIds.map((teamId) => byTeam.get(teamId) ?? []);
    }),
    teamsOfUser: new DataLoader(async (userIds) => {
      // Users are UUIDs; anything else has no teams (and must not reach a uuid column).
      const byUser = await store.teamsOfUsers(organizationId, userIds.filter(isUuid));
      return userIds.map((userId) => byUser.get(userId) ?? []);
    }),
  };
}
