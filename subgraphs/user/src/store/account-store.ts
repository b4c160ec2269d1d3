import {
  withTransaction,
  type Membership,
  type Organization,
  type PasswordResetToken,
  type PrismaClient,
  type User,
} from '@switchboard/db';
import type { MembershipRole } from '@switchboard/db';
import { translateUniqueViolation } from './errors';
import { appendOutbox, type OutboxEvent } from './outbox';
import type { NewRefreshToken, SessionStore } from './session-store';

export interface NewAccount {
  user: { id: string; email: string; name: string; passwordHash: string };
  organization: { id: string; name: string };
  role: MembershipRole;
}

/** Users, their passwords and password resets. */
export class AccountStore {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly sessions: SessionStore,
  ) {}

  findUserById(id: string): Promise<User | null> {
    return this.prisma.user.findUnique({ where: { id } });
  }

  findUsersByIds(ids: readonly string[]): Promise<User[]> {
    return this.prisma.user.findMany({ where: { id: { in: [...ids] } } });
  }

  findUserByEmail(email: string): Promise<User | null> {
    return this.prisma.user.findUnique({ where: { email } });
  }

  /**
   * Creates a user with a new organization and a membership in it, plus the session's first
   * refresh token and the events, in one transaction. Throws UniqueViolationError on a taken email.
   */
  async createAccount(
    account: NewAccount,
    refreshToken: NewRefreshToken,
    events: OutboxEvent[],
  ): Promise<{ user: User; organization: Organization; membership: Membership }> {
    try {
      return await withTransaction(this.prisma, async (tx) => {
        const user = await tx.user.create({ data: account.user });
        const organization = await tx.organization.create({ data: account.organization });
        const membership = await tx.membership.create({
          data: { organizationId: organization.id, userId: user.id, role: account.role },
        });
        await this.sessions.create(refreshToken, tx);
        await appendOutbox(tx, events);
        return { user, organization, membership };
      });
    } catch (error) {
      return translateUniqueViolation(error);
    }
  }

  updateName(userId: string, name: string): Promise<User> {
    return this.prisma.user.update({ where: { id: userId }, data: { name } });
  }

  async updatePasswordHash(userId: string, passwordHash: string): Promise<void> {
    await this.prisma.user.update({ where: { id: userId }, data: { passwordHash } });
  }

  /**
   * Sets a new password and revokes the user's sessions (all, or all but `exceptFamilyId`) in
   * one transaction. Returns the families to revoke at the gateway as well.
   */
  changePassword(input: {
    userId: string;
    passwordHash: string;
    exceptFamilyId?: string;
    accessTokensIssuedAfter: Date;
    now: Date;
    events: OutboxEvent[];
  }): Promise<string[]> {
    return withTransaction(this.prisma, async (tx) => {
      await tx.user.update({ where: { id: input.userId }, data: { passwordHash: input.passwordHash } });
      const families = await this.sessions.revokeUserFamilies(
        input.userId,
        { exceptFamilyId: input.exceptFamilyId, accessTokensIssuedAfter: input.accessTokensIssuedAfter, now: input.now },
        tx,
      );
      await appendOutbox(tx, input.events);
      return families;
    });
  }

  countPasswordResetsSince(userId: string, since: Date): Promise<number> {
    return this.prisma.passwordResetToken.count({ where: { userId, createdAt: { gt: since } } });
  }

  /** Stores a reset token (earlier unused ones stop working) and its event, in one transaction. */
  async createPasswordReset(
    token: { userId: string; tokenHash: string; expiresAt: Date },
    now: Date,
    events: OutboxEvent[],
  ): Promise<void> {
    await withTransaction(this.prisma, async (tx) => {
      await tx.passwordResetToken.updateMany({ where: { userId: token.userId, usedAt: null }, data: { usedAt: now } });
      await tx.passwordResetToken.create({ data: token });
      await appendOutbox(tx, events);
    });
  }

  findPasswordResetByHash(tokenHash: string): Promise<(PasswordResetToken & { user: User }) | null> {
    return this.prisma.passwordResetToken.findUnique({ where: { tokenHash }, include: { user: true } });
  }

  /**
   * Uses a reset token once: marks it used, sets the password, revokes every session. Returns
   * null when the token was used meanwhile, else the families to revoke at the gateway.
   */
  consumePasswordReset(input: {
    resetId: string;
    userId: string;
    passwordHash: string;
    accessTokensIssuedAfter: Date;
    now: Date;
    events: OutboxEvent[];
  }): Promise<string[] | null> {
    return withTransaction(this.prisma, async (tx) => {
      const { count } = await tx.passwordResetToken.updateMany({
        where: { id: input.resetId, usedAt: null, expiresAt: { gt: input.now } },
        data: { usedAt: input.now },
      });
      if (count !== 1) return null;
      await tx.user.update({ where: { id: input.userId }, data: { passwordHash: input.passwordHash } });
      const families = await this.sessions.revokeUserFamilies(
        input.userId,
        { accessTokensIssuedAfter: input.accessTokensIssuedAfter, now: input.now },
        tx,
      );
      await appendOutbox(tx, input.events);
      return families;
    });
  }
}
