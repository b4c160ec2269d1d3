import { notFound, requireUser } from '@switchboard/subgraph-kit';
import type { QueryResolvers } from '../__generated__/resolvers-types';

/** Reads: any member of the organization (VIEWER and up). */
export const Query: QueryResolvers = {
  contact: async (_parent, { id }, context) => {
    requireUser(context);
    const contact = await context.loaders.contact.load(id.toLowerCase());
    if (!contact) throw notFound('Contact', id);
    return contact;
  },

  contacts: (_parent, { filter, first, after }, context) => {
    const caller = requireUser(context);
    return context.services.contacts.list(caller.organizationId, filter, first, after);
  },

  contactGroup: (_parent, { id }, context) => {
    const caller = requireUser(context);
    return context.services.groups.get(caller.organizationId, id);
  },

  contactGroups: (_parent, { first, after }, context) => {
    const caller = requireUser(context);
    return context.services.groups.list(caller.organizationId, first, after);
  },

  importJob: (_parent, { id }, context) => {
    const caller = requireUser(context);
    return context.services.imports.get(caller.organizationId, id);
  },
};
