import { requireUser } from '@switchboard/subgraph-kit';
import type { QueryResolvers } from '../__generated__/resolvers-types';

/** Any member (VIEWER and up) reads; everything is scoped to the caller's organization. */
export const Query: QueryResolvers = {
  message: (_parent, { id }, ctx) => ctx.services.messages.get(requireUser(ctx).organizationId, id),
  messages: (_parent, { filter, first, after }, ctx) =>
    ctx.services.messages.page(requireUser(ctx).organizationId, filter ?? {}, first, after),
  senders: (_parent, _args, ctx) => ctx.services.senders.list(requireUser(ctx).organizationId),
  sender: (_parent, { id }, ctx) => ctx.services.senders.get(requireUser(ctx).organizationId, id),
};
