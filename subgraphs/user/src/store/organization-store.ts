import {
  withTransaction,
  type Invitation,
  type Membership,
  type MembershipRole,
  type Organization,
  type Prisma,
  type PrismaClient,
  type User,
} from '@switchboard/db';
import { translateUniqueViolation } from './errors';
import { appendOutbox, type OutboxEvent } from './outbox';
import type { NewRefreshToken, SessionStore } from './session-store';

export interface MembershipCursor {
  createdAt: Date;
  id: string;
}

/** The state a membership change is decided on, read under the organization's row lock. */
export interface MembershipChangeState {
  target: Membership;
  ownerCount: number;
}

/** Organizations, memberships and invitations. */
export class OrganizationStore {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly sessions: SessionStore,
  ) {}

  findOrganizationsByIds(ids: readonly string[]): Promise<Organization[]> {
    return this.prisma.organization.findMany({ where: { id: { in: [...ids] } } });
  }

  findMembership(organizationId: string, userId: string): Promise<Membership | null> {
    return this.prisma.membership.findUnique({ where: { organizationId_userId: { organizationId, userId } } });
  }

  findMembershipsByPairs(pairs: readonly { organizationId: string; userId: string }[]): Promise<Membership[]> {
    return this.prisma.membership.findMany({
      where: { OR: pairs.map(({ organizationId, userId }) => ({ organizationId, userId })) },
    });
  }

  findMembershipsByIds(ids: readonly string[]): Promise<Membership[]> {
    return this.prisma.membership.findMany({ where: { id: { in: [...ids] } } });
  }

  listMembershipsOfUser(userId: string): Promise<Membership[]> {
    return this.prisma.membership.findMany({ where: { userId }, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] });
  }

  /** One page of an organization's members, oldest first; `limit + 1` rows tell if there is more. */
  listMembers(organizationId: string, limit: number, after: MembershipCursor | null): Promise<Membership[]> {
    return this.prisma.membership.findMany({
      where: {
        organizationId,
        ...(after
          ? { OR: [{ createdAt: { gt: after.createdAt } }, { createdAt: after.createdAt, id: { gt: after.id } }] }
          : {}),
      },
      orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
      take: limit,
    });
  }

  countMembers(organizationId: string): Promise<number> {
    return this.prisma.membership.count({ where: { organizationId } });
  }

  /** Creates an organization owned by `userId` and moves the session to it, in one transaction. */
  createOrganization(input: {
    organization: { id: string; name: string };
    userId: string;
    session: NewRefreshToken;
    now: Date;
    events: OutboxEvent[];
  }): Promise<{ organization: Organization; membership: Membership } | null> {
    return withTransaction(this.prisma, async (tx) => {
      const organization = await tx.organization.create({ data: input.organization });
      const membership = await tx.membership.create({
        data: { organizationId: organization.id, userId: input.userId, role: 'OWNER' },
      });
      if (!(await this.sessions.continueFamily(input.session, input.now, tx))) {
        throw new SessionEndedError();
      }
      await appendOutbox(tx, input.events);
      return { organization, membership };
    }).catch((error: unknown) => {
      if (error instanceof SessionEndedError) return null;
      throw error;
    });
  }

  /**
   * Changes a member's role under a lock on the organization (so two admins cannot demote the
   * last two owners at once). `decide` sees the current state and returns the new role and the
   * events, or throws. Returns null when the user is not a member.
   */
  changeRole(
    organizationId: string,
    userId: string,
    decide: (state: MembershipChangeState) => { role: MembershipRole; events: OutboxEvent[] },
  ): Promise<{ before: Membership; after: Membership } | null> {
    return withTransaction(this.prisma, async (tx) => {
      const state = await this.lockAndRead(tx, organizationId, userId);
      if (!state) return null;
      const { role, events } = decide(state);
      if (role === state.target.role) return { before: state.target, after: state.target };
      const after = await tx.membership.update({ where: { id: state.target.id }, data: { role } });
      await appendOutbox(tx, events);
      return { before: state.target, after };
    });
  }

  /**
   * Removes a member under the organization's lock (see changeRole) and revokes their sessions
   * signed in to it. Returns null when the user is not a member, else the removed membership and
   * the families to revoke at the gateway.
   */
  removeMember(
    organizationId: string,
    userId: string,
    decide: (state: MembershipChangeState) => OutboxEvent[],
    sessions: { accessTokensIssuedAfter: Date; now: Date },
  ): Promise<{ removed: Membership; families: string[] } | null> {
    return withTransaction(this.prisma, async (tx) => {
      const state = await this.lockAndRead(tx, organizationId, userId);
      if (!state) return null;
      const events = decide(state);
      await tx.membership.delete({ where: { id: state.target.id } });
      const families = await this.sessions.revokeUserFamilies(userId, { ...sessions, organizationId }, tx);
      await appendOutbox(tx, events);
      return { removed: state.target, families };
    });
  }

  private async lockAndRead(
    tx: Prisma.TransactionClient,
    organizationId: string,
    userId: string,
  ): Promise<MembershipChangeState | null> {
    await tx.$queryRaw`SELECT id FROM "user"."organization" WHERE id = ${organizationId}::uuid FOR UPDATE`;
    const target = await tx.membership.findUnique({ where: { organizationId_userId: { organizationId, userId } } });
    if (!target) return null;
    const ownerCount = await tx.membership.count({ where: { organizationId, role: 'OWNER' } });
    return { target, ownerCount };
  }

  // Invitations

  findInvitation(organizationId: string, id: string): Promise<Invitation | null> {
    return this.prisma.invitation.findFirst({ where: { id, organizationId } });
  }

  findInvitationsByIds(ids: readonly string[]): Promise<Invitation[]> {
    return this.prisma.invitation.findMany({ where: { id: { in: [...ids] } } });
  }

  findInvitationByTokenHash(tokenHash: string): Promise<(Invitation & { organization: Organization }) | null> {
    return this.prisma.invitation.findUnique({ where: { tokenHash }, include: { organization: true } });
  }

  listPendingInvitations(organizationId: string, now: Date): Promise<Invitation[]> {
    return this.prisma.invitation.findMany({
      where: { organizationId, acceptedAt: null, revokedAt: null, expiresAt: { gt: now } },
      orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
      take: 500,
    });
  }

  /** Creates an invitation; a pending one for the same address is revoked (a re-send). */
  createInvitation(
    invitation: {
      id: string;
      organizationId: string;
      email: string;
      role: MembershipRole;
      tokenHash: string;
      invitedById: string;
      expiresAt: Date;
    },
    now: Date,
    events: OutboxEvent[],
  ): Promise<Invitation> {
    return withTransaction(this.prisma, async (tx) => {
      await tx.invitation.updateMany({
        where: { organizationId: invitation.organizationId, email: invitation.email, acceptedAt: null, revokedAt: null },
        data: { revokedAt: now },
      });
      const created = await tx.invitation.create({ data: invitation });
      await appendOutbox(tx, events);
      return created;
    });
  }

  /** Revokes a pending invitation; returns null when it is not pending any more. */
  revokeInvitation(organizationId: string, id: string, now: Date, events: OutboxEvent[]): Promise<Invitation | null> {
    return withTransaction(this.prisma, async (tx) => {
      const { count } = await tx.invitation.updateMany({
        where: { id, organizationId, acceptedAt: null, revokedAt: null },
        data: { revokedAt: now },
      });
      if (count !== 1) return null;
      await appendOutbox(tx, events);
      return tx.invitation.findUniqueOrThrow({ where: { id } });
    });
  }

  /**
   * Accepts an invitation for a new account: creates the user and the membership, marks the
   * invitation accepted and stores the session's first token, in one transaction. Returns null
   * when the invitation was used meanwhile; throws UniqueViolationError if the email got taken.
   */
  async acceptAsNewUser(input: {
    invitationId: string;
    user: { id: string; email: string; name: string; passwordHash: string };
    session: NewRefreshToken;
    now: Date;
    events: OutboxEvent[];
  }): Promise<{ user: User; membership: Membership } | null> {
    try {
      return await withTransaction(this.prisma, async (tx) => {
        const invitation = await this.claimInvitation(tx, input.invitationId, input.user.id, input.now);
        if (!invitation) return null;
        const user = await tx.user.create({ data: input.user });
        const membership = await tx.membership.create({
          data: { organizationId: invitation.organizationId, userId: user.id, role: invitation.role },
        });
        await this.sessions.create(input.session, tx);
        await appendOutbox(tx, input.events);
        return { user, membership };
      });
    } catch (error) {
      return translateUniqueViolation(error);
    }
  }

  /**
   * Accepts an invitation for an existing user and signs them in to the organization: their
   * current session moves there (`continueSession`) or a new one starts. Returns 'USED' when the
   * invitation was used meanwhile, 'SESSION_ENDED' when the session to continue has no live
   * refresh token; throws UniqueViolationError if they are already a member.
   */
  async acceptAsExistingUser(input: {
    invitationId: string;
    userId: string;
    session: NewRefreshToken;
    continueSession: boolean;
    now: Date;
    events: OutboxEvent[];
  }): Promise<{ membership: Membership } | 'USED' | 'SESSION_ENDED'> {
    try {
      return await withTransaction(this.prisma, async (tx) => {
        const invitation = await this.claimInvitation(tx, input.invitationId, input.userId, input.now);
        if (!invitation) return 'USED' as const;
        const membership = await tx.membership.create({
          data: { organizationId: invitation.organizationId, userId: input.userId, role: invitation.role },
        });
        if (!input.continueSession) {
          await this.sessions.create(input.session, tx);
        } else if (!(await this.sessions.continueFamily(input.session, input.now, tx))) {
          throw new SessionEndedError();
        }
        await appendOutbox(tx, input.events);
        return { membership };
      });
    } catch (error) {
      if (error instanceof SessionEndedError) return 'SESSION_ENDED';
      return translateUniqueViolation(error);
    }
  }

  private async claimInvitation(
    tx: Prisma.TransactionClient,
    invitationId: string,
    userId: string,
    now: Date,
  ): Promise<Invitation | null> {
    const { count } = await tx.invitation.updateMany({
      where: { id: invitationId, acceptedAt: null, revokedAt: null, expiresAt: { gt: now } },
      data: { acceptedAt: now, acceptedById: userId },
    });
    if (count !== 1) return null;
    return tx.invitation.findUniqueOrThrow({ where: { id: invitationId } });
  }
}

/** Internal: rolls a transaction back when the session it should continue has ended. */
class SessionEndedError extends Error {}
