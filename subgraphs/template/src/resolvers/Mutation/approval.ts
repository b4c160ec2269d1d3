import { requireRole } from '@switchboard/subgraph-kit';
import type { MutationResolvers } from '../../__generated__/resolvers-types';

export const submitTemplateForApproval: MutationResolvers['submitTemplateForApproval'] = (_parent, { id }, context) => {
  const caller = requireRole(context, 'AGENT');
  return context.templates.submit({ organizationId: caller.organizationId, userId: caller.userId, traceId: caller.requestId }, id);
};

/** Records WhatsApp's decision by hand; the provider's own reports reach the same service through the status consumer. */
export const setTemplateApprovalStatus: MutationResolvers['setTemplateApprovalStatus'] = (
  _parent,
  { id, status, reason, version },
  context,
) => {
  const caller = requireRole(context, 'ADMIN');
  return context.templates.setApprovalStatus({ organizationId: caller.organizationId, userId: caller.userId, traceId: caller.requestId }, id, {
    status,
    reason,
    version,
  });
};
