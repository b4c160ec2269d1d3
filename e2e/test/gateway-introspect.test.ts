import { registerUser, startTestSystem, type TestSystem } from '@switchboard/testkit';

/**
 * SUPERGRAPH_MODE=introspect: the gateway composes from the running subgraphs. Their
 * introspection goes through the same signed caller header (subgraphs refuse anything else), so
 * the gateway only starts if that works.
 */
let system: TestSystem;

beforeAll(async () => {
  system = await startTestSystem({ env: { SUPERGRAPH_MODE: 'introspect' } });
});

afterAll(async () => {
  await system?.close();
});

it('serves the supergraph composed from the running subgraphs', async () => {
  const owner = await registerUser(system);
  const me = await system.graphql('{ me { id organization { name } teams { name } } }', undefined, { token: owner.accessToken });
  expect(me.errors).toBeUndefined();
  expect(me.data).toEqual({ me: { id: owner.user.id, organization: { name: expect.any(String) }, teams: [] } });
});
