import { badUserInput, requireUser } from '@switchboard/subgraph-kit';
import type { QueryResolvers } from '../__generated__/resolvers-types';

/** Reads: any member of the organization (VIEWER and up). */
export const Query: QueryResolvers = {
  template: (_parent, { id }, context) => {
    const caller = requireUser(context);
    return context.templates.get(caller.organizationId, id);
  },

  templates: (_parent, { filter, first, after }, context) => {
    const caller = requireUser(context);
    return context.templates.list(caller.organizationId, { ...filter, first, after });
  },

  renderTemplate: (_parent, { id, variables, version, forSending }, context) => {
    const caller = requireUser(context);
    if (forSending) {
      if (version != null) throw badUserInput('forSending always renders the version used to send: leave version out', 'version');
      return context.templates.renderForSending(caller.organizationId, id, variables);
    }
    return context.templates.render(caller.organizationId, id, variables, { version });
  },
};
