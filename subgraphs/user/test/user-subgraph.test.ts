/* eslint-disable @typescript-eslint/no-explicit-any -- GraphQL responses are untyped JSON here; tests assert their shape. */
import { createHash } from 'node:crypto';
import { revocationKeys } from '@switchboard/subgraph-kit';
import { startUserSubgraph, type GraphQLResult, type UserSubgraphHarness } from './harness';

/**
 * The user subgraph against a real database and Redis, called with signed caller contexts as the
 * gateway would call it. These tests look at what only the subgraph can show — stored hashes,
 * outbox rows, revocation keys, races. Behaviour through the gateway is in e2e/test/.
 */

const AUTH = 'accessToken refreshToken role user { id email } organization { id name }';
const REGISTER = `mutation ($input: RegisterInput!) { register(input: $input) { ${AUTH} } }`;
const LOGIN = `mutation ($input: LoginInput!) { login(input: $input) { ${AUTH} } }`;
const REFRESH = `mutation ($t: String!) { refreshToken(refreshToken: $t) { ${AUTH} } }`;
const INVITE = 'mutation ($email: String!, $role: Role!) { inviteMember(email: $email, role: $role) { id email role status } }';
const ACCEPT = `mutation ($token: String!, $name: String, $password: String) { acceptInvitation(token: $token, name: $name, password: $password) { ${AUTH} } }`;
const PASSWORD = 'Sunny meadow 42';

let h: UserSubgraphHarness;
let counter = 0;

beforeAll(async () => {
  h = await startUserSubgraph({
    loginLimits: { perAccount: { maxFailures: 3, windowSeconds: 60 }, perIp: { maxFailures: 8, windowSeconds: 60 } },
  });
});
afterAll(async () => {
  await h?.close();
});

const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');
const email = (label: string) => `${label}-${++counter}@example.com`;

function ok<T = any>(result: GraphQLResult<any>, field: string): T {
  if (result.errors?.length) throw new Error(`${field}: ${JSON.stringify(result.errors)}`);
  return result.data?.[field] as T;
}

function errorOf(result: GraphQLResult) {
  expect(result.errors?.length).toBeGreaterThan(0);
  return result.errors![0]!;
}

async function register(label = 'owner', options: { clientIp?: string } = {}) {
  const address = email(label);
  const payload = ok(
    await h.graphql(REGISTER, { input: { email: address, password: PASSWORD, name: `N ${label}`, organizationName: `Org ${label}` } }, options),
    'register',
  );
  return { ...payload, email: address };
}

async function invitationToken(address: string): Promise<string> {
  const row = await h.prisma.userOutboxEvent.findFirstOrThrow({
    where: { type: 'invitation.created', payload: { path: ['email'], equals: address } },
    orderBy: { createdAt: 'desc' },
  });
  return (row.payload as { token: string }).token;
}

describe('registration', () => {
  it('stores a scrypt hash, the organization, an OWNER membership and the events in one go', async () => {
    const owner = await register();
    const user = await h.prisma.user.findUniqueOrThrow({ where: { id: owner.user.id }, include: { memberships: true } });
    expect(user.passwordHash).toMatch(/^\$scrypt\$ln=15,r=8,p=1\$/);
    expect(user.passwordHash).not.toContain(PASSWORD);
    expect(user.memberships).toEqual([expect.objectContaining({ organizationId: owner.organization.id, role: 'OWNER' })]);
    const events = await h.prisma.userOutboxEvent.findMany({ where: { organizationId: owner.organization.id } });
    expect(events.map((e) => e.type).sort()).toEqual(['organization.created', 'user.registered']);
    expect(events.every((e) => e.publishedAt === null)).toBe(true);
    const stored = await h.prisma.refreshToken.findUniqueOrThrow({ where: { tokenHash: sha256(owner.refreshToken) } });
    expect(stored).toMatchObject({ userId: owner.user.id, organizationId: owner.organization.id, revoked: false, rotatedAt: null });
  });

  it('refuses a taken email (any letter case) with CONFLICT and writes nothing', async () => {
    const owner = await register();
    const before = await h.prisma.organization.count();
    const again = await h.graphql(REGISTER, {
      input: { email: owner.email.toUpperCase(), password: PASSWORD, name: 'X', organizationName: 'Y' },
    });
    expect(errorOf(again).extensions).toMatchObject({ code: 'CONFLICT', field: 'email' });
    expect(await h.prisma.organization.count()).toBe(before);
  });

  it('names the wrong field for a malformed email, a weak password and an empty organization name', async () => {
    const input = { email: email('x'), password: PASSWORD, name: 'X', organizationName: 'Y' };
    expect(errorOf(await h.graphql(REGISTER, { input: { ...input, email: 'not-an-email' } })).extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'email',
    });
    const weak = errorOf(await h.graphql(REGISTER, { input: { ...input, password: 'password123' } }));
    expect(weak.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'password', reason: 'TOO_COMMON' });
    expect(errorOf(await h.graphql(REGISTER, { input: { ...input, organizationName: '  ' } })).extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'organizationName',
    });
  });
});

describe('refresh-token rotation', () => {
  it('rotates within the family and stores only hashes', async () => {
    const owner = await register();
    const next = ok(await h.graphql(REFRESH, { t: owner.refreshToken }), 'refreshToken');
    expect(next.refreshToken).not.toBe(owner.refreshToken);
    const [first, second] = await Promise.all([
      h.prisma.refreshToken.findUniqueOrThrow({ where: { tokenHash: sha256(owner.refreshToken) } }),
      h.prisma.refreshToken.findUniqueOrThrow({ where: { tokenHash: sha256(next.refreshToken) } }),
    ]);
    expect(first.rotatedAt).not.toBeNull();
    expect(second).toMatchObject({ familyId: first.familyId, rotatedAt: null, revoked: false });
    expect(await h.prisma.refreshToken.count({ where: { tokenHash: owner.refreshToken } })).toBe(0);
  });

  it('revokes the whole family, in the database and at the gateway, when a rotated token is replayed', async () => {
    const owner = await register();
    const next = ok(await h.graphql(REFRESH, { t: owner.refreshToken }), 'refreshToken');
    const replay = errorOf(await h.graphql(REFRESH, { t: owner.refreshToken }));
    expect(replay.extensions?.code).toBe('UNAUTHENTICATED');
    expect(replay.message).toMatch(/already used/);

    const family = await h.prisma.refreshToken.findUniqueOrThrow({ where: { tokenHash: sha256(owner.refreshToken) } });
    const tokens = await h.prisma.refreshToken.findMany({ where: { familyId: family.familyId } });
    expect(tokens).toHaveLength(2);
    expect(tokens.every((t) => t.revoked)).toBe(true);
    expect(await h.redis.get(revocationKeys.session(family.familyId))).toBe('1');
    const ttl = await h.redis.ttl(revocationKeys.session(family.familyId));
    expect(ttl).toBeGreaterThan(h.settings.accessTokenTtlSeconds - 5);
    expect(ttl).toBeLessThanOrEqual(h.settings.accessTokenTtlSeconds);

    expect(errorOf(await h.graphql(REFRESH, { t: next.refreshToken })).extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('lets only one of two concurrent refreshes with the same token win', async () => {
    const owner = await register();
    const results = await Promise.all([h.graphql(REFRESH, { t: owner.refreshToken }), h.graphql(REFRESH, { t: owner.refreshToken })]);
    expect(results.filter((r) => r.data?.refreshToken).length).toBeLessThanOrEqual(1);
    expect(results.filter((r) => r.errors?.[0]?.extensions?.code === 'UNAUTHENTICATED').length).toBeGreaterThanOrEqual(1);
  });

  it('refuses garbage and expired tokens without a 500', async () => {
    expect(errorOf(await h.graphql(REFRESH, { t: 'nope' })).extensions?.code).toBe('UNAUTHENTICATED');
    const owner = await register();
    await h.prisma.refreshToken.updateMany({ where: { tokenHash: sha256(owner.refreshToken) }, data: { expiresAt: new Date(Date.now() - 1000) } });
    const expired = errorOf(await h.graphql(REFRESH, { t: owner.refreshToken }));
    expect(expired).toMatchObject({ message: expect.stringMatching(/expired/), extensions: { code: 'UNAUTHENTICATED' } });
  });

  it('logout revokes the family and sets the session key', async () => {
    const owner = await register();
    expect(ok(await h.graphql('mutation { logout }', {}, { token: owner.accessToken }), 'logout')).toBe(true);
    const token = await h.prisma.refreshToken.findUniqueOrThrow({ where: { tokenHash: sha256(owner.refreshToken) } });
    expect(token.revoked).toBe(true);
    expect(await h.redis.exists(revocationKeys.session(token.familyId))).toBe(1);
    expect(errorOf(await h.graphql(REFRESH, { t: owner.refreshToken })).extensions?.code).toBe('UNAUTHENTICATED');
  });
});

describe('organizations and sessions', () => {
  it('createOrganization and switchOrganization move the same session between organizations', async () => {
    const owner = await register();
    const created = ok(
      await h.graphql(`mutation { createOrganization(name: "Second") { ${AUTH} } }`, {}, { token: owner.accessToken }),
      'createOrganization',
    );
    expect(created).toMatchObject({ role: 'OWNER', organization: { name: 'Second' } });
    const first = await h.prisma.refreshToken.findUniqueOrThrow({ where: { tokenHash: sha256(owner.refreshToken) } });
    const second = await h.prisma.refreshToken.findUniqueOrThrow({ where: { tokenHash: sha256(created.refreshToken) } });
    expect(second.familyId).toBe(first.familyId);
    expect(first.rotatedAt).not.toBeNull();

    const back = ok(
      await h.graphql(`mutation ($id: ID!) { switchOrganization(organizationId: $id) { ${AUTH} } }`, { id: owner.organization.id }, { token: created.accessToken }),
      'switchOrganization',
    );
    expect(back.organization.id).toBe(owner.organization.id);
    const me = ok(await h.graphql('{ me { memberships { role organization { name } } organization { id } } }', {}, { token: back.accessToken }), 'me');
    expect(me.organization.id).toBe(owner.organization.id);
    expect(me.memberships.map((m: any) => m.organization.name).sort()).toEqual(['Org owner', 'Second'].sort());
  });

  it('login signs in to the organization used last, or the one asked for', async () => {
    const owner = await register();
    const created = ok(await h.graphql(`mutation { createOrganization(name: "Later") { ${AUTH} } }`, {}, { token: owner.accessToken }), 'createOrganization');
    const login = ok(await h.graphql(LOGIN, { input: { email: owner.email, password: PASSWORD } }), 'login');
    expect(login.organization.id).toBe(created.organization.id);
    const asked = ok(await h.graphql(LOGIN, { input: { email: owner.email, password: PASSWORD, organizationId: owner.organization.id } }), 'login');
    expect(asked.organization.id).toBe(owner.organization.id);
    const other = await register('other');
    expect(errorOf(await h.graphql(LOGIN, { input: { email: owner.email, password: PASSWORD, organizationId: other.organization.id } })).extensions?.code).toBe('NOT_FOUND');
  });
});

describe('invitations', () => {
  it('keeps only the token hash in the invitation; the raw token travels in the outbox event', async () => {
    const owner = await register();
    const address = email('invitee');
    const invitation = ok(await h.graphql(INVITE, { email: address, role: 'AGENT' }, { token: owner.accessToken }), 'inviteMember');
    expect(invitation).toMatchObject({ email: address, role: 'AGENT', status: 'PENDING' });
    const token = await invitationToken(address);
    const row = await h.prisma.invitation.findUniqueOrThrow({ where: { id: invitation.id } });
    expect(row.tokenHash).toBe(sha256(token));
    const event = await h.prisma.userOutboxEvent.findFirstOrThrow({ where: { type: 'invitation.created', payload: { path: ['invitationId'], equals: invitation.id } } });
    expect(event.organizationId).toBe(owner.organization.id);
    expect(event.payload).toMatchObject({ organizationName: 'Org owner', acceptUrl: `http://switchboard.test/accept-invitation?token=${token}`, role: 'AGENT' });
  });

  it('refuses expired, used and withdrawn invitations with the reason', async () => {
    const owner = await register();
    const expiredAddress = email('late');
    const expired = ok(await h.graphql(INVITE, { email: expiredAddress, role: 'VIEWER' }, { token: owner.accessToken }), 'inviteMember');
    await h.prisma.invitation.update({ where: { id: expired.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    const late = errorOf(await h.graphql(ACCEPT, { token: await invitationToken(expiredAddress), name: 'L', password: PASSWORD }));
    expect(late.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'token', reason: 'EXPIRED' });

    const address = email('twice');
    ok(await h.graphql(INVITE, { email: address, role: 'VIEWER' }, { token: owner.accessToken }), 'inviteMember');
    const token = await invitationToken(address);
    ok(await h.graphql(ACCEPT, { token, name: 'T', password: PASSWORD }), 'acceptInvitation');
    expect(errorOf(await h.graphql(ACCEPT, { token, name: 'T', password: PASSWORD })).extensions).toMatchObject({ reason: 'ACCEPTED' });

    const withdrawnAddress = email('withdrawn');
    const withdrawn = ok(await h.graphql(INVITE, { email: withdrawnAddress, role: 'VIEWER' }, { token: owner.accessToken }), 'inviteMember');
    ok(await h.graphql('mutation ($id: ID!) { revokeInvitation(invitationId: $id) { status } }', { id: withdrawn.id }, { token: owner.accessToken }), 'revokeInvitation');
    expect(errorOf(await h.graphql(ACCEPT, { token: await invitationToken(withdrawnAddress), name: 'W', password: PASSWORD })).extensions).toMatchObject({ reason: 'REVOKED' });
  });

  it('lets an existing account accept anonymously with its password, and refuses a signed-in user with another email', async () => {
    const owner = await register();
    const existing = await register('existing');
    ok(await h.graphql(INVITE, { email: existing.email, role: 'ADMIN' }, { token: owner.accessToken }), 'inviteMember');
    const token = await invitationToken(existing.email);
    const stranger = await register('stranger');
    expect(errorOf(await h.graphql(ACCEPT, { token }, { token: stranger.accessToken })).extensions?.code).toBe('FORBIDDEN');
    expect(errorOf(await h.graphql(ACCEPT, { token, name: 'X' })).extensions).toMatchObject({ field: 'password', reason: 'ACCOUNT_EXISTS' });
    const joined = ok(await h.graphql(ACCEPT, { token, password: PASSWORD }), 'acceptInvitation');
    expect(joined).toMatchObject({ role: 'ADMIN', organization: { id: owner.organization.id }, user: { id: existing.user.id } });
  });
});

describe('roles', () => {
  it('records the membership change for the gateway and keeps the last OWNER', async () => {
    const owner = await register();
    const address = email('admin');
    ok(await h.graphql(INVITE, { email: address, role: 'ADMIN' }, { token: owner.accessToken }), 'inviteMember');
    const admin = ok(await h.graphql(ACCEPT, { token: await invitationToken(address), name: 'A', password: PASSWORD }), 'acceptInvitation');

    const before = Math.floor(Date.now() / 1000);
    const changed = ok(
      await h.graphql('mutation ($u: ID!) { updateMemberRole(userId: $u, role: AGENT) { role user { id } } }', { u: admin.user.id }, { token: owner.accessToken }),
      'updateMemberRole',
    );
    expect(changed).toEqual({ role: 'AGENT', user: { id: admin.user.id } });
    const stamp = Number(await h.redis.get(revocationKeys.membership(owner.organization.id, admin.user.id)));
    expect(stamp).toBeGreaterThanOrEqual(before);
    expect(stamp).toBeLessThanOrEqual(Math.floor(Date.now() / 1000));

    // A token issued after the change carries the new role and a later issue time than the stamp.
    const refreshed = ok(await h.graphql(REFRESH, { t: admin.refreshToken }), 'refreshToken');
    expect(refreshed.role).toBe('AGENT');
    const iat = JSON.parse(Buffer.from(refreshed.accessToken.split('.')[1], 'base64url').toString()).iat;
    expect(iat).toBeGreaterThan(stamp);

    const demoteSelf = errorOf(await h.graphql('mutation ($u: ID!) { updateMemberRole(userId: $u, role: ADMIN) { role } }', { u: owner.user.id }, { token: owner.accessToken }));
    expect(demoteSelf.extensions).toMatchObject({ code: 'CONFLICT', reason: 'LAST_OWNER' });
  });

  it('never lets two OWNERs demote each other at the same moment', async () => {
    const first = await register();
    const address = email('co-owner');
    ok(await h.graphql(INVITE, { email: address, role: 'OWNER' }, { token: first.accessToken }), 'inviteMember');
    const second = ok(await h.graphql(ACCEPT, { token: await invitationToken(address), name: 'C', password: PASSWORD }), 'acceptInvitation');
    const demote = (actor: string, target: string) =>
      h.graphql('mutation ($u: ID!) { updateMemberRole(userId: $u, role: ADMIN) { role } }', { u: target }, { token: actor });
    const results = await Promise.all([demote(first.accessToken, second.user.id), demote(second.accessToken, first.user.id)]);
    expect(await h.prisma.membership.count({ where: { organizationId: first.organization.id, role: 'OWNER' } })).toBe(1);
    expect(results.filter((r) => r.errors).length).toBe(1);
  });

  it('removing a member ends their sessions in that organization', async () => {
    const owner = await register();
    const address = email('leaver');
    ok(await h.graphql(INVITE, { email: address, role: 'AGENT' }, { token: owner.accessToken }), 'inviteMember');
    const agent = ok(await h.graphql(ACCEPT, { token: await invitationToken(address), name: 'L', password: PASSWORD }), 'acceptInvitation');
    expect(ok(await h.graphql('mutation ($u: ID!) { removeMember(userId: $u) }', { u: agent.user.id }, { token: owner.accessToken }), 'removeMember')).toBe(true);
    const token = await h.prisma.refreshToken.findUniqueOrThrow({ where: { tokenHash: sha256(agent.refreshToken) } });
    expect(token.revoked).toBe(true);
    expect(await h.redis.exists(revocationKeys.session(token.familyId))).toBe(1);
    expect(await h.redis.exists(revocationKeys.membership(owner.organization.id, agent.user.id))).toBe(1);
    expect(errorOf(await h.graphql(REFRESH, { t: agent.refreshToken })).extensions?.code).toBe('UNAUTHENTICATED');
    const login = errorOf(await h.graphql(LOGIN, { input: { email: address, password: PASSWORD } }));
    expect(login.extensions).toMatchObject({ code: 'FORBIDDEN', reason: 'NO_MEMBERSHIP' });
  });
});

describe('password reset', () => {
  const REQUEST = 'mutation ($e: String!) { requestPasswordReset(email: $e) }';
  const RESET = 'mutation ($t: String!, $p: String!) { resetPassword(token: $t, password: $p) }';

  it('answers alike, in similar time, whether or not the address has an account', async () => {
    const owner = await register();
    const time = async (address: string) => {
      const started = performance.now();
      const result = await h.graphql(REQUEST, { e: address });
      return { result, ms: performance.now() - started };
    };
    const known = await time(owner.email);
    const unknown = await time(email('nobody'));
    expect(known.result).toEqual(unknown.result);
    expect(known.result.data).toEqual({ requestPasswordReset: true });
    expect(Math.abs(known.ms - unknown.ms)).toBeLessThan(150);
    expect(await h.prisma.userOutboxEvent.count({ where: { type: 'user.password_reset_requested', payload: { path: ['email'], equals: owner.email } } })).toBe(1);
  });

  it('uses a token once, within an hour, and ends every session', async () => {
    const owner = await register();
    const second = ok(await h.graphql(LOGIN, { input: { email: owner.email, password: PASSWORD } }), 'login');
    ok(await h.graphql(REQUEST, { e: owner.email }), 'requestPasswordReset');
    const event = await h.prisma.userOutboxEvent.findFirstOrThrow({ where: { type: 'user.password_reset_requested', payload: { path: ['userId'], equals: owner.user.id } } });
    const { token, resetUrl, expiresAt } = event.payload as { token: string; resetUrl: string; expiresAt: string };
    expect(resetUrl).toBe(`http://switchboard.test/reset-password?token=${token}`);
    expect(new Date(expiresAt).getTime() - event.createdAt.getTime()).toBeCloseTo(3_600_000, -3);
    const stored = await h.prisma.passwordResetToken.findUniqueOrThrow({ where: { tokenHash: sha256(token) } });
    expect(stored.usedAt).toBeNull();

    expect(errorOf(await h.graphql(RESET, { t: token, p: 'short' })).extensions).toMatchObject({ field: 'password' });
    expect(ok(await h.graphql(RESET, { t: token, p: 'Brand new pass 7' }), 'resetPassword')).toBe(true);
    expect(errorOf(await h.graphql(RESET, { t: token, p: 'Another new pass 8' })).extensions).toMatchObject({ field: 'token', reason: 'USED' });

    const families = await h.prisma.refreshToken.findMany({ where: { userId: owner.user.id } });
    expect(families.every((t) => t.revoked)).toBe(true);
    for (const familyId of new Set(families.map((t) => t.familyId))) {
      expect(await h.redis.exists(revocationKeys.session(familyId))).toBe(1);
    }
    expect(errorOf(await h.graphql(REFRESH, { t: second.refreshToken })).extensions?.code).toBe('UNAUTHENTICATED');
    expect(errorOf(await h.graphql(LOGIN, { input: { email: owner.email, password: PASSWORD } })).extensions?.code).toBe('UNAUTHENTICATED');
    ok(await h.graphql(LOGIN, { input: { email: owner.email, password: 'Brand new pass 7' } }), 'login');
  });

  it('refuses an expired reset token', async () => {
    const owner = await register();
    ok(await h.graphql(REQUEST, { e: owner.email }), 'requestPasswordReset');
    const event = await h.prisma.userOutboxEvent.findFirstOrThrow({ where: { type: 'user.password_reset_requested', payload: { path: ['userId'], equals: owner.user.id } } });
    const { token } = event.payload as { token: string };
    await h.prisma.passwordResetToken.update({ where: { tokenHash: sha256(token) }, data: { expiresAt: new Date(Date.now() - 1) } });
    expect(errorOf(await h.graphql(RESET, { t: token, p: 'Brand new pass 7' })).extensions).toMatchObject({ reason: 'EXPIRED' });
  });
});

describe('sign-in limits', () => {
  it('gives the same error for an unknown address and a wrong password, then TOO_MANY_REQUESTS per account', async () => {
    const owner = await register('limited', { clientIp: '10.0.0.1' });
    const wrong = errorOf(await h.graphql(LOGIN, { input: { email: owner.email, password: 'Wrong password 1' } }, { clientIp: '10.0.0.1' }));
    const unknown = errorOf(await h.graphql(LOGIN, { input: { email: email('ghost'), password: 'Wrong password 1' } }, { clientIp: '10.0.0.2' }));
    expect(wrong).toEqual({ ...unknown, path: wrong.path });
    expect(wrong).toMatchObject({ message: 'Email or password is incorrect', extensions: { code: 'UNAUTHENTICATED' } });
    for (let i = 0; i < 2; i++) {
      await h.graphql(LOGIN, { input: { email: owner.email, password: 'Wrong password 1' } }, { clientIp: `10.0.1.${i}` });
    }
    const limited = errorOf(await h.graphql(LOGIN, { input: { email: owner.email, password: PASSWORD } }, { clientIp: '10.0.2.1' }));
    expect(limited.extensions).toMatchObject({ code: 'TOO_MANY_REQUESTS', retryAfterSeconds: expect.any(Number) });
    expect(limited.extensions!.retryAfterSeconds).toBeGreaterThan(0);
    expect(limited.extensions!.retryAfterSeconds).toBeLessThanOrEqual(60);
  });
});
