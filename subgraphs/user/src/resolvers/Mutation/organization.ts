import { requireUser } from '@switchboard/subgraph-kit';
import type { MutationResolvers } from '../../__generated__/resolvers-types';

/** Creating organizations and moving the session between them. */
export const organizationMutations: Pick<MutationResolvers, 'createOrganization' | 'switchOrganization'> = {
  createOrganization: (_parent, { name }, ctx) => ctx.services.organizations.createOrganization(requireUser(ctx), name),
  switchOrganization: (_parent, { organizationId }, ctx) =>
    ctx.services.organizations.switchOrganization(requireUser(ctx), organizationId),
};
