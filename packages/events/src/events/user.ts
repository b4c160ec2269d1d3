import { z } from 'zod';
import { defineEvent } from '../define-event';
import { emailAddress, httpUrl, id, isoDateTime, role } from '../schema-helpers';

/*
 * Events of the user subgraph. The payloads are exactly what subgraphs/user/src/domain/events.ts
 * writes to "user"."outbox". Invitation and password-reset events carry the raw one-time token
 * (the database keeps only its hash) because the email needs it: never log these payloads.
 */

export const userRegistered = defineEvent({
  type: 'user.registered',
  version: 1,
  topic: 'user.registered',
  description: 'A user account was created, by signing up or by accepting an invitation.',
  payload: z.object({
    userId: id,
    organizationId: id,
    via: z.enum(['SIGN_UP', 'INVITATION']),
  }),
  key: (p) => p.userId,
});

export const organizationCreated = defineEvent({
  type: 'organization.created',
  version: 1,
  topic: 'organization.created',
  description: 'An organization was created with its owner.',
  payload: z.object({
    organizationId: id,
    name: z.string().min(1).max(200),
    ownerUserId: id,
  }),
  key: (p) => p.organizationId,
});

export const invitationCreated = defineEvent({
  type: 'invitation.created',
  version: 1,
  topic: 'invitation.created',
  description: 'Someone was invited to join an organization; the email worker sends the invitation.',
  payload: z.object({
    invitationId: id,
    organizationId: id,
    organizationName: z.string().min(1).max(200),
    email: emailAddress,
    role,
    invitedBy: z.object({ userId: id, name: z.string().max(200) }),
    /** Raw one-time token (also inside acceptUrl). */
    token: z.string().min(16).max(512),
    acceptUrl: httpUrl,
    expiresAt: isoDateTime,
  }),
  key: (p) => p.invitationId,
});

export const invitationRevoked = defineEvent({
  type: 'invitation.revoked',
  version: 1,
  topic: 'invitation.revoked',
  description: 'A pending invitation was revoked.',
  payload: z.object({ invitationId: id, organizationId: id, revokedByUserId: id }),
  key: (p) => p.invitationId,
});

export const invitationAccepted = defineEvent({
  type: 'invitation.accepted',
  version: 1,
  topic: 'invitation.accepted',
  description: 'An invitation was accepted: the user is now a member with the role.',
  payload: z.object({ invitationId: id, organizationId: id, userId: id, role }),
  key: (p) => p.invitationId,
});

/** Membership events are keyed by organization and user, so one membership's changes stay in order. */
const membershipKey = (p: { organizationId: string; userId: string }): string => `${p.organizationId}:${p.userId}`;

export const membershipRoleChanged = defineEvent({
  type: 'membership.role_changed',
  version: 1,
  topic: 'membership.role_changed',
  description: "A member's role in an organization changed.",
  payload: z.object({ organizationId: id, userId: id, previousRole: role, role, changedByUserId: id }),
  key: membershipKey,
});

export const membershipRemoved = defineEvent({
  type: 'membership.removed',
  version: 1,
  topic: 'membership.removed',
  description: 'A member left or was removed from an organization.',
  payload: z.object({ organizationId: id, userId: id, role, removedByUserId: id }),
  key: membershipKey,
});

export const passwordResetRequested = defineEvent({
  type: 'user.password_reset_requested',
  version: 1,
  topic: 'user.password_reset_requested',
  description: 'A password reset was requested for an account; the email worker sends the link. No organization.',
  payload: z.object({
    userId: id,
    email: emailAddress,
    name: z.string().max(200),
    /** Raw one-time token (also inside resetUrl). */
    token: z.string().min(16).max(512),
    resetUrl: httpUrl,
    expiresAt: isoDateTime,
  }),
  key: (p) => p.userId,
});

export const passwordChanged = defineEvent({
  type: 'user.password_changed',
  version: 1,
  topic: 'user.password_changed',
  description: "An account's password was changed or reset (for a security notice). No organization.",
  payload: z.object({
    userId: id,
    email: emailAddress,
    name: z.string().max(200),
    via: z.enum(['CHANGE', 'RESET']),
  }),
  key: (p) => p.userId,
});

export const userEvents = [
  userRegistered,
  organizationCreated,
  invitationCreated,
  invitationRevoked,
  invitationAccepted,
  membershipRoleChanged,
  membershipRemoved,
  passwordResetRequested,
  passwordChanged,
] as const;
