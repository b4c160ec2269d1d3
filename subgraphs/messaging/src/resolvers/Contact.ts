import { requireUser } from '@switchboard/subgraph-kit';
import type { ContactResolvers } from '../__generated__/resolvers-types';

/** The contact subgraph owns contacts; messaging adds their messages. */
export const Contact: ContactResolvers = {
  __resolveReference: (reference) => ({ id: reference.id }),
  messages: (contact, { first, after }, ctx) =>
    ctx.services.messages.page(requireUser(ctx).organizationId, { contactId: contact.id }, first, after),
};
