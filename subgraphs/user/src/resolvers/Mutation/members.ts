import type { MutationResolvers } from '../../__generated__/resolvers-types';

/** Invitations, roles and removals (the service checks roles against the database). */
export const memberMutations: Pick<
  MutationResolvers,
  'inviteMember' | 'revokeInvitation' | 'acceptInvitation' | 'updateMemberRole' | 'removeMember'
> = {
  inviteMember: (_parent, { email, role }, ctx) => ctx.services.organizations.inviteMember(ctx.caller, email, role),
  revokeInvitation: (_parent, { invitationId }, ctx) =>
    ctx.services.organizations.revokeInvitation(ctx.caller, invitationId),
  acceptInvitation: (_parent, args, ctx) => ctx.services.organizations.acceptInvitation(ctx.caller, args),
  updateMemberRole: (_parent, { userId, role }, ctx) =>
    ctx.services.organizations.updateMemberRole(ctx.caller, userId, role),
  removeMember: (_parent, { userId }, ctx) => ctx.services.organizations.removeMember(ctx.caller, userId),
};
