import { requireUser } from '@switchboard/subgraph-kit';
import type { SenderResolvers } from '../__generated__/resolvers-types';

/** Credentials are never resolved: only whether they exist and a non-secret hint. */
export const Sender: SenderResolvers = {
  __resolveReference: async (reference, ctx) => {
    requireUser(ctx);
    const sender = await ctx.loaders?.sender.load(reference.id);
    return sender && !sender.deletedAt ? sender : null;
  },
  hasCredentials: (sender) => sender.credentialsCiphertext !== null,
};
