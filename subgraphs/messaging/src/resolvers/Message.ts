import { requireUser } from '@switchboard/subgraph-kit';
import type { MessageResolvers, MessageStatusEntryResolvers } from '../__generated__/resolvers-types';

export const Message: MessageResolvers = {
  __resolveReference: async (reference, ctx) => {
    requireUser(ctx);
    return (await ctx.loaders?.message.load(reference.id)) ?? null;
  },
  sender: async (message, _args, ctx) => {
    const sender = await ctx.loaders?.sender.load(message.senderId);
    if (!sender) throw new Error(`sender ${message.senderId} of message ${message.id} is missing`);
    return sender;
  },
  contact: (message) => (message.contactId ? { id: message.contactId } : null),
  template: (message) => (message.templateId ? { id: message.templateId } : null),
  to: (message) => message.toAddress,
  from: (message) => message.fromAddress,
  variables: (message) => message.variables ?? null,
  statusHistory: async (message, _args, ctx) => (await ctx.loaders?.statusHistory.load(message.id)) ?? [],
};

export const MessageStatusEntry: MessageStatusEntryResolvers = {
  status: (entry) => entry.status,
  at: (entry) => entry.at,
  source: (entry) => entry.source,
  providerCode: (entry) => entry.providerCode,
};
