import type { Role } from '@switchboard/auth';
import type { Invitation, Membership, Organization, User } from '@switchboard/db';

/**
 * Whose eyes a value is seen through: the signed-in user and the organization of their session.
 * Field resolvers use it to decide what to show (a user's own memberships vs. the one in the
 * viewer's organization). Resolvers take it from the caller; auth payloads carry the new session's.
 */
export interface Viewer {
  userId: string;
  organizationId: string;
}

/** Parents of the GraphQL types (codegen mappers): the Prisma rows, plus the viewer when known. */
export type UserParent = User & { viewer?: Viewer };
export type OrganizationParent = Organization & { viewer?: Viewer };
export type MembershipParent = Membership & { viewer?: Viewer };
export type InvitationParent = Invitation;

/** What sign-in, refresh, switching organization and accepting an invitation answer. */
export interface AuthSession {
  accessToken: string;
  accessTokenExpiresAt: Date;
  refreshToken: string;
  refreshTokenExpiresAt: Date;
  sessionId: string;
  role: Role;
  user: User;
  organization: Organization;
}

export type InvitationStatus = 'PENDING' | 'ACCEPTED' | 'REVOKED' | 'EXPIRED';

export function invitationStatus(invitation: Invitation, now: Date = new Date()): InvitationStatus {
  if (invitation.acceptedAt) return 'ACCEPTED';
  if (invitation.revokedAt) return 'REVOKED';
  if (invitation.expiresAt.getTime() <= now.getTime()) return 'EXPIRED';
  return 'PENDING';
}
