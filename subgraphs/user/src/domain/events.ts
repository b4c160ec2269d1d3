import type { Role } from '@switchboard/auth';
import type { OutboxEvent } from '../store';

/**
 * Events of the user subgraph, written to its outbox in the transaction of the change. The relay
 * wraps each row in the common envelope (id, type, version, organizationId, occurredAt, traceId).
 * Events meant for the email channel carry what the email needs — including, for invitations and
 * password resets, the raw token (the database keeps only its hash).
 */
export const USER_EVENT_TYPES = {
  userRegistered: 'user.registered',
  organizationCreated: 'organization.created',
  invitationCreated: 'invitation.created',
  invitationRevoked: 'invitation.revoked',
  invitationAccepted: 'invitation.accepted',
  membershipRoleChanged: 'membership.role_changed',
  membershipRemoved: 'membership.removed',
  passwordResetRequested: 'user.password_reset_requested',
  passwordChanged: 'user.password_changed',
} as const;

interface EventContext {
  traceId: string | null;
}

export function userRegistered(ctx: EventContext, p: { userId: string; organizationId: string; via: 'SIGN_UP' | 'INVITATION' }): OutboxEvent {
  return { type: USER_EVENT_TYPES.userRegistered, organizationId: p.organizationId, traceId: ctx.traceId, payload: p };
}

export function organizationCreated(ctx: EventContext, p: { organizationId: string; name: string; ownerUserId: string }): OutboxEvent {
  return { type: USER_EVENT_TYPES.organizationCreated, organizationId: p.organizationId, traceId: ctx.traceId, payload: p };
}

export function invitationCreated(
  ctx: EventContext,
  p: {
    invitationId: string;
    organizationId: string;
    organizationName: string;
    email: string;
    role: Role;
    invitedBy: { userId: string; name: string };
    token: string;
    acceptUrl: string;
    expiresAt: Date;
  },
): OutboxEvent {
  return {
    type: USER_EVENT_TYPES.invitationCreated,
    organizationId: p.organizationId,
    traceId: ctx.traceId,
    payload: { ...p, expiresAt: p.expiresAt.toISOString() },
  };
}

export function invitationRevoked(ctx: EventContext, p: { invitationId: string; organizationId: string; revokedByUserId: string }): OutboxEvent {
  return { type: USER_EVENT_TYPES.invitationRevoked, organizationId: p.organizationId, traceId: ctx.traceId, payload: p };
}

export function invitationAccepted(
  ctx: EventContext,
  p: { invitationId: string; organizationId: string; userId: string; role: Role },
): OutboxEvent {
  return { type: USER_EVENT_TYPES.invitationAccepted, organizationId: p.organizationId, traceId: ctx.traceId, payload: p };
}

export function membershipRoleChanged(
  ctx: EventContext,
  p: { organizationId: string; userId: string; previousRole: Role; role: Role; changedByUserId: string },
): OutboxEvent {
  return { type: USER_EVENT_TYPES.membershipRoleChanged, organizationId: p.organizationId, traceId: ctx.traceId, payload: p };
}

export function membershipRemoved(
  ctx: EventContext,
  p: { organizationId: string; userId: string; role: Role; removedByUserId: string },
): OutboxEvent {
  return { type: USER_EVENT_TYPES.membershipRemoved, organizationId: p.organizationId, traceId: ctx.traceId, payload: p };
}

export function passwordResetRequested(
  ctx: EventContext,
  p: { userId: string; email: string; name: string; token: string; resetUrl: string; expiresAt: Date },
): OutboxEvent {
  return {
    type: USER_EVENT_TYPES.passwordResetRequested,
    organizationId: null,
    traceId: ctx.traceId,
    payload: { ...p, expiresAt: p.expiresAt.toISOString() },
  };
}

export function passwordChanged(ctx: EventContext, p: { userId: string; email: string; name: string; via: 'CHANGE' | 'RESET' }): OutboxEvent {
  return { type: USER_EVENT_TYPES.passwordChanged, organizationId: null, traceId: ctx.traceId, payload: p };
}
