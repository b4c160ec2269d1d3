import { withTransaction, type PrismaClient, type Prisma, type RefreshToken } from '@switchboard/db';

export interface NewRefreshToken {
  tokenHash: string;
  familyId: string;
  userId: string;
  organizationId: string;
  expiresAt: Date;
}

/** Refresh tokens, grouped in families (sessions). */
export class SessionStore {
  constructor(private readonly prisma: PrismaClient) {}

  findByHash(tokenHash: string): Promise<RefreshToken | null> {
    return this.prisma.refreshToken.findUnique({ where: { tokenHash } });
  }

  /** The organization the user's most recent session was signed in to, if any. */
  async lastOrganizationOf(userId: string): Promise<string | null> {
    const latest = await this.prisma.refreshToken.findFirst({
      where: { userId },
      orderBy: { createdAt: 'desc' },
      select: { organizationId: true },
    });
    return latest?.organizationId ?? null;
  }

  async create(token: NewRefreshToken, tx: Prisma.TransactionClient = this.prisma): Promise<RefreshToken> {
    return tx.refreshToken.create({ data: token });
  }

  /**
   * Rotates `currentId` into `successor` atomically. Returns false when the token was rotated or
   * revoked meanwhile (a concurrent refresh won): the caller treats that as reuse.
   */
  rotate(currentId: string, successor: NewRefreshToken, now: Date): Promise<boolean> {
    return withTransaction(this.prisma, async (tx) => {
      const { count } = await tx.refreshToken.updateMany({
        where: { id: currentId, rotatedAt: null, revoked: false },
        data: { rotatedAt: now },
      });
      if (count !== 1) return false;
      await tx.refreshToken.create({ data: successor });
      return true;
    });
  }

  /**
   * Moves a live session to another organization: its current token is rotated into `successor`
   * (same family). Returns false when the family has no live token (ended session).
   */
  continueFamily(successor: NewRefreshToken, now: Date, tx?: Prisma.TransactionClient): Promise<boolean> {
    const run = async (client: Prisma.TransactionClient) => {
      const { count } = await client.refreshToken.updateMany({
        where: { familyId: successor.familyId, userId: successor.userId, rotatedAt: null, revoked: false, expiresAt: { gt: now } },
        data: { rotatedAt: now },
      });
      if (count === 0) return false;
      await client.refreshToken.create({ data: successor });
      return true;
    };
    return tx ? run(tx) : withTransaction(this.prisma, run);
  }

  /** Revokes every token of a family. */
  async revokeFamily(familyId: string, now: Date): Promise<void> {
    await this.prisma.refreshToken.updateMany({
      where: { familyId, revoked: false },
      data: { revoked: true, revokedAt: now },
    });
  }

  /** Revokes the family only if it belongs to `userId`; returns whether it does. */
  async revokeOwnFamily(familyId: string, userId: string, now: Date): Promise<void> {
    await this.prisma.refreshToken.updateMany({
      where: { familyId, userId, revoked: false },
      data: { revoked: true, revokedAt: now },
    });
  }

  /**
   * Revokes the user's sessions (all, or all but `exceptFamilyId`). Returns the families that may
   * still have live access tokens — those with a token issued after `accessTokensIssuedAfter` —
   * so the caller can also revoke them at the gateway.
   */
  async revokeUserFamilies(
    userId: string,
    options: { exceptFamilyId?: string; accessTokensIssuedAfter: Date; now: Date; organizationId?: string },
    tx: Prisma.TransactionClient = this.prisma,
  ): Promise<string[]> {
    const scope: Prisma.RefreshTokenWhereInput = {
      userId,
      ...(options.exceptFamilyId ? { familyId: { not: options.exceptFamilyId } } : {}),
      ...(options.organizationId ? { organizationId: options.organizationId } : {}),
    };
    const families = await tx.refreshToken.findMany({
      where: { ...scope, OR: [{ revoked: false }, { createdAt: { gt: options.accessTokensIssuedAfter } }] },
      select: { familyId: true },
      distinct: ['familyId'],
    });
    await tx.refreshToken.updateMany({
      where: { ...scope, revoked: false },
      data: { revoked: true, revokedAt: options.now },
    });
    return families.map((row) => row.familyId);
  }
}
