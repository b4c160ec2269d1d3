import { requireRole } from '@switchboard/subgraph-kit';
import type { MutationResolvers } from '../../__generated__/resolvers-types';

/** Archives: messages and campaigns that used the template can still show it. */
export const deleteTemplate: MutationResolvers['deleteTemplate'] = (_parent, { id }, context) => {
  const caller = requireRole(context, 'ADMIN');
  return context.templates.archive({ organizationId: caller.organizationId, userId: caller.userId, traceId: caller.requestId }, id);
};
