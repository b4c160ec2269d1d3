import { requireUser } from '@switchboard/subgraph-kit';
import type { MutationResolvers } from '../../__generated__/resolvers-types';

/** Signing up, in and out, and refreshing tokens. */
export const authMutations: Pick<MutationResolvers, 'register' | 'login' | 'refreshToken' | 'logout'> = {
  register: (_parent, { input }, ctx) => ctx.services.accounts.register(input, ctx.caller),
  login: (_parent, { input }, ctx) => ctx.services.accounts.login(input, ctx.caller),
  refreshToken: (_parent, { refreshToken }, ctx) => ctx.services.sessions.refresh(refreshToken),
  logout: async (_parent, _args, ctx) => {
    await ctx.services.sessions.logout(requireUser(ctx));
    return true;
  },
};
