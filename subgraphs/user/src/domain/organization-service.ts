import { randomUUID } from 'node:crypto';
import { roleAtLeast, type AuthenticatedCaller, type Caller, type Role } from '@switchboard/auth';
import type { Logger } from '@switchboard/config';
import type { Membership, Organization, User } from '@switchboard/db';
import {
  badUserInput,
  conflict,
  forbidden,
  notFound,
  unauthenticated,
  type SystemSettings,
} from '@switchboard/subgraph-kit';
import { UniqueViolationError, type MembershipCursor, type UserStore } from '../store';
import type { AccountService } from './account-service';
import * as events from './events';
import { isUuid } from './ids';
import { assertStrongPassword, normalizeEmail, normalizeName } from './input';
import { checkInvite, checkRemoval, checkRoleChange, type MembershipRefusal } from './membership-rules';
import { invitationStatus, type AuthSession, type InvitationParent, type MembershipParent } from './models';
import { createOpaqueToken, hashOpaqueToken, looksLikeOpaqueToken } from './opaque-token';
import { hashPassword } from './password';
import type { AccessRevocation } from './revocation';
import { SessionService } from './session-service';

export const INVITATION_TTL_SECONDS = 7 * 24 * 60 * 60;
const MAX_PAGE_SIZE = 200;

export interface MembersPage {
  nodes: Membership[];
  totalCount: number;
  hasNextPage: boolean;
  endCursor: string | null;
}

export interface AcceptInvitationInput {
  token: string;
  name?: string | null;
  password?: string | null;
}

/** The caller as a member of their current organization, with the role the database holds. */
interface Actor {
  caller: AuthenticatedCaller;
  membership: Membership;
}

/**
 * Organizations and their members: creating and switching organizations, invitations, roles and
 * removals. Every operation is scoped to the caller's organization: ids of other organizations
 * are NOT_FOUND. Roles are checked against the database, not only the access token.
 */
export class OrganizationService {
  constructor(
    private readonly store: UserStore,
    private readonly sessions: SessionService,
    private readonly accounts: AccountService,
    private readonly revocation: AccessRevocation,
    private readonly settings: SystemSettings,
    private readonly log: Logger,
  ) {}

  /** The caller's membership in their current organization, at least `minimum`. */
  async requireMember(caller: Caller, minimum: Role): Promise<Actor> {
    if (caller.kind !== 'user') throw unauthenticated();
    if (!roleAtLeast(caller.role, minimum)) {
      throw forbidden(`This needs the ${minimum} role or higher; you are ${caller.role}`);
    }
    const membership = await this.store.organizations.findMembership(caller.organizationId, caller.userId);
    if (!membership) throw unauthenticated('You are no longer a member of this organization; sign in again');
    if (!roleAtLeast(membership.role, minimum)) {
      throw forbidden(`This needs the ${minimum} role or higher; you are ${membership.role}`);
    }
    return { caller, membership };
  }

  // Reading

  /** An organization the caller is a member of; NOT_FOUND for any other. */
  async organizationForCaller(caller: AuthenticatedCaller, organizationId: string): Promise<Organization> {
    const membership = isUuid(organizationId)
      ? await this.store.organizations.findMembership(organizationId, caller.userId)
      : null;
    const [organization] = membership ? await this.store.organizations.findOrganizationsByIds([organizationId]) : [];
    if (!organization) throw notFound('Organization', organizationId);
    return organization;
  }

  /** The caller or a member of the caller's organization; NOT_FOUND for anyone else. */
  async userForCaller(caller: AuthenticatedCaller, userId: string): Promise<User> {
    const visible =
      userId === caller.userId ||
      (isUuid(userId) && (await this.store.organizations.findMembership(caller.organizationId, userId)) !== null);
    const user = visible ? await this.store.accounts.findUserById(userId) : null;
    if (!user) throw notFound('User', userId);
    return user;
  }

  /** Members of an organization, oldest first, for a viewer who is a member of it. */
  async members(
    viewerUserId: string,
    organizationId: string,
    first: number,
    after: string | null,
  ): Promise<MembersPage> {
    if (!Number.isInteger(first) || first < 1 || first > MAX_PAGE_SIZE) {
      throw badUserInput(`first must be between 1 and ${MAX_PAGE_SIZE}`, 'first');
    }
    const cursor = after ? decodeCursor(after) : null;
    if (!(await this.store.organizations.findMembership(organizationId, viewerUserId))) {
      throw notFound('Organization', organizationId);
    }
    const [rows, totalCount] = await Promise.all([
      this.store.organizations.listMembers(organizationId, first + 1, cursor),
      this.store.organizations.countMembers(organizationId),
    ]);
    const nodes = rows.slice(0, first);
    const last = nodes.at(-1);
    return {
      nodes,
      totalCount,
      hasNextPage: rows.length > first,
      endCursor: last ? encodeCursor({ createdAt: last.createdAt, id: last.id }) : null,
    };
  }

  async pendingInvitations(caller: Caller): Promise<InvitationParent[]> {
    const { caller: user } = await this.requireMember(caller, 'ADMIN');
    return this.store.organizations.listPendingInvitations(user.organizationId, new Date());
  }

  // Organizations and sessions

  /** Creates an organization owned by the caller and moves their session to it. */
  async createOrganization(caller: AuthenticatedCaller, rawName: string): Promise<AuthSession> {
    const name = normalizeName(rawName);
    const user = await this.accounts.requireAccount(caller);
    const now = new Date();
    const organizationId = randomUUID();
    const session = this.sessions.prepareSuccessor(caller.sessionId, caller.userId, organizationId, now);
    const created = await this.store.organizations.createOrganization({
      organization: { id: organizationId, name },
      userId: caller.userId,
      session: session.row,
      now,
      events: [events.organizationCreated({ traceId: caller.requestId }, { organizationId, name, ownerUserId: caller.userId })],
    });
    if (!created) throw SessionService.sessionEnded();
    this.log.info({ organizationId, userId: caller.userId }, 'organization created');
    return this.sessions.complete(session, user, created.organization, 'OWNER');
  }

  /** Moves the caller's session to another organization they are a member of. */
  async switchOrganization(caller: AuthenticatedCaller, organizationId: string): Promise<AuthSession> {
    const organization = await this.organizationForCaller(caller, organizationId);
    const [membership, user] = await Promise.all([
      this.store.organizations.findMembership(organization.id, caller.userId),
      this.accounts.requireAccount(caller),
    ]);
    if (!membership) throw notFound('Organization', organizationId);
    const now = new Date();
    const session = this.sessions.prepareSuccessor(caller.sessionId, caller.userId, organization.id, now);
    if (!(await this.store.sessions.continueFamily(session.row, now))) throw SessionService.sessionEnded();
    return this.sessions.complete(session, user, organization, membership.role);
  }

  // Invitations

  async inviteMember(caller: Caller, rawEmail: string, role: Role): Promise<InvitationParent> {
    const actor = await this.requireMember(caller, 'ADMIN');
    const email = normalizeEmail(rawEmail);
    refuse(checkInvite(actor.membership.role, role));
    const organizationId = actor.caller.organizationId;
    const [inviter, [organization], invitee] = await Promise.all([
      this.accounts.requireAccount(actor.caller),
      this.store.organizations.findOrganizationsByIds([organizationId]),
      this.store.accounts.findUserByEmail(email),
    ]);
    if (!organization) throw notFound('Organization', organizationId);
    if (invitee && (await this.store.organizations.findMembership(organizationId, invitee.id))) {
      throw conflict('This person is already a member of the organization', { field: 'email' });
    }
    const now = new Date();
    const { token, hash } = createOpaqueToken();
    const id = randomUUID();
    const expiresAt = new Date(now.getTime() + INVITATION_TTL_SECONDS * 1000);
    const acceptUrl = `${this.settings.publicUrl.replace(/\/+$/u, '')}/accept-invitation?token=${token}`;
    const invitation = await this.store.organizations.createInvitation(
      { id, organizationId, email, role, tokenHash: hash, invitedById: inviter.id, expiresAt },
      now,
      [
        events.invitationCreated(
          { traceId: actor.caller.requestId },
          {
            invitationId: id,
            organizationId,
            organizationName: organization.name,
            email,
            role,
            invitedBy: { userId: inviter.id, name: inviter.name },
            token,
            acceptUrl,
            expiresAt,
          },
        ),
      ],
    );
    this.log.info({ invitationId: id, organizationId, role }, 'invitation created');
    return invitation;
  }

  async revokeInvitation(caller: Caller, invitationId: string): Promise<InvitationParent> {
    const actor = await this.requireMember(caller, 'ADMIN');
    const organizationId = actor.caller.organizationId;
    const invitation = isUuid(invitationId)
      ? await this.store.organizations.findInvitation(organizationId, invitationId)
      : null;
    if (!invitation) throw notFound('Invitation', invitationId);
    const status = invitationStatus(invitation);
    if (status !== 'PENDING') throw conflict(`Only a pending invitation can be revoked; this one is ${status}`, { reason: status });
    const revoked = await this.store.organizations.revokeInvitation(organizationId, invitationId, new Date(), [
      events.invitationRevoked(
        { traceId: actor.caller.requestId },
        { invitationId, organizationId, revokedByUserId: actor.caller.userId },
      ),
    ]);
    if (!revoked) throw conflict('Only a pending invitation can be revoked', { reason: 'NOT_PENDING' });
    return revoked;
  }

  /**
   * Joins the invitation's organization and signs in to it:
   * - a signed-in caller whose email matches moves their session there;
   * - an anonymous caller creates the account (name + password), or — when the address already
   *   has an account — proves it with that account's password.
   */
  async acceptInvitation(caller: Caller, input: AcceptInvitationInput): Promise<AuthSession> {
    const invitation = looksLikeOpaqueToken(input.token)
      ? await this.store.organizations.findInvitationByTokenHash(hashOpaqueToken(input.token))
      : null;
    if (!invitation) throw invitationError('INVALID');
    const status = invitationStatus(invitation);
    if (status !== 'PENDING') throw invitationError(status);

    const now = new Date();
    const trace = { traceId: caller.requestId };
    const { organization } = invitation;
    const accepted = (userId: string) =>
      events.invitationAccepted(trace, {
        invitationId: invitation.id,
        organizationId: organization.id,
        userId,
        role: invitation.role,
      });

    let user: User | null = null;
    let session;
    if (caller.kind === 'user') {
      user = await this.accounts.requireAccount(caller);
      if (user.email !== invitation.email) {
        throw forbidden('This invitation was sent to a different email address than your account’s');
      }
      session = this.sessions.prepareSuccessor(caller.sessionId, user.id, organization.id, now);
    } else {
      const existing = await this.store.accounts.findUserByEmail(invitation.email);
      if (existing) {
        if (!input.password) {
          throw badUserInput(
            'An account with this email already exists: enter its password, or sign in first, to accept',
            'password',
            { reason: 'ACCOUNT_EXISTS' },
          );
        }
        user = await this.accounts.authenticate(invitation.email, input.password, caller.clientIp);
      }
      session = this.sessions.prepareNew(user?.id ?? randomUUID(), organization.id, now);
    }

    if (user) {
      if (await this.store.organizations.findMembership(organization.id, user.id)) {
        throw conflict('You are already a member of this organization', { reason: 'ALREADY_MEMBER' });
      }
      const result = await this.store.organizations
        .acceptAsExistingUser({
          invitationId: invitation.id,
          userId: user.id,
          session: session.row,
          continueSession: caller.kind === 'user',
          now,
          events: [accepted(user.id)],
        })
        .catch((error: unknown) => {
          if (error instanceof UniqueViolationError) {
            throw conflict('You are already a member of this organization', { reason: 'ALREADY_MEMBER' });
          }
          throw error;
        });
      if (result === 'USED') throw invitationError('ACCEPTED');
      if (result === 'SESSION_ENDED') throw SessionService.sessionEnded();
      this.log.info({ invitationId: invitation.id, userId: user.id }, 'invitation accepted');
      return this.sessions.complete(session, user, organization, invitation.role);
    }

    // A new account.
    if (!input.name) throw badUserInput('Enter your name to create your account', 'name');
    if (!input.password) throw badUserInput('Choose a password to create your account', 'password');
    const name = normalizeName(input.name);
    assertStrongPassword(input.password, invitation.email);
    const userId = session.row.userId;
    const created = await this.store.organizations
      .acceptAsNewUser({
        invitationId: invitation.id,
        user: { id: userId, email: invitation.email, name, passwordHash: await hashPassword(input.password) },
        session: session.row,
        now,
        events: [events.userRegistered(trace, { userId, organizationId: organization.id, via: 'INVITATION' }), accepted(userId)],
      })
      .catch((error: unknown) => {
        if (error instanceof UniqueViolationError) {
          throw conflict('An account with this email was just created; sign in to accept', { field: 'email' });
        }
        throw error;
      });
    if (!created) throw invitationError('ACCEPTED');
    this.log.info({ invitationId: invitation.id, userId }, 'invitation accepted by a new user');
    return this.sessions.complete(session, created.user, organization, invitation.role);
  }

  // Roles and removal

  async updateMemberRole(caller: Caller, userId: string, role: Role): Promise<MembershipParent> {
    const actor = await this.requireMember(caller, 'ADMIN');
    const organizationId = actor.caller.organizationId;
    const result = isUuid(userId)
      ? await this.store.organizations.changeRole(organizationId, userId, ({ target, ownerCount }) => {
          refuse(checkRoleChange({ actorRole: actor.membership.role, currentRole: target.role, newRole: role, ownerCount }));
          return {
            role,
            events: [
              events.membershipRoleChanged(
                { traceId: actor.caller.requestId },
                { organizationId, userId, previousRole: target.role, role, changedByUserId: actor.caller.userId },
              ),
            ],
          };
        })
      : null;
    if (!result) throw notFound('Member', userId);
    if (result.before.role !== result.after.role) {
      await this.revocation.membershipChanged(organizationId, userId, new Date());
      this.log.info({ organizationId, userId, from: result.before.role, to: result.after.role }, 'member role changed');
    }
    return { ...result.after, viewer: { userId: actor.caller.userId, organizationId } };
  }

  async removeMember(caller: Caller, userId: string): Promise<true> {
    const actor = await this.requireMember(caller, 'ADMIN');
    const organizationId = actor.caller.organizationId;
    const now = new Date();
    const result = isUuid(userId)
      ? await this.store.organizations.removeMember(
          organizationId,
          userId,
          ({ target, ownerCount }) => {
            refuse(checkRemoval({ actorRole: actor.membership.role, targetRole: target.role, ownerCount }));
            return [
              events.membershipRemoved(
                { traceId: actor.caller.requestId },
                { organizationId, userId, role: target.role, removedByUserId: actor.caller.userId },
              ),
            ];
          },
          { accessTokensIssuedAfter: new Date(now.getTime() - this.settings.accessTokenTtlSeconds * 1000), now },
        )
      : null;
    if (!result) throw notFound('Member', userId);
    await this.revocation.membershipChanged(organizationId, userId, now);
    await this.revocation.revokeSessions(result.families);
    this.log.info({ organizationId, userId }, 'member removed');
    return true;
  }
}

function refuse(refusal: MembershipRefusal | null): void {
  if (!refusal) return;
  if (refusal.code === 'FORBIDDEN') throw forbidden(refusal.message);
  throw conflict(refusal.message, { reason: refusal.reason });
}

function invitationError(reason: 'INVALID' | 'ACCEPTED' | 'REVOKED' | 'EXPIRED') {
  const messages = {
    INVALID: 'This invitation link is invalid',
    ACCEPTED: 'This invitation has already been used',
    REVOKED: 'This invitation was withdrawn; ask for a new one',
    EXPIRED: 'This invitation has expired; ask for a new one',
  } as const;
  return badUserInput(messages[reason], 'token', { reason });
}

function encodeCursor(cursor: MembershipCursor): string {
  return Buffer.from(JSON.stringify([cursor.createdAt.toISOString(), cursor.id])).toString('base64url');
}

function decodeCursor(raw: string): MembershipCursor {
  try {
    const value: unknown = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
    if (Array.isArray(value) && typeof value[0] === 'string' && typeof value[1] === 'string' && isUuid(value[1])) {
      const createdAt = new Date(value[0]);
      if (!Number.isNaN(createdAt.getTime())) return { createdAt, id: value[1] };
    }
  } catch {
    // fall through
  }
  throw badUserInput('Invalid cursor; pass the endCursor of a previous page', 'after');
}
