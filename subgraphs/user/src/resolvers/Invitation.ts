import { invitationStatus } from '../domain/models';
import { viewerOf } from '../context';
import type { InvitationResolvers } from '../__generated__/resolvers-types';

export const Invitation: InvitationResolvers = {
  status: (parent) => invitationStatus(parent),
  organization: async (parent, _args, ctx) => {
    const organization = await ctx.loaders.organization.load(parent.organizationId);
    if (!organization) throw new Error(`Invitation ${parent.id} has no organization`);
    return { ...organization, viewer: viewerOf(ctx.caller) ?? undefined };
  },
  invitedBy: async (parent, _args, ctx) => {
    const user = parent.invitedById ? await ctx.loaders.user.load(parent.invitedById) : null;
    return user ? { ...user, viewer: viewerOf(ctx.caller) ?? undefined } : null;
  },
};
