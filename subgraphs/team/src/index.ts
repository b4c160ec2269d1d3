import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gql } from 'graphql-tag';
import type { SubgraphDefinition, SubgraphDeps } from '@switchboard/subgraph-kit';
import type { TeamContext } from './context';
import { redisTeamEvents } from './domain/team-events';
import { TeamService } from './domain/team-service';
import { createTeamLoaders } from './loaders';
import { resolvers } from './resolvers';
import { TeamStore } from './store/team-store';

export const typeDefs = gql(readFileSync(join(__dirname, '..', 'schema.graphql'), 'utf8'));

export { startTeamConsumers, type StartTeamConsumersOptions, type TeamConsumers } from './consumers';
export { TEAM_CHANGED_CHANNEL, teamChangedChannel, type TeamChangedEvent, type TeamChangeKind } from './domain/team-events';

/** The team subgraph: teams of an organization and their members (see README.md). */
export function teamSubgraph(deps: SubgraphDeps): SubgraphDefinition<TeamContext> {
  const store = new TeamStore(deps.prisma);
  const log = deps.log.child({ subgraph: 'team' });
  const events = redisTeamEvents(deps.redis, log);
  return {
    name: 'team',
    typeDefs,
    resolvers,
    createContext: (caller, requestLog) => ({
      caller,
      log: requestLog,
      teams: new TeamService(store, events, requestLog),
      loaders: caller.kind === 'user' ? createTeamLoaders(store, caller.organizationId) : null,
    }),
  };
}
