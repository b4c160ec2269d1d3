import type { GraphQLResponse, SeededUser, TestSystem } from '@switchboard/testkit';
import { waitFor } from './messaging';

export const ADD_TEAM_MEMBER = `mutation ($teamId: ID!, $userId: ID!, $role: TeamRole) {
  addTeamMember(teamId: $teamId, userId: $userId, role: $role) { id memberCount }
}`;

/** Whether the answer is the team subgraph's "not a member of your organization" (NOT_FOUND on the User). */
export function isNotAnOrganizationMember(result: GraphQLResponse): boolean {
  const extensions = result.errors?.[0]?.extensions;
  return result.errors?.length === 1 && extensions?.code === 'NOT_FOUND' && extensions.entity === 'User';
}

/**
 * `addTeamMember` as `caller`, asked again while the team subgraph does not know the user as a
 * member of the organization yet — a joining travels from the user subgraph's outbox through the
 * relay and Kafka to the team consumer — for at most `timeoutMs`. Returns the first other answer.
 */
export function addTeamMemberOnceJoined(
  system: TestSystem,
  caller: Pick<SeededUser, 'accessToken'>,
  variables: { teamId: string; userId: string; role?: 'LEAD' | 'MEMBER' },
  timeoutMs = 15_000,
): Promise<GraphQLResponse> {
  return waitFor(
    async () => {
      const result = await system.graphql(ADD_TEAM_MEMBER, variables, { token: caller.accessToken });
      return !isNotAnOrganizationMember(result) && result;
    },
    `user ${variables.userId} to become a member the team subgraph knows`,
    timeoutMs,
  );
}
