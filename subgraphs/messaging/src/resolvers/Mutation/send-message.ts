import { requireRole } from '@switchboard/subgraph-kit';
import type { MutationResolvers } from '../../__generated__/resolvers-types';

/** AGENT and up send. */
export const sendMessage: MutationResolvers['sendMessage'] = async (_parent, { input }, ctx) => {
  const caller = requireRole(ctx, 'AGENT');
  const message = await ctx.services.sending.send(
    { organizationId: caller.organizationId, userId: caller.userId, requestId: caller.requestId },
    input,
  );
  return { message };
};
