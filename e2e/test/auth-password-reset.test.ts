import { passwordResetTokenFor, registerUser, startTestSystem, uniqueEmail } from '@switchboard/testkit';

/** Password reset by email link: the token comes from the outbox event meant for the email channel. */

type System = Awaited<ReturnType<typeof startTestSystem>>;

const LOGIN = 'mutation ($input: LoginInput!) { login(input: $input) { accessToken refreshToken } }';
const REQUEST = 'mutation ($email: String!) { requestPasswordReset(email: $email) }';
const RESET = 'mutation ($token: String!, $password: String!) { resetPassword(token: $token, password: $password) }';
const REFRESH = 'mutation ($token: String!) { refreshToken(refreshToken: $token) { accessToken } }';

let system: System;

beforeAll(async () => {
  system = await startTestSystem();
});
afterAll(async () => {
  await system?.close();
});

const codeOf = (result: { errors?: readonly { extensions?: Record<string, unknown> }[] }) => result.errors?.[0]?.extensions?.code;

describe('password reset', () => {
  it('resets with the emailed token: the old password stops working and every session ends', async () => {
    const user = await registerUser(system);
    const second = (await system.graphql(LOGIN, { input: { email: user.email, password: user.password } })).data.login;

    const requested = await system.graphql(REQUEST, { email: user.email });
    expect(requested.data).toEqual({ requestPasswordReset: true });
    const token = await passwordResetTokenFor(system, user.email);

    const weak = await system.graphql(RESET, { token, password: 'weak' });
    expect(weak.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'password' });

    const reset = await system.graphql(RESET, { token, password: 'A whole new secret 1' });
    expect(reset.errors).toBeUndefined();
    expect(reset.data).toEqual({ resetPassword: true });

    const old = await system.graphql(LOGIN, { input: { email: user.email, password: user.password } });
    expect(old.errors?.[0]).toMatchObject({ message: 'Email or password is incorrect', extensions: { code: 'UNAUTHENTICATED' } });
    const fresh = await system.graphql(LOGIN, { input: { email: user.email, password: 'A whole new secret 1' } });
    expect(fresh.errors).toBeUndefined();

    // Sessions from before the reset: access tokens refused at the gateway, refresh tokens dead.
    for (const session of [user, second]) {
      expect(codeOf(await system.graphql('{ me { id } }', {}, { token: session.accessToken }))).toBe('UNAUTHENTICATED');
      expect(codeOf(await system.graphql(REFRESH, { token: session.refreshToken }))).toBe('UNAUTHENTICATED');
    }
    expect((await system.graphql('{ me { id } }', {}, { token: fresh.data.login.accessToken })).data.me.id).toBe(user.user.id);

    // Single use.
    const again = await system.graphql(RESET, { token, password: 'Yet another secret 2' });
    expect(again.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'token', reason: 'USED' });
  });

  it('answers the same for an address without an account, and sends nothing', async () => {
    const user = await registerUser(system);
    const known = await system.graphql(REQUEST, { email: user.email });
    const nobody = uniqueEmail('nobody');
    const unknown = await system.graphql(REQUEST, { email: nobody });
    expect({ status: unknown.status, data: unknown.data, errors: unknown.errors }).toEqual({
      status: known.status,
      data: known.data,
      errors: known.errors,
    });
    await expect(passwordResetTokenFor(system, nobody)).rejects.toThrow(/No user.password_reset_requested event/);
  });

  it('refuses a token once its hour is over', async () => {
    const user = await registerUser(system);
    await system.graphql(REQUEST, { email: user.email });
    const token = await passwordResetTokenFor(system, user.email);
    await system.prisma.passwordResetToken.updateMany({
      where: { userId: user.user.id, usedAt: null },
      data: { expiresAt: new Date(Date.now() - 1000) },
    });
    const expired = await system.graphql(RESET, { token, password: 'A whole new secret 1' });
    expect(expired.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'token', reason: 'EXPIRED' });
    expect((await system.graphql(LOGIN, { input: { email: user.email, password: user.password } })).errors).toBeUndefined();
  });
});
