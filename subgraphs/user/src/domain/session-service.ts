import { randomUUID } from 'node:crypto';
import { signAccessToken, type AuthenticatedCaller, type Role } from '@switchboard/auth';
import type { Logger } from '@switchboard/config';
import type { Organization, User } from '@switchboard/db';
import { unauthenticated, type SystemSettings } from '@switchboard/subgraph-kit';
import type { NewRefreshToken, UserStore } from '../store';
import type { AuthSession } from './models';
import { createOpaqueToken, hashOpaqueToken, looksLikeOpaqueToken } from './opaque-token';
import { decideRefresh, REFRESH_REFUSAL_MESSAGES } from './refresh-rotation';
import type { AccessRevocation } from './revocation';

/** A refresh token about to be stored: the raw value goes to the client, the row to the store. */
export interface PreparedSession {
  familyId: string;
  refreshToken: string;
  row: NewRefreshToken;
}

/**
 * Sessions: a session is a family of refresh tokens (the family id is the access tokens'
 * `sessionId`), signed in to one organization at a time. Issues the token pair, rotates on
 * refresh (replay of a rotated token revokes the family), moves a session between organizations,
 * and ends sessions — in PostgreSQL and, for access tokens still alive, at the gateway.
 */
export class SessionService {
  constructor(
    private readonly store: UserStore,
    private readonly revocation: AccessRevocation,
    private readonly settings: SystemSettings,
    private readonly log: Logger,
  ) {}

  /** A first refresh token of a new session (new family). */
  prepareNew(userId: string, organizationId: string, now: Date): PreparedSession {
    return this.prepare(randomUUID(), userId, organizationId, now);
  }

  /** The next refresh token of an existing session. */
  prepareSuccessor(familyId: string, userId: string, organizationId: string, now: Date): PreparedSession {
    return this.prepare(familyId, userId, organizationId, now);
  }

  private prepare(familyId: string, userId: string, organizationId: string, now: Date): PreparedSession {
    const { token, hash } = createOpaqueToken();
    return {
      familyId,
      refreshToken: token,
      row: {
        tokenHash: hash,
        familyId,
        userId,
        organizationId,
        expiresAt: new Date(now.getTime() + this.settings.refreshTokenTtlSeconds * 1000),
      },
    };
  }

  /** Signs the access token for a stored refresh token and assembles what the client gets. */
  async complete(prepared: PreparedSession, user: User, organization: Organization, role: Role): Promise<AuthSession> {
    await this.revocation.waitPastMembershipChange(organization.id, user.id);
    const { token, expiresAt } = signAccessToken(
      { userId: user.id, organizationId: organization.id, role, sessionId: prepared.familyId, tokenId: randomUUID() },
      this.settings.jwtSecret,
      this.settings.accessTokenTtlSeconds,
    );
    return {
      accessToken: token,
      accessTokenExpiresAt: expiresAt,
      refreshToken: prepared.refreshToken,
      refreshTokenExpiresAt: prepared.row.expiresAt,
      sessionId: prepared.familyId,
      role,
      user,
      organization,
    };
  }

  /** Starts a session for a user already stored (sign-in). */
  async start(user: User, organization: Organization, role: Role, now = new Date()): Promise<AuthSession> {
    const prepared = this.prepareNew(user.id, organization.id, now);
    await this.store.sessions.create(prepared.row);
    return this.complete(prepared, user, organization, role);
  }

  /** Exchanges a refresh token for a new pair (rotation). */
  async refresh(refreshToken: string, now = new Date()): Promise<AuthSession> {
    const stored = looksLikeOpaqueToken(refreshToken)
      ? await this.store.sessions.findByHash(hashOpaqueToken(refreshToken))
      : null;
    const decision = decideRefresh(stored, now);
    if (decision.action === 'REFUSE' || !stored) {
      throw unauthenticated(REFRESH_REFUSAL_MESSAGES[decision.action === 'REFUSE' ? decision.reason : 'UNKNOWN']);
    }
    if (decision.action === 'REVOKE_FAMILY') return this.revokeReusedFamily(stored.familyId, stored.userId, now);

    const [membership, user] = await Promise.all([
      this.store.organizations.findMembership(stored.organizationId, stored.userId),
      this.store.accounts.findUserById(stored.userId),
    ]);
    const [organization] = membership
      ? await this.store.organizations.findOrganizationsByIds([stored.organizationId])
      : [];
    if (!membership || !user || !organization) {
      await this.endSessions([stored.familyId], now);
      throw unauthenticated('You are no longer a member of this organization; sign in again');
    }
    const successor = this.prepareSuccessor(stored.familyId, stored.userId, stored.organizationId, now);
    if (!(await this.store.sessions.rotate(stored.id, successor.row, now))) {
      // A concurrent refresh rotated it first: the same token was used twice.
      return this.revokeReusedFamily(stored.familyId, stored.userId, now);
    }
    return this.complete(successor, user, organization, membership.role);
  }

  private async revokeReusedFamily(familyId: string, userId: string, now: Date): Promise<never> {
    await this.endSessions([familyId], now);
    this.log.warn({ familyId, userId }, 'refresh token reused: session revoked');
    throw unauthenticated(REFRESH_REFUSAL_MESSAGES.REUSED);
  }

  /** Ends sessions everywhere: refresh tokens revoked, their access tokens refused at the gateway. */
  async endSessions(familyIds: readonly string[], now = new Date()): Promise<void> {
    for (const familyId of new Set(familyIds)) await this.store.sessions.revokeFamily(familyId, now);
    await this.revocation.revokeSessions(familyIds);
  }

  /** Sign-out of the caller's session. */
  async logout(caller: AuthenticatedCaller, now = new Date()): Promise<void> {
    await this.store.sessions.revokeOwnFamily(caller.sessionId, caller.userId, now);
    await this.revocation.revokeSessions([caller.sessionId]);
  }

  /** The error for a session that has no live refresh token any more. */
  static sessionEnded() {
    return unauthenticated('This session has ended; sign in again');
  }
}
