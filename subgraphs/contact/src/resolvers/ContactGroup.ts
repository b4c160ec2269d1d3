import type { ContactGroupResolvers } from '../__generated__/resolvers-types';

export const ContactGroup: ContactGroupResolvers = {
  __resolveReference: (reference, context) => context.loaders.group.load(reference.id.toLowerCase()),
  memberCount: (group, _args, context) => context.loaders.memberCount.load(group.id),
  contacts: (group, { first, after }, context) =>
    context.services.contacts.list(group.organizationId, { groupId: group.id }, first, after),
};
