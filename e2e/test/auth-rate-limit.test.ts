import { registerUser, startTestSystem, uniqueEmail } from '@switchboard/testkit';

/**
 * Failed sign-ins are limited per account (5 / 15 min) and per client IP (20 / 15 min). Every
 * request of this file comes from the same address, so the per-IP count runs across the tests
 * (counted in `failuresFromThisIp`).
 */

type System = Awaited<ReturnType<typeof startTestSystem>>;

const LOGIN = 'mutation ($input: LoginInput!) { login(input: $input) { accessToken } }';

let system: System;

beforeAll(async () => {
  system = await startTestSystem();
});
afterAll(async () => {
  await system?.close();
});

/** Failed sign-ins made from this test process's address so far. */
let failuresFromThisIp = 0;

async function login(email: string, password: string) {
  const result = await system.graphql(LOGIN, { input: { email, password } });
  if (result.errors?.[0]?.extensions?.code === 'UNAUTHENTICATED') failuresFromThisIp += 1;
  return result;
}

describe('login rate limits', () => {
  it('refuses an account after 5 failures, even with the right password, and says when to retry', async () => {
    const user = await registerUser(system);
    for (let attempt = 1; attempt <= 5; attempt++) {
      const failed = await login(user.email, `Wrong password ${attempt}`);
      expect(failed.errors?.[0]).toMatchObject({ message: 'Email or password is incorrect', extensions: { code: 'UNAUTHENTICATED' } });
    }
    const limited = await login(user.email, user.password);
    expect(limited.status).not.toBe(500);
    expect(limited.data?.login ?? null).toBeNull();
    expect(limited.errors?.[0]?.extensions).toMatchObject({ code: 'TOO_MANY_REQUESTS', retryAfterSeconds: expect.any(Number) });
    const retryAfter = limited.errors![0]!.extensions!.retryAfterSeconds as number;
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(15 * 60);

    // Other accounts are not affected by this account's lock.
    const other = await registerUser(system);
    expect((await login(other.email, other.password)).errors).toBeUndefined();
  });

  it('refuses an IP after 20 failures across accounts, whichever account it tries next', async () => {
    // Up to 20 failures from this address (the previous test made some), on unknown addresses.
    while (failuresFromThisIp < 20) {
      const failed = await login(uniqueEmail('ghost'), 'Wrong password 1');
      expect(failed.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    }
    const fresh = await registerUser(system);
    const limited = await login(fresh.email, fresh.password);
    expect(limited.errors?.[0]?.extensions).toMatchObject({ code: 'TOO_MANY_REQUESTS', retryAfterSeconds: expect.any(Number) });
    expect(limited.errors?.[0]?.message).toMatch(/try again in \d+ seconds/);
  });
});
