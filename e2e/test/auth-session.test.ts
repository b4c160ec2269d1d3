import { DEFAULT_TEST_PASSWORD, registerUser, startTestSystem, uniqueEmail } from '@switchboard/testkit';

/**
 * A session's life through the gateway: register, sign in, use, refresh, sign out — and what
 * happens when a refresh token is replayed.
 */

type System = Awaited<ReturnType<typeof startTestSystem>>;

const AUTH = 'accessToken accessTokenExpiresAt refreshToken refreshTokenExpiresAt role user { id email name } organization { id name }';
const REGISTER = `mutation Register($input: RegisterInput!) { register(input: $input) { ${AUTH} } }`;
const LOGIN = `mutation Login($input: LoginInput!) { login(input: $input) { ${AUTH} } }`;
const REFRESH = `mutation Refresh($token: String!) { refreshToken(refreshToken: $token) { ${AUTH} } }`;
const ME = '{ me { id email name role organization { id name } memberships { role organization { id } } } }';

let system: System;

beforeAll(async () => {
  system = await startTestSystem();
});
afterAll(async () => {
  await system?.close();
});

function codeOf(result: { errors?: readonly { extensions?: Record<string, unknown> }[] }): unknown {
  return result.errors?.[0]?.extensions?.code;
}

describe('a session through the gateway', () => {
  it('register → login → me → refresh → logout → refresh refused', async () => {
    const email = uniqueEmail('journey');
    const registered = await system.graphql(REGISTER, {
      input: { email, password: DEFAULT_TEST_PASSWORD, name: 'Jane Doe', organizationName: 'Journey Ltd' },
    });
    expect(registered.status).toBe(200);
    expect(registered.errors).toBeUndefined();
    const signup = registered.data.register;
    expect(signup).toMatchObject({ role: 'OWNER', user: { email, name: 'Jane Doe' }, organization: { name: 'Journey Ltd' } });
    expect(new Date(signup.accessTokenExpiresAt).getTime()).toBeGreaterThan(Date.now());

    const login = await system.graphql(LOGIN, { input: { email: email.toUpperCase(), password: DEFAULT_TEST_PASSWORD } });
    expect(login.errors).toBeUndefined();
    const session = login.data.login;
    expect(session.user.id).toBe(signup.user.id);
    expect(session.organization.id).toBe(signup.organization.id);

    const me = await system.graphql(ME, {}, { token: session.accessToken });
    expect(me.errors).toBeUndefined();
    expect(me.data.me).toEqual({
      id: signup.user.id,
      email,
      name: 'Jane Doe',
      role: 'OWNER',
      organization: { id: signup.organization.id, name: 'Journey Ltd' },
      memberships: [{ role: 'OWNER', organization: { id: signup.organization.id } }],
    });

    const refreshed = await system.graphql(REFRESH, { token: session.refreshToken });
    expect(refreshed.errors).toBeUndefined();
    const next = refreshed.data.refreshToken;
    expect(next.refreshToken).not.toBe(session.refreshToken);
    expect(next.accessToken).not.toBe(session.accessToken);
    expect((await system.graphql(ME, {}, { token: next.accessToken })).data.me.id).toBe(signup.user.id);

    const logout = await system.graphql('mutation { logout }', {}, { token: next.accessToken });
    expect(logout.data).toEqual({ logout: true });

    const afterLogout = await system.graphql(REFRESH, { token: next.refreshToken });
    expect(codeOf(afterLogout)).toBe('UNAUTHENTICATED');
    expect(afterLogout.data?.refreshToken ?? null).toBeNull();
    // The session's access tokens die with it, at the gateway.
    const meAfterLogout = await system.graphql(ME, {}, { token: next.accessToken });
    expect(codeOf(meAfterLogout)).toBe('UNAUTHENTICATED');
    expect(meAfterLogout.data?.me ?? null).toBeNull();
    // Another session of the same user is untouched.
    expect((await system.graphql(ME, {}, { token: signup.accessToken })).data.me.id).toBe(signup.user.id);
  });

  it('a replayed refresh token revokes the whole family: the successor and its access token stop working', async () => {
    const owner = await registerUser(system);
    const first = await system.graphql(REFRESH, { token: owner.refreshToken });
    expect(first.errors).toBeUndefined();
    const successor = first.data.refreshToken;
    expect((await system.graphql(ME, {}, { token: successor.accessToken })).data.me.id).toBe(owner.user.id);

    const replay = await system.graphql(REFRESH, { token: owner.refreshToken });
    expect(codeOf(replay)).toBe('UNAUTHENTICATED');
    expect(replay.errors?.[0]?.message).toMatch(/already used/);

    expect(codeOf(await system.graphql(REFRESH, { token: successor.refreshToken }))).toBe('UNAUTHENTICATED');
    const refused = await system.graphql(ME, {}, { token: successor.accessToken });
    expect(codeOf(refused)).toBe('UNAUTHENTICATED');
    expect(refused.data?.me ?? null).toBeNull();
    expect(codeOf(await system.graphql(ME, {}, { token: owner.accessToken }))).toBe('UNAUTHENTICATED');

    // Signing in again starts a fresh session.
    const again = await system.graphql(LOGIN, { input: { email: owner.email, password: owner.password } });
    expect((await system.graphql(ME, {}, { token: again.data.login.accessToken })).data.me.id).toBe(owner.user.id);
  });

  it('createOrganization and switchOrganization give tokens for the other organization', async () => {
    const owner = await registerUser(system);
    const created = await system.graphql(`mutation { createOrganization(name: "Second Co") { ${AUTH} } }`, {}, { token: owner.accessToken });
    expect(created.errors).toBeUndefined();
    const second = created.data.createOrganization;
    expect(second).toMatchObject({ role: 'OWNER', organization: { name: 'Second Co' } });
    expect((await system.graphql(ME, {}, { token: second.accessToken })).data.me.organization).toEqual(second.organization);

    const switched = await system.graphql(
      `mutation ($id: ID!) { switchOrganization(organizationId: $id) { ${AUTH} } }`,
      { id: owner.organizationId },
      { token: second.accessToken },
    );
    expect(switched.errors).toBeUndefined();
    expect(switched.data.switchOrganization.organization.id).toBe(owner.organizationId);
    const me = (await system.graphql(ME, {}, { token: switched.data.switchOrganization.accessToken })).data.me;
    expect(me.organization.id).toBe(owner.organizationId);
    expect(me.memberships).toHaveLength(2);

    // One session throughout: signing out ends it for both organizations.
    await system.graphql('mutation { logout }', {}, { token: switched.data.switchOrganization.accessToken });
    expect(codeOf(await system.graphql(ME, {}, { token: second.accessToken }))).toBe('UNAUTHENTICATED');
  });

  it('updateProfile changes the name; changePassword keeps this session and ends the others', async () => {
    const owner = await registerUser(system);
    const other = (await system.graphql(LOGIN, { input: { email: owner.email, password: owner.password } })).data.login;
    const renamed = await system.graphql('mutation { updateProfile(name: "  New   Name ") { id name } }', {}, { token: owner.accessToken });
    expect(renamed.data.updateProfile).toEqual({ id: owner.user.id, name: 'New Name' });

    const wrong = await system.graphql(
      'mutation ($c: String!, $n: String!) { changePassword(currentPassword: $c, newPassword: $n) }',
      { c: 'not my password 1', n: 'Fresh password 99' },
      { token: owner.accessToken },
    );
    expect(wrong.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'currentPassword' });

    const changed = await system.graphql(
      'mutation ($c: String!, $n: String!) { changePassword(currentPassword: $c, newPassword: $n) }',
      { c: owner.password, n: 'Fresh password 99' },
      { token: owner.accessToken },
    );
    expect(changed.data).toEqual({ changePassword: true });
    expect((await system.graphql(ME, {}, { token: owner.accessToken })).data.me.id).toBe(owner.user.id);
    expect(codeOf(await system.graphql(ME, {}, { token: other.accessToken }))).toBe('UNAUTHENTICATED');
    expect(codeOf(await system.graphql(REFRESH, { token: other.refreshToken }))).toBe('UNAUTHENTICATED');
    expect(codeOf(await system.graphql(LOGIN, { input: { email: owner.email, password: owner.password } }))).toBe('UNAUTHENTICATED');
    expect((await system.graphql(LOGIN, { input: { email: owner.email, password: 'Fresh password 99' } })).errors).toBeUndefined();
  });
});
