import type { QueryResolvers } from '../__generated__/resolvers-types';
import { reader } from '../context';

export const Query: QueryResolvers = {
  team: (_parent, { id }, context) => context.teams.team(reader(context).caller, id),
  teams: (_parent, _args, context) => context.teams.teams(reader(context).caller),
};
