import type { MembershipResolvers } from '../__generated__/resolvers-types';
import { viewerOf } from '../context';

export const Membership: MembershipResolvers = {
  user: async (parent, _args, ctx) => {
    const user = await ctx.loaders.user.load(parent.userId);
    if (!user) throw new Error(`Membership ${parent.id} has no user`);
    return { ...user, viewer: parent.viewer ?? viewerOf(ctx.caller) ?? undefined };
  },
  organization: async (parent, _args, ctx) => {
    const organization = await ctx.loaders.organization.load(parent.organizationId);
    if (!organization) throw new Error(`Membership ${parent.id} has no organization`);
    return { ...organization, viewer: parent.viewer ?? viewerOf(ctx.caller) ?? undefined };
  },
};
