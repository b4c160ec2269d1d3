import type { TeamResolvers } from '../__generated__/resolvers-types';
import { reader } from '../context';

export const Team: TeamResolvers = {
  // A reference from another subgraph (or the subscription bridge): null outside the caller's
  // organization, like an id that does not exist.
  __resolveReference: (reference, context) => reader(context).loaders.team.load(reference.id),
  members: (team, _args, context) => reader(context).loaders.membersOfTeam.load(team.id),
  memberCount: async (team, _args, context) => (await reader(context).loaders.membersOfTeam.load(team.id)).length,
};
