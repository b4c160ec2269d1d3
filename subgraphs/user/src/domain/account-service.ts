import { randomUUID } from 'node:crypto';
import type { AuthenticatedCaller, Caller } from '@switchboard/auth';
import type { Logger } from '@switchboard/config';
import type { Organization, User } from '@switchboard/db';
import {
  badUserInput,
  conflict,
  forbidden,
  notFound,
  userError,
  type SystemSettings,
} from '@switchboard/subgraph-kit';
import { UniqueViolationError, type UserStore } from '../store';
import * as events from './events';
import { isUuid } from './ids';
import { assertStrongPassword, normalizeEmail, normalizeName } from './input';
import type { LoginLimiter } from './login-limiter';
import type { AuthSession, UserParent } from './models';
import { createOpaqueToken, hashOpaqueToken, looksLikeOpaqueToken } from './opaque-token';
import { burnPasswordVerification, hashPassword, needsRehash, prepareDummyHash, verifyPassword } from './password';
import type { AccessRevocation } from './revocation';
import type { SessionService } from './session-service';
import { withMinimumDuration } from './timing';

export const PASSWORD_RESET_TTL_SECONDS = 60 * 60;
/** Reset emails per address per hour; more requests get the same answer but send nothing. */
const PASSWORD_RESETS_PER_HOUR = 5;
/** requestPasswordReset answers no sooner than this, whichever branch ran. */
const PASSWORD_RESET_MIN_RESPONSE_MS = 400;

export const INVALID_CREDENTIALS_MESSAGE = 'Email or password is incorrect';

export function invalidCredentials() {
  return userError('UNAUTHENTICATED', INVALID_CREDENTIALS_MESSAGE, { reason: 'INVALID_CREDENTIALS' });
}

export interface RegisterInput {
  email: string;
  password: string;
  name: string;
  organizationName: string;
}

export interface LoginInput {
  email: string;
  password: string;
  organizationId?: string | null;
}

/** Accounts: sign-up, sign-in, passwords (change, reset) and profile. */
export class AccountService {
  constructor(
    private readonly store: UserStore,
    private readonly sessions: SessionService,
    private readonly limiter: LoginLimiter,
    private readonly revocation: AccessRevocation,
    private readonly settings: SystemSettings,
    private readonly log: Logger,
  ) {
    // So that the first sign-in for an unknown address costs one scrypt, like every other.
    prepareDummyHash().catch((error: unknown) => log.error({ err: error }, 'could not prepare the dummy password hash'));
  }

  /** Creates a user, their organization and OWNER membership, and signs them in. */
  async register(input: RegisterInput, caller: Caller): Promise<AuthSession> {
    const email = normalizeEmail(input.email);
    const name = normalizeName(input.name);
    const organizationName = normalizeName(input.organizationName, 'organizationName', 'Organization name');
    assertStrongPassword(input.password, email);
    if (await this.store.accounts.findUserByEmail(email)) throw emailTaken();

    const now = new Date();
    const userId = randomUUID();
    const organizationId = randomUUID();
    const session = this.sessions.prepareNew(userId, organizationId, now);
    const trace = { traceId: caller.requestId };
    try {
      const { user, organization } = await this.store.accounts.createAccount(
        {
          user: { id: userId, email, name, passwordHash: await hashPassword(input.password) },
          organization: { id: organizationId, name: organizationName },
          role: 'OWNER',
        },
        session.row,
        [
          events.userRegistered(trace, { userId, organizationId, via: 'SIGN_UP' }),
          events.organizationCreated(trace, { organizationId, name: organizationName, ownerUserId: userId }),
        ],
      );
      this.log.info({ userId, organizationId }, 'account registered');
      return await this.sessions.complete(session, user, organization, 'OWNER');
    } catch (error) {
      if (error instanceof UniqueViolationError) throw emailTaken();
      throw error;
    }
  }

  /**
   * Signs in with email and password, to `organizationId` or else the organization of the
   * user's last session (or their first). Unknown address and wrong password answer alike, in
   * about the same time; failures count toward the per-account and per-IP limits.
   */
  async login(input: LoginInput, caller: Caller): Promise<AuthSession> {
    const email = normalizeEmail(input.email);
    const user = await this.authenticate(email, input.password, caller.clientIp);
    const organization = await this.pickOrganization(user, input.organizationId ?? null);
    return this.sessions.start(user, organization.organization, organization.role);
  }

  /**
   * Checks a password for an address under the login limits. Returns the user, or throws the
   * single "Email or password is incorrect" error (or TOO_MANY_REQUESTS).
   */
  async authenticate(email: string, password: string, clientIp: string): Promise<User> {
    await this.limiter.assertAllowed(email, clientIp);
    const user = await this.store.accounts.findUserByEmail(email);
    const valid = user ? await verifyPassword(password, user.passwordHash) : await burnPasswordVerification(password);
    if (!user || !valid) {
      await this.limiter.recordFailure(email, clientIp);
      this.log.info({ userId: user?.id ?? null }, 'sign-in refused');
      throw invalidCredentials();
    }
    await this.limiter.recordSuccess(email);
    if (needsRehash(user.passwordHash)) {
      await this.store.accounts.updatePasswordHash(user.id, await hashPassword(password));
    }
    return user;
  }

  private async pickOrganization(
    user: User,
    requested: string | null,
  ): Promise<{ organization: Organization; role: AuthSession['role'] }> {
    const memberships = await this.store.organizations.listMembershipsOfUser(user.id);
    let chosen = memberships[0];
    if (requested !== null) {
      chosen = isUuid(requested) ? memberships.find((m) => m.organizationId === requested) : undefined;
      if (!chosen) throw notFound('Organization', requested);
    } else {
      const last = await this.store.sessions.lastOrganizationOf(user.id);
      chosen = memberships.find((m) => m.organizationId === last) ?? chosen;
    }
    if (!chosen) {
      throw userError('FORBIDDEN', 'Your account is not a member of any organization; accept an invitation to sign in', {
        reason: 'NO_MEMBERSHIP',
      });
    }
    const [organization] = await this.store.organizations.findOrganizationsByIds([chosen.organizationId]);
    if (!organization) throw notFound('Organization', chosen.organizationId);
    return { organization, role: chosen.role };
  }

  /**
   * Sends a reset link if the address has an account. The answer is the same either way and
   * takes about the same time; only a few emails per address per hour go out.
   */
  async requestPasswordReset(rawEmail: string, caller: Caller): Promise<true> {
    const email = normalizeEmail(rawEmail);
    await withMinimumDuration(PASSWORD_RESET_MIN_RESPONSE_MS, async () => {
      const user = await this.store.accounts.findUserByEmail(email);
      if (!user) return;
      const now = new Date();
      const recent = await this.store.accounts.countPasswordResetsSince(user.id, new Date(now.getTime() - 3_600_000));
      if (recent >= PASSWORD_RESETS_PER_HOUR) {
        this.log.warn({ userId: user.id }, 'password reset throttled');
        return;
      }
      const { token, hash } = createOpaqueToken();
      const expiresAt = new Date(now.getTime() + PASSWORD_RESET_TTL_SECONDS * 1000);
      const resetUrl = `${this.settings.publicUrl.replace(/\/+$/u, '')}/reset-password?token=${token}`;
      await this.store.accounts.createPasswordReset({ userId: user.id, tokenHash: hash, expiresAt }, now, [
        events.passwordResetRequested(
          { traceId: caller.requestId },
          { userId: user.id, email: user.email, name: user.name, token, resetUrl, expiresAt },
        ),
      ]);
      this.log.info({ userId: user.id }, 'password reset requested');
    });
    return true;
  }

  /** Sets a new password with a reset token (once), and ends every session of the account. */
  async resetPassword(token: string, password: string, caller: Caller): Promise<true> {
    const reset = looksLikeOpaqueToken(token)
      ? await this.store.accounts.findPasswordResetByHash(hashOpaqueToken(token))
      : null;
    const now = new Date();
    if (!reset) throw resetLinkError('INVALID');
    if (reset.usedAt) throw resetLinkError('USED');
    if (reset.expiresAt.getTime() <= now.getTime()) throw resetLinkError('EXPIRED');
    assertStrongPassword(password, reset.user.email);

    const families = await this.store.accounts.consumePasswordReset({
      resetId: reset.id,
      userId: reset.userId,
      passwordHash: await hashPassword(password),
      accessTokensIssuedAfter: this.accessTokenHorizon(now),
      now,
      events: [
        events.passwordChanged(
          { traceId: caller.requestId },
          { userId: reset.userId, email: reset.user.email, name: reset.user.name, via: 'RESET' },
        ),
      ],
    });
    if (!families) throw resetLinkError('USED');
    await this.revocation.revokeSessions(families);
    await this.limiter.recordSuccess(reset.user.email);
    this.log.info({ userId: reset.userId, sessionsEnded: families.length }, 'password reset');
    return true;
  }

  /** Changes the caller's password; every other session of theirs ends. */
  async changePassword(caller: AuthenticatedCaller, currentPassword: string, newPassword: string): Promise<true> {
    const user = await this.requireAccount(caller);
    await this.limiter.assertAllowed(user.email, caller.clientIp);
    if (!(await verifyPassword(currentPassword, user.passwordHash))) {
      await this.limiter.recordFailure(user.email, caller.clientIp);
      throw badUserInput('Your current password is incorrect', 'currentPassword');
    }
    assertStrongPassword(newPassword, user.email, 'newPassword');
    if (newPassword === currentPassword) {
      throw badUserInput('The new password must differ from the current one', 'newPassword', { reason: 'UNCHANGED' });
    }
    const now = new Date();
    const families = await this.store.accounts.changePassword({
      userId: user.id,
      passwordHash: await hashPassword(newPassword),
      exceptFamilyId: caller.sessionId,
      accessTokensIssuedAfter: this.accessTokenHorizon(now),
      now,
      events: [
        events.passwordChanged({ traceId: caller.requestId }, { userId: user.id, email: user.email, name: user.name, via: 'CHANGE' }),
      ],
    });
    await this.revocation.revokeSessions(families.filter((familyId) => familyId !== caller.sessionId));
    this.log.info({ userId: user.id, sessionsEnded: families.length }, 'password changed');
    return true;
  }

  async updateProfile(caller: AuthenticatedCaller, rawName: string): Promise<UserParent> {
    const name = normalizeName(rawName);
    await this.requireAccount(caller);
    const user = await this.store.accounts.updateName(caller.userId, name);
    return { ...user, viewer: { userId: caller.userId, organizationId: caller.organizationId } };
  }

  async requireAccount(caller: AuthenticatedCaller): Promise<User> {
    const user = await this.store.accounts.findUserById(caller.userId);
    if (!user) throw forbidden('Your account no longer exists');
    return user;
  }

  /** Access tokens issued before this instant have expired by now. */
  private accessTokenHorizon(now: Date): Date {
    return new Date(now.getTime() - this.settings.accessTokenTtlSeconds * 1000);
  }
}

function emailTaken() {
  return conflict('An account with this email already exists; sign in instead', { field: 'email' });
}

function resetLinkError(reason: 'INVALID' | 'USED' | 'EXPIRED') {
  const messages = {
    INVALID: 'This password reset link is invalid; request a new one',
    USED: 'This password reset link was already used; request a new one',
    EXPIRED: 'This password reset link has expired; request a new one',
  } as const;
  return badUserInput(messages[reason], 'token', { reason });
}
