import { registerUser, startTestSystem, uniqueEmail, type SeededUser } from '@switchboard/testkit';

/** Mistakes a client can make get a clear error with extensions.code — never a 500. */

type System = Awaited<ReturnType<typeof startTestSystem>>;

let system: System;
let owner: SeededUser;

beforeAll(async () => {
  system = await startTestSystem();
  owner = await registerUser(system);
});
afterAll(async () => {
  await system?.close();
});

const REGISTER = 'mutation ($input: RegisterInput!) { register(input: $input) { accessToken } }';
const register = (input: Record<string, unknown>) =>
  system.graphql(REGISTER, {
    input: { email: uniqueEmail('bad'), password: 'Sunny meadow 42', name: 'Bad Input', organizationName: 'Bad Co', ...input },
  });

function expectError(
  result: { status: number; data?: unknown; errors?: readonly { message: string; extensions?: Record<string, unknown> }[] },
  extensions: Record<string, unknown>,
) {
  expect(result.status).not.toBe(500);
  expect(result.errors?.length).toBeGreaterThan(0);
  const [error] = result.errors!;
  expect(error!.extensions).toMatchObject(extensions);
  expect(error!.message).not.toMatch(/internal|prisma|stack|at .*\.ts/i);
  return error!;
}

describe('bad input', () => {
  it.each(['plainaddress', 'two@@example.com', 'no-tld@example', ' @example.com', 'spaces in@example.com'])(
    'register refuses the malformed email %j on field email',
    async (email) => {
      const error = expectError(await register({ email }), { code: 'BAD_USER_INPUT', field: 'email' });
      expect(error.message).toMatch(/valid email/);
    },
  );

  it.each([
    ['short', 'TOO_SHORT', /at least 10 characters/],
    ['alllowercaseletters', 'SINGLE_CHARACTER_CLASS', /two kinds/],
    ['Password123', 'TOO_COMMON', /too common/],
  ])('register refuses the weak password %j on field password (%s)', async (password, reason, message) => {
    const error = expectError(await register({ password }), { code: 'BAD_USER_INPUT', field: 'password', reason });
    expect(error.message).toMatch(message);
  });

  it('refuses a password containing the email name', async () => {
    expectError(await register({ email: 'margaret.hamilton@example.com', password: 'xx-Margaret.Hamilton-99' }), {
      code: 'BAD_USER_INPUT',
      field: 'password',
      reason: 'CONTAINS_EMAIL',
    });
  });

  it('refuses a duplicate email with CONFLICT', async () => {
    expectError(await register({ email: owner.email }), { code: 'CONFLICT', field: 'email' });
  });

  it('asks for a token on me, and refuses a garbage one', async () => {
    const anonymous = await system.graphql('{ me { id } }');
    expectError(anonymous, { code: 'UNAUTHENTICATED' });
    expect(anonymous.data?.me ?? null).toBeNull();
    expectError(await system.graphql('{ me { id } }', {}, { token: 'not.a.jwt' }), { code: 'UNAUTHENTICATED' });
  });

  it('refuses malformed emails everywhere an email is taken', async () => {
    expectError(await system.graphql('mutation { login(input: { email: "nope", password: "whatever 123" }) { accessToken } }'), {
      code: 'BAD_USER_INPUT',
      field: 'email',
    });
    expectError(await system.graphql('mutation { requestPasswordReset(email: "nope") }'), { code: 'BAD_USER_INPUT', field: 'email' });
    expectError(await system.graphql('mutation { inviteMember(email: "nope", role: AGENT) { id } }', {}, { token: owner.accessToken }), {
      code: 'BAD_USER_INPUT',
      field: 'email',
    });
  });

  it('refuses malformed ids, cursors, page sizes and tokens with the field or NOT_FOUND', async () => {
    const auth = { token: owner.accessToken };
    expectError(await system.graphql('{ user(id: "not-a-uuid") { id } }', {}, auth), { code: 'NOT_FOUND' });
    expectError(await system.graphql('{ organization(id: "42") { id } }', {}, auth), { code: 'NOT_FOUND' });
    expectError(await system.graphql('mutation { removeMember(userId: "x") }', {}, auth), { code: 'NOT_FOUND' });
    const page = `{ organization(id: "${owner.organizationId}") { members(first: 1, after: "garbage") { totalCount } } }`;
    expectError(await system.graphql(page, {}, auth), { code: 'BAD_USER_INPUT', field: 'after' });
    const none = `{ organization(id: "${owner.organizationId}") { members(first: 0) { totalCount } } }`;
    expectError(await system.graphql(none, {}, auth), { code: 'BAD_USER_INPUT', field: 'first' });
    expectError(await system.graphql('mutation { acceptInvitation(token: "forged", name: "X", password: "Sunny meadow 42") { accessToken } }'), {
      code: 'BAD_USER_INPUT',
      field: 'token',
      reason: 'INVALID',
    });
    expectError(await system.graphql('mutation { resetPassword(token: "forged", password: "Sunny meadow 42") }'), {
      code: 'BAD_USER_INPUT',
      field: 'token',
    });
    expectError(await system.graphql('mutation { refreshToken(refreshToken: "forged") { accessToken } }'), { code: 'UNAUTHENTICATED' });
  });

  it('refuses a missing variable and an unknown role as GraphQL validation errors, not 500', async () => {
    const missing = await system.graphql(REGISTER, {});
    expect(missing.status).not.toBe(500);
    expect(missing.errors?.[0]?.extensions?.code).toEqual(expect.stringMatching(/BAD_USER_INPUT|GRAPHQL_VALIDATION_FAILED/));
    const role = await system.graphql('mutation { inviteMember(email: "a@example.com", role: KING) { id } }', {}, { token: owner.accessToken });
    expect(role.status).not.toBe(500);
    expect(role.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
  });
});
