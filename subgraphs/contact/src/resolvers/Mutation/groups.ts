import { requireRole } from '@switchboard/subgraph-kit';
import type { MutationResolvers } from '../../__generated__/resolvers-types';

type GroupMutation =
  | 'createContactGroup'
  | 'renameContactGroup'
  | 'deleteContactGroup'
  | 'addContactsToGroup'
  | 'removeContactsFromGroup';

/** Groups and membership: AGENT and up; deleting a group: ADMIN and up. */
export const groupMutations: Pick<MutationResolvers, GroupMutation> = {
  createContactGroup: (_parent, { input }, context) => {
    const caller = requireRole(context, 'AGENT');
    return context.services.groups.create(caller.organizationId, input);
  },

  renameContactGroup: (_parent, { id, name }, context) => {
    const caller = requireRole(context, 'AGENT');
    return context.services.groups.rename(caller.organizationId, id, name);
  },

  deleteContactGroup: (_parent, { id }, context) => {
    const caller = requireRole(context, 'ADMIN');
    return context.services.groups.delete(caller.organizationId, id);
  },

  addContactsToGroup: (_parent, { groupId, contactIds }, context) => {
    const caller = requireRole(context, 'AGENT');
    return context.services.groups.addContacts(caller.organizationId, groupId, contactIds);
  },

  removeContactsFromGroup: (_parent, { groupId, contactIds }, context) => {
    const caller = requireRole(context, 'AGENT');
    return context.services.groups.removeContacts(caller.organizationId, groupId, contactIds);
  },
};
