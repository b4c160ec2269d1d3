import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { registerUser, startTestSystem, type SeededUser, type TestSystem } from '@switchboard/testkit';
import { phoneNumber, send, smsSender, subscribe, waitFor, waitForStatus, type Subscriber } from './support/messaging';

/**
 * Subscribers of Kafka-fed fields are bounded: with a queue of 10 events, a subscriber whose every
 * event needs a query across three subgraphs falls behind a burst and is closed with 1013 ("try
 * again later"), while a subscriber on the same events that keeps up receives every change of
 * every message — the slow one costs the others nothing.
 */
let system: TestSystem;
let owner: SeededUser;
const subscribers: Subscriber[] = [];
const MESSAGES = 30;

beforeAll(async () => {
  system = await startTestSystem({ env: { SUBSCRIPTION_QUEUE_SIZE: '10' } });
  owner = await registerUser(system);
});

afterAll(async () => {
  await Promise.all(subscribers.splice(0).map((s) => s.dispose()));
  await system?.close();
});

it('drops a subscriber that falls behind a burst and keeps serving the one that keeps up', async () => {
  const sender = await smsSender(system, owner, 1000);
  const fast = await subscribe(system, owner.accessToken, 'subscription { messageStatusChanged { messageId status } }');
  subscribers.push(fast);

  const started = system.running.gateway!.kafkaSubscriptions('message.status_changed').started;
  const slowClosed = new Promise<number>((resolve) => {
    const client = createClient({
      url: system.wsUrl,
      webSocketImpl: WebSocket,
      retryAttempts: 0,
      connectionParams: { authorization: `Bearer ${owner.accessToken}` },
      on: { closed: (event) => resolve((event as { code: number }).code) },
    });
    client.subscribe(
      {
        query: `subscription { messageStatusChanged {
          status
          message { id status body statusHistory { status at source } sender { id name address } contact { id name } }
        } }`,
      },
      { next: () => undefined, error: () => undefined, complete: () => undefined },
    );
  });
  await waitFor(() => system.running.gateway!.kafkaSubscriptions('message.status_changed').started > started, 'the slow subscription');

  const messages = await Promise.all(
    Array.from({ length: MESSAGES }, (_, i) => send(system, owner, { channel: 'SMS', senderId: sender.id, to: phoneNumber(), body: `Burst ${i}` })),
  );
  expect(await slowClosed).toBe(1013);

  for (const message of messages) await waitForStatus(system, owner, message.id, 'DELIVERED', 30_000);
  await waitFor(
    () => messages.every((m) => fast.events.some((e) => e.value.data.messageStatusChanged.messageId === m.id && e.value.data.messageStatusChanged.status === 'DELIVERED')),
    'the fast subscriber to see every DELIVERED',
    20_000,
  );
  for (const message of messages) {
    const seen = fast.events.map((e) => e.value.data.messageStatusChanged).filter((c) => c.messageId === message.id).map((c) => c.status);
    expect(seen).toEqual(['SENDING', 'SENT', 'DELIVERED']);
  }
  expect(fast.errors).toEqual([]);
  expect(system.running.gateway!.kafkaSubscriptions('message.status_changed').listening).toBe(1);
});
