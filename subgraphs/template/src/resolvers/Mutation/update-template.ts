import { requireRole } from '@switchboard/subgraph-kit';
import type { MutationResolvers } from '../../__generated__/resolvers-types';

export const updateTemplate: MutationResolvers['updateTemplate'] = (_parent, { id, input }, context) => {
  const caller = requireRole(context, 'AGENT');
  return context.templates.update({ organizationId: caller.organizationId, userId: caller.userId, traceId: caller.requestId }, id, input);
};
