import { requireRole } from '@switchboard/subgraph-kit';
import type { MutationResolvers } from '../../__generated__/resolvers-types';

/** Senders and numbers: ADMIN and up. */
export const senderMutations: Pick<MutationResolvers, 'createSender' | 'updateSender' | 'deleteSender' | 'provisionPhoneNumber'> = {
  createSender: (_parent, { input }, ctx) => ctx.services.senders.create(requireRole(ctx, 'ADMIN').organizationId, input),
  updateSender: (_parent, { id, input }, ctx) => ctx.services.senders.update(requireRole(ctx, 'ADMIN').organizationId, id, input),
  deleteSender: (_parent, { id }, ctx) => ctx.services.senders.delete(requireRole(ctx, 'ADMIN').organizationId, id),
  provisionPhoneNumber: (_parent, { input }, ctx) =>
    ctx.services.senders.provisionPhoneNumber(requireRole(ctx, 'ADMIN').organizationId, input),
};
