import { requireUser } from '@switchboard/subgraph-kit';
import type { MutationResolvers } from '../../__generated__/resolvers-types';

/** Passwords and profile. */
export const accountMutations: Pick<
  MutationResolvers,
  'requestPasswordReset' | 'resetPassword' | 'updateProfile' | 'changePassword'
> = {
  requestPasswordReset: (_parent, { email }, ctx) => ctx.services.accounts.requestPasswordReset(email, ctx.caller),
  resetPassword: (_parent, { token, password }, ctx) =>
    ctx.services.accounts.resetPassword(token, password, ctx.caller),
  updateProfile: (_parent, { name }, ctx) => ctx.services.accounts.updateProfile(requireUser(ctx), name),
  changePassword: (_parent, { currentPassword, newPassword }, ctx) =>
    ctx.services.accounts.changePassword(requireUser(ctx), currentPassword, newPassword),
};
