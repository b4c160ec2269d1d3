import type { TeamMemberResolvers } from '../__generated__/resolvers-types';

export const TeamMember: TeamMemberResolvers = {
  // A reference: the gateway asks the user subgraph for every other field of the user.
  user: (member) => ({ id: member.userId }),
};
