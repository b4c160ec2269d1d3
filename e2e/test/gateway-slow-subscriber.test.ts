import { randomUUID } from 'node:crypto';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { registerUser, startTestSystem, type TestSystem } from '@switchboard/testkit';

/**
 * A subscriber that falls further behind than its queue allows is dropped (close 1013, "try again
 * later") instead of making the gateway buffer without bound. Here the queue holds 3 events and a
 * burst of 200 arrives faster than each can be resolved through the supergraph.
 */
let system: TestSystem;

beforeAll(async () => {
  system = await startTestSystem({ env: { SUBSCRIPTION_QUEUE_SIZE: '3' } });
});

afterAll(async () => {
  await system?.close();
});

it('drops a subscriber that falls behind, and keeps serving others', async () => {
  const owner = await registerUser(system);
  const closed = new Promise<{ code: number; reason: string }>((resolve) => {
    const client = createClient({
      url: system.wsUrl,
      webSocketImpl: WebSocket,
      retryAttempts: 0,
      connectionParams: { authorization: `Bearer ${owner.accessToken}` },
      on: { closed: (event) => resolve({ code: (event as { code: number }).code, reason: String((event as { reason: string }).reason) }) },
    });
    client.subscribe({ query: 'subscription { teamChanged { kind team { name members { role } } } }' }, { next: () => undefined, error: () => undefined, complete: () => undefined });
  });
  const channel = `${system.redisKeyPrefix}events:team.changed`;
  for (let attempt = 0; attempt < 100; attempt++) {
    const [, listeners] = (await system.redis.pubsub('NUMSUB', channel)) as [string, number];
    if (Number(listeners) >= 1) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const burst = system.redis.pipeline();
  for (let i = 0; i < 200; i++) {
    burst.publish(channel, JSON.stringify({ organizationId: owner.organizationId, teamId: randomUUID(), kind: 'RENAMED' }));
  }
  await burst.exec();
  expect(await closed).toEqual({ code: 1013, reason: expect.stringMatching(/too slow/) });

  const health = await system.graphql('{ me { id } }', undefined, { token: owner.accessToken });
  expect(health.data).toEqual({ me: { id: owner.user.id } });
});
