import type { AuthPayloadResolvers } from '../__generated__/resolvers-types';

/** The session's user and organization are seen through the new session, not the caller. */
export const AuthPayload: AuthPayloadResolvers = {
  user: (parent) => ({ ...parent.user, viewer: { userId: parent.user.id, organizationId: parent.organization.id } }),
  organization: (parent) => ({
    ...parent.organization,
    viewer: { userId: parent.user.id, organizationId: parent.organization.id },
  }),
};
