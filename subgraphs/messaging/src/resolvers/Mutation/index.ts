import type { MutationResolvers } from '../../__generated__/resolvers-types';
import { sendMessage } from './send-message';
import { senderMutations } from './senders';

export const Mutation: MutationResolvers = {
  sendMessage,
  ...senderMutations,
};
