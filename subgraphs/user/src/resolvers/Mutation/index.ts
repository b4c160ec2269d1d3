import type { MutationResolvers } from '../../__generated__/resolvers-types';
import { accountMutations } from './account';
import { authMutations } from './auth';
import { memberMutations } from './members';
import { organizationMutations } from './organization';

export const Mutation: MutationResolvers = {
  ...authMutations,
  ...organizationMutations,
  ...memberMutations,
  ...accountMutations,
};
