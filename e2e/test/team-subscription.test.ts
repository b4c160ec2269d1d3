import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { inviteAndJoin, registerUser, startTestSystem, type SeededUser, type GraphQLResponse, type TestSystem } from '@switchboard/testkit';
import { addTeamMemberOnceJoined } from './support/team';

/**
 * `teamChanged` through the gateway's subscription bridge, fed by the team subgraph's
 * `events:team.changed` Redis messages: every committed change arrives, in order, with the team
 * resolved as the subscriber sees it; other organizations hear nothing. A member removed from the
 * organization (user subgraph → Kafka → team consumer) leaves their teams with a change each.
 */

type System = TestSystem;

let system: System;
let owner: SeededUser;
let outsider: SeededUser;
const clients: Client[] = [];

beforeAll(async () => {
  system = await startTestSystem();
  owner = await registerUser(system, { organizationName: 'Live Org' });
  outsider = await registerUser(system, { organizationName: 'Other Org' });
});
afterAll(async () => {
  await Promise.all(clients.map((client) => client.dispose()));
  await system?.close();
});

interface Change {
  kind: string;
  teamId: string;
  team: { name: string; memberCount: number } | null;
}

/** Subscribes as `user`; resolves once the gateway acknowledged the subscription. */
async function subscribe(user: SeededUser, variables: Record<string, unknown> = {}) {
  const client = createClient({
    url: system.wsUrl,
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${user.accessToken}` },
    retryAttempts: 0,
  });
  clients.push(client);
  const received: Change[] = [];
  const errors: unknown[] = [];
  client.subscribe<{ teamChanged: Change }>(
    { query: `subscription ($teamId: ID) { teamChanged(teamId: $teamId) { kind teamId team { name memberCount } } }`, variables },
    {
      next: (message) => (message.data ? received.push(message.data.teamChanged) : errors.push(message.errors)),
      error: (error) => errors.push(error),
      complete: () => undefined,
    },
  );
  // Live once the gateway listens on the team channel (Redis SUBSCRIBE acknowledged) and has
  // registered this subscription; the latter has no outside signal, hence the short pause.
  await new Promise<void>((resolve, reject) => {
    const unsubscribe = client.on('connected', () => {
      unsubscribe();
      resolve();
    });
    client.on('closed', (event) => reject(new Error(`socket closed: ${JSON.stringify(event)}`)));
  });
  await gatewayListening();
  await new Promise((resolve) => setTimeout(resolve, 300));
  return {
    received,
    errors,
    async waitFor(count: number, timeoutMs = 5_000) {
      const deadline = Date.now() + timeoutMs;
      while (received.length < count && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
      return received;
    },
  };
}

async function gatewayListening(): Promise<void> {
  const channel = `${system.redisKeyPrefix}events:team.changed`;
  for (let attempt = 0; attempt < 100; attempt++) {
    const [, listeners] = (await system.redis.pubsub('NUMSUB', channel)) as [string, number];
    if (Number(listeners) >= 1) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('the gateway never subscribed to the team channel');
}

function ok(result: GraphQLResponse) {
  expect({ status: result.status, errors: result.errors }).toEqual({ status: 200, errors: undefined });
  return result.data;
}

describe('teamChanged subscription through the gateway', () => {
  it('delivers every change of the organization in order, nothing to other organizations', async () => {
    const mine = await subscribe(owner);
    const theirs = await subscribe(outsider);
    const gql = (query: string, variables?: Record<string, unknown>) => system.graphql(query, variables, { token: owner.accessToken });

    const team = ok(await gql(`mutation { createTeam(name: "Live") { id } }`)).createTeam;
    ok(await gql(`mutation ($id: ID!) { renameTeam(id: $id, name: "Live 2") { id } }`, { id: team.id }));
    ok(await gql(`mutation ($id: ID!, $u: ID!) { addTeamMember(teamId: $id, userId: $u) { id } }`, { id: team.id, u: owner.user.id }));
    ok(await gql(`mutation ($id: ID!, $u: ID!) { setTeamMemberRole(teamId: $id, userId: $u, role: LEAD) { id } }`, { id: team.id, u: owner.user.id }));
    ok(await gql(`mutation ($id: ID!, $u: ID!) { removeTeamMember(teamId: $id, userId: $u) { id } }`, { id: team.id, u: owner.user.id }));
    ok(await gql(`mutation ($id: ID!) { deleteTeam(id: $id) }`, { id: team.id }));

    const changes = await mine.waitFor(6);
    expect(mine.errors).toEqual([]);
    expect(changes.map((change) => [change.kind, change.teamId])).toEqual(
      ['CREATED', 'RENAMED', 'MEMBER_ADDED', 'MEMBER_ROLE_CHANGED', 'MEMBER_REMOVED', 'DELETED'].map((kind) => [kind, team.id]),
    );
    // The team as it is when the bridge resolves it (it may already be further along), and null once deleted.
    expect(changes[5]?.team).toBeNull();
    for (const change of changes.slice(0, 5)) if (change.team) expect(change.team.name).toMatch(/^Live( 2)?$/);

    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(theirs.received).toEqual([]);
  });

  it('a member removed from the organization leaves each of their teams with a MEMBER_REMOVED change', async () => {
    const gql = (query: string, variables?: Record<string, unknown>) => system.graphql(query, variables, { token: owner.accessToken });
    const agent = await inviteAndJoin(system, owner, 'AGENT');
    const day = ok(await gql(`mutation { createTeam(name: "Day") { id } }`)).createTeam;
    const night = ok(await gql(`mutation { createTeam(name: "Night") { id } }`)).createTeam;
    ok(await addTeamMemberOnceJoined(system, owner, { teamId: day.id, userId: agent.user.id }));
    ok(await addTeamMemberOnceJoined(system, owner, { teamId: night.id, userId: agent.user.id }));
    ok(await addTeamMemberOnceJoined(system, owner, { teamId: night.id, userId: owner.user.id }));
    const sub = await subscribe(owner);

    ok(await gql(`mutation ($userId: ID!) { removeMember(userId: $userId) }`, { userId: agent.user.id }));
    const changes = await sub.waitFor(2, 15_000);
    expect(sub.errors).toEqual([]);
    expect(changes.map((change) => change.kind)).toEqual(['MEMBER_REMOVED', 'MEMBER_REMOVED']);
    expect(changes.map((change) => change.teamId).sort()).toEqual([day.id, night.id].sort());
    expect(changes.find((change) => change.teamId === night.id)?.team).toEqual({ name: 'Night', memberCount: 1 });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(sub.received).toHaveLength(2);
  });

  it('filters by teamId when asked', async () => {
    const gql = (query: string, variables?: Record<string, unknown>) => system.graphql(query, variables, { token: owner.accessToken });
    const watched = ok(await gql(`mutation { createTeam(name: "Watched") { id } }`)).createTeam;
    const other = ok(await gql(`mutation { createTeam(name: "Unwatched") { id } }`)).createTeam;
    const sub = await subscribe(owner, { teamId: watched.id });
    ok(await gql(`mutation ($id: ID!) { renameTeam(id: $id, name: "Unwatched 2") { id } }`, { id: other.id }));
    ok(await gql(`mutation ($id: ID!) { renameTeam(id: $id, name: "Watched 2") { id } }`, { id: watched.id }));
    const changes = await sub.waitFor(1);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(sub.received).toEqual([{ kind: 'RENAMED', teamId: watched.id, team: { name: 'Watched 2', memberCount: 0 } }]);
    expect(changes).toHaveLength(1);
  });
});
