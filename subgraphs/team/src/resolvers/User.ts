import type { UserResolvers } from '../__generated__/resolvers-types';
import { reader } from '../context';

export const User: UserResolvers = {
  __resolveReference: (reference) => ({ id: reference.id }),
  // Only teams of the caller's organization: another organization's user has none here.
  teams: (user, _args, context) => reader(context).loaders.teamsOfUser.load(user.id),
};
