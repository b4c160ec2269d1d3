import { notFound } from '@switchboard/subgraph-kit';
import { membershipKey, viewerOf } from '../context';
import type { OrganizationResolvers } from '../__generated__/resolvers-types';

export const Organization: OrganizationResolvers = {
  /** Visible to its members only. */
  __resolveReference: async ({ id }, ctx) => {
    const viewer = viewerOf(ctx.caller);
    if (!viewer || !(await ctx.loaders.membership.load(membershipKey(id, viewer.userId)))) return null;
    const organization = await ctx.loaders.organization.load(id);
    return organization ? { ...organization, viewer } : null;
  },
  members: async (parent, { first, after }, ctx) => {
    const viewer = parent.viewer ?? viewerOf(ctx.caller);
    if (!viewer) throw notFound('Organization', parent.id);
    const page = await ctx.services.organizations.members(viewer.userId, parent.id, first ?? 50, after ?? null);
    return { ...page, nodes: page.nodes.map((membership) => ({ ...membership, viewer })) };
  },
};
