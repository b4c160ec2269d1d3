import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { registerUser, startTestSystem, type SeededUser, type TestSystem } from '@switchboard/testkit';

/**
 * Subscriptions through the gateway's graphql-ws endpoint: authentication at connect, events
 * filtered to the subscriber's organization (and arguments), entity fields resolved through the
 * supergraph as the subscriber.
 */
let system: TestSystem;
let alice: SeededUser;
let bob: SeededUser;
const clients: Client[] = [];

beforeAll(async () => {
  system = await startTestSystem();
  [alice, bob] = await Promise.all([registerUser(system), registerUser(system)]);
});

afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.dispose()));
});

afterAll(async () => {
  await system?.close();
});

function connect(token: string | undefined, onClosed?: (code: number, reason: string) => void): Client {
  const client = createClient({
    url: system.wsUrl,
    webSocketImpl: WebSocket,
    retryAttempts: 0,
    lazy: true,
    connectionParams: token ? { authorization: `Bearer ${token}` } : {},
    on: {
      closed: (event) => {
        const { code, reason } = event as { code: number; reason: string };
        onClosed?.(code, String(reason));
      },
    },
  });
  clients.push(client);
  return client;
}

// Events are asserted whole with toEqual; their shape is the test's business.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Event = any;

interface Subscription {
  events: Event[];
  errors: unknown[];
  /** Resolves with the next event (or rejects after `ms`). */
  next(ms?: number): Promise<Event>;
}

function subscribe(client: Client, query: string, variables?: Record<string, unknown>): Subscription {
  const events: Event[] = [];
  const errors: unknown[] = [];
  const waiters: ((value: Event) => void)[] = [];
  client.subscribe(
    { query, ...(variables ? { variables } : {}) },
    {
      next: (value) => {
        events.push(value);
        waiters.shift()?.(value);
      },
      error: (error) => errors.push(error),
      complete: () => undefined,
    },
  );
  let consumed = 0;
  return {
    events,
    errors,
    next(ms = 5000) {
      if (events.length > consumed) return Promise.resolve(events[consumed++]);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no event within ${ms} ms (errors: ${JSON.stringify(errors)})`)), ms);
        waiters.push((value) => {
          clearTimeout(timer);
          consumed++;
          resolve(value);
        });
      });
    },
  };
}

/** Waits until the gateway listens on the team channel `count` times over (its SUBSCRIBE is acknowledged). */
async function gatewayListening(): Promise<void> {
  const channel = `${system.redisKeyPrefix}events:team.changed`;
  for (let attempt = 0; attempt < 100; attempt++) {
    const [, listeners] = (await system.redis.pubsub('NUMSUB', channel)) as [string, number];
    if (Number(listeners) >= 1) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('the gateway never subscribed to the team channel');
}

/** Lets in-flight subscribe messages reach the server (after the channel is already listened to). */
const settle = (ms = 300) => new Promise((resolve) => setTimeout(resolve, ms));

async function createTeam(user: SeededUser, name: string): Promise<string> {
  const result = await system.graphql('mutation($name: String!) { createTeam(name: $name) { id } }', { name }, { token: user.accessToken });
  expect(result.errors).toBeUndefined();
  return result.data.createTeam.id as string;
}

describe('graphql-ws authentication', () => {
  it('refuses a connection without a token with 4401', async () => {
    const closed = new Promise<number>((resolve) => {
      const client = connect(undefined, (code) => resolve(code));
      subscribe(client, 'subscription { teamChanged { kind } }');
    });
    expect(await closed).toBe(4401);
  });

  it('refuses a connection with a tampered token with 4401', async () => {
    const closed = new Promise<{ code: number; reason: string }>((resolve) => {
      const client = connect(`${alice.accessToken.slice(0, -2)}xx`, (code, reason) => resolve({ code, reason }));
      subscribe(client, 'subscription { teamChanged { kind } }');
    });
    expect(await closed).toEqual({ code: 4401, reason: expect.stringMatching(/invalid/) });
  });
});

describe('teamChanged', () => {
  it('pushes a change with the team resolved through the supergraph, only to its organization', async () => {
    const aliceClient = connect(alice.accessToken);
    const bobClient = connect(bob.accessToken);
    const aliceEvents = subscribe(aliceClient, 'subscription { teamChanged { kind teamId team { name memberCount } } }');
    const bobEvents = subscribe(bobClient, 'subscription { teamChanged { kind teamId team { name } } }');
    await gatewayListening();
    await settle();

    const teamId = await createTeam(alice, 'Support tier 1');
    expect(await aliceEvents.next()).toEqual({
      data: { teamChanged: { kind: 'CREATED', teamId, team: { name: 'Support tier 1', memberCount: 0 } } },
    });

    const renamed = await system.graphql(
      'mutation($id: ID!) { renameTeam(id: $id, name: "Support tier 2") { id } }',
      { id: teamId },
      { token: alice.accessToken },
    );
    expect(renamed.errors).toBeUndefined();
    expect(await aliceEvents.next()).toEqual({
      data: { teamChanged: { kind: 'RENAMED', teamId, team: { name: 'Support tier 2', memberCount: 0 } } },
    });

    // Bob's own change reaches Bob — and only his: Alice's two changes never did.
    const bobTeamId = await createTeam(bob, 'Sales EMEA');
    expect(await bobEvents.next()).toEqual({ data: { teamChanged: { kind: 'CREATED', teamId: bobTeamId, team: { name: 'Sales EMEA' } } } });
    await settle();
    expect(bobEvents.events).toHaveLength(1);
    expect(aliceEvents.events).toHaveLength(2);
  });

  it('honours the teamId argument, aliases and fragments, and answers null for a deleted team', async () => {
    const keep = await createTeam(alice, 'Billing');
    const other = await createTeam(alice, 'Onboarding');
    const client = connect(alice.accessToken);
    const events = subscribe(
      client,
      `subscription Watch($id: ID) {
        change: teamChanged(teamId: $id) { what: kind ...Details }
      }
      fragment Details on TeamChange { __typename t: team { n: name } }`,
      { id: keep },
    );
    await gatewayListening();
    await settle();

    await system.graphql('mutation($id: ID!) { renameTeam(id: $id, name: "Onboarding 2") { id } }', { id: other }, { token: alice.accessToken });
    await system.graphql('mutation($id: ID!) { renameTeam(id: $id, name: "Billing EU") { id } }', { id: keep }, { token: alice.accessToken });
    expect(await events.next()).toEqual({
      data: { change: { what: 'RENAMED', __typename: 'TeamChange', t: { n: 'Billing EU' } } },
    });

    const deleted = await system.graphql('mutation($id: ID!) { deleteTeam(id: $id) }', { id: keep }, { token: alice.accessToken });
    expect(deleted.errors).toBeUndefined();
    expect(await events.next()).toEqual({ data: { change: { what: 'DELETED', __typename: 'TeamChange', t: null } } });
    expect(events.events).toHaveLength(2);
  });

  it('closes the connection with 4403 once the session is signed out', async () => {
    const session = await registerUser(system);
    const closed = new Promise<number>((resolve) => {
      const client = connect(session.accessToken, (code) => resolve(code));
      subscribe(client, 'subscription { teamChanged { kind } }');
    });
    await gatewayListening();
    await settle();
    const logout = await system.graphql('mutation { logout }', undefined, { token: session.accessToken });
    expect(logout.data).toEqual({ logout: true });
    // The next event of the organization finds the session revoked. The signed-out token cannot
    // create one, so a fresh login does.
    const login = await system.graphql(
      'mutation($input: LoginInput!) { login(input: $input) { accessToken } }',
      { input: { email: session.email, password: session.password } },
    );
    await createTeam({ ...session, accessToken: login.data.login.accessToken }, 'After logout');
    expect(await closed).toBe(4403);
  });

  it('refuses invalid subscription documents with validation errors', async () => {
    const client = connect(alice.accessToken);
    const events = subscribe(client, 'subscription { teamChanged { kind nope } }');
    await settle(500);
    expect(events.errors).toEqual([
      [expect.objectContaining({ message: expect.stringMatching(/Cannot query field "nope"/), extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } })],
    ]);
  });
});
