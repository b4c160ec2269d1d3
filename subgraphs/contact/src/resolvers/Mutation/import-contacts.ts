import { requireRole } from '@switchboard/subgraph-kit';
import type { MutationResolvers } from '../../__generated__/resolvers-types';

/** Bulk import: ADMIN and up (it can change thousands of contacts at once). */
export const importMutations: Pick<MutationResolvers, 'importContacts'> = {
  importContacts: (_parent, { input }, context) => {
    const caller = requireRole(context, 'ADMIN');
    return context.services.imports.start(caller.organizationId, caller.userId, input, caller.requestId);
  },
};
