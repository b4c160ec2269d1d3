import { requireRole } from '@switchboard/subgraph-kit';
import type { MutationResolvers } from '../../__generated__/resolvers-types';

/** Contacts and consent: AGENT and up; deleting: ADMIN and up. */
export const contactMutations: Pick<MutationResolvers, 'createContact' | 'updateContact' | 'deleteContact' | 'setConsent'> = {
  createContact: (_parent, { input }, context) => {
    const caller = requireRole(context, 'AGENT');
    return context.services.contacts.create(caller.organizationId, input, caller.requestId);
  },

  updateContact: (_parent, { id, input }, context) => {
    const caller = requireRole(context, 'AGENT');
    return context.services.contacts.update(caller.organizationId, id, input, caller.requestId);
  },

  deleteContact: (_parent, { id }, context) => {
    const caller = requireRole(context, 'ADMIN');
    return context.services.contacts.delete(caller.organizationId, id, caller.requestId);
  },

  setConsent: (_parent, { contactId, channel, status, source }, context) => {
    const caller = requireRole(context, 'AGENT');
    return context.services.contacts.setConsent(caller.organizationId, contactId, { channel, status, source }, caller.requestId);
  },
};
