import type { MutationResolvers } from '../../__generated__/resolvers-types';
import { requireUser } from '@switchboard/subgraph-kit';

export const teamMutations: Pick<MutationResolvers, 'createTeam' | 'renameTeam' | 'deleteTeam'> = {
  createTeam: (_parent, { name }, context) => context.teams.createTeam(requireUser(context), name),
  renameTeam: (_parent, { id, name }, context) => context.teams.renameTeam(requireUser(context), id, name),
  deleteTeam: (_parent, { id }, context) => context.teams.deleteTeam(requireUser(context), id),
};
