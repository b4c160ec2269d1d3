import { requireUser } from '@switchboard/subgraph-kit';
import { viewerOf } from '../context';
import type { QueryResolvers } from '../__generated__/resolvers-types';

export const Query: QueryResolvers = {
  me: async (_parent, _args, ctx) => {
    const caller = requireUser(ctx);
    const user = await ctx.services.organizations.userForCaller(caller, caller.userId);
    return { ...user, viewer: viewerOf(caller) ?? undefined };
  },
  user: async (_parent, { id }, ctx) => {
    const caller = requireUser(ctx);
    const user = await ctx.services.organizations.userForCaller(caller, id);
    return { ...user, viewer: viewerOf(caller) ?? undefined };
  },
  organization: async (_parent, { id }, ctx) => {
    const caller = requireUser(ctx);
    const organization = await ctx.services.organizations.organizationForCaller(caller, id);
    return { ...organization, viewer: viewerOf(caller) ?? undefined };
  },
  invitations: (_parent, _args, ctx) => ctx.services.organizations.pendingInvitations(ctx.caller),
};
