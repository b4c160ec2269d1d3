import type { MutationResolvers } from '../../__generated__/resolvers-types';
import { requireUser } from '@switchboard/subgraph-kit';

export const memberMutations: Pick<MutationResolvers, 'addTeamMember' | 'removeTeamMember' | 'setTeamMemberRole'> = {
  addTeamMember: (_parent, { teamId, userId, role }, context) =>
    context.teams.addTeamMember(requireUser(context), teamId, userId, role ?? 'MEMBER'),
  removeTeamMember: (_parent, { teamId, userId }, context) =>
    context.teams.removeTeamMember(requireUser(context), teamId, userId),
  setTeamMemberRole: (_parent, { teamId, userId, role }, context) =>
    context.teams.setTeamMemberRole(requireUser(context), teamId, userId, role),
};
