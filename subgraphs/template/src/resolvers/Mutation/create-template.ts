import { requireRole } from '@switchboard/subgraph-kit';
import type { MutationResolvers } from '../../__generated__/resolvers-types';

export const createTemplate: MutationResolvers['createTemplate'] = (_parent, { input }, context) => {
  const caller = requireRole(context, 'AGENT');
  return context.templates.create(
    { organizationId: caller.organizationId, userId: caller.userId, traceId: caller.requestId },
    {
      channel: input.channel,
      name: input.name,
      language: input.language,
      variables: input.variables ?? [],
      email: input.email,
      sms: input.sms,
      whatsapp: input.whatsapp,
    },
  );
};
