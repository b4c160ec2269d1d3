import { membershipKey, viewerOf } from '../context';
import type { UserResolvers } from '../__generated__/resolvers-types';

export const User: UserResolvers = {
  /** References from other subgraphs resolve only for the caller or members of their organization. */
  __resolveReference: async ({ id }, ctx) => {
    const viewer = viewerOf(ctx.caller);
    if (!viewer) return null;
    if (id !== viewer.userId && !(await ctx.loaders.membership.load(membershipKey(viewer.organizationId, id)))) {
      return null;
    }
    const user = await ctx.loaders.user.load(id);
    return user ? { ...user, viewer } : null;
  },
  organization: async (parent, _args, ctx) => {
    const viewer = parent.viewer ?? viewerOf(ctx.caller);
    if (!viewer) return null;
    const membership = await ctx.loaders.membership.load(membershipKey(viewer.organizationId, parent.id));
    const organization = membership ? await ctx.loaders.organization.load(viewer.organizationId) : null;
    return organization ? { ...organization, viewer } : null;
  },
  role: async (parent, _args, ctx) => {
    const viewer = parent.viewer ?? viewerOf(ctx.caller);
    if (!viewer) return null;
    const membership = await ctx.loaders.membership.load(membershipKey(viewer.organizationId, parent.id));
    return membership?.role ?? null;
  },
  memberships: async (parent, _args, ctx) => {
    const viewer = parent.viewer ?? viewerOf(ctx.caller);
    if (!viewer) return [];
    if (viewer.userId === parent.id) {
      const memberships = await ctx.loaders.membershipsOfUser.load(parent.id);
      return memberships.map((membership) => ({ ...membership, viewer }));
    }
    const membership = await ctx.loaders.membership.load(membershipKey(viewer.organizationId, parent.id));
    return membership ? [{ ...membership, viewer }] : [];
  },
};
