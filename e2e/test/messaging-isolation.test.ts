import { registerUser, startTestSystem, type SeededUser, type TestSystem } from '@switchboard/testkit';
import {
  RECEIVED_SUBSCRIPTION,
  STATUS_SUBSCRIPTION,
  pause,
  phoneNumber,
  send,
  smsSender,
  subscribe,
  waitForStatus,
  type Subscriber,
} from './support/messaging';

/**
 * Subscriptions never cross organizations: a member of another organization — subscribed to
 * everything, or to the other organization's message id — receives nothing while the owner's
 * subscriber receives every change and the inbound message.
 */
let system: TestSystem;
let alice: SeededUser;
let mallory: SeededUser;
const subscribers: Subscriber[] = [];

beforeAll(async () => {
  system = await startTestSystem();
  [alice, mallory] = await Promise.all([registerUser(system), registerUser(system)]);
});

afterAll(async () => {
  await Promise.all(subscribers.splice(0).map((s) => s.dispose()));
  await system?.close();
});

it("a subscriber of another organization receives none of the organization's message events", async () => {
  const sender = await smsSender(system, alice);
  const customer = phoneNumber();
  // Slow callbacks, so the id-filtered subscriptions below are in place before the changes happen.
  system.standIns.twilio.behaviour.add({ recipient: customer, times: 1, callbacks: { delayMs: 300 } });

  const aliceStatuses = await subscribe(system, alice.accessToken, STATUS_SUBSCRIPTION);
  const aliceInbox = await subscribe(system, alice.accessToken, RECEIVED_SUBSCRIPTION);
  const malloryStatuses = await subscribe(system, mallory.accessToken, STATUS_SUBSCRIPTION);
  const malloryInbox = await subscribe(system, mallory.accessToken, RECEIVED_SUBSCRIPTION);
  subscribers.push(aliceStatuses, aliceInbox, malloryStatuses, malloryInbox);

  const message = await send(system, alice, { channel: 'SMS', senderId: sender.id, to: customer, body: 'Private to Alice' });
  const malloryById = await subscribe(system, mallory.accessToken, STATUS_SUBSCRIPTION, { messageId: message.id });
  const malloryBySender = await subscribe(system, mallory.accessToken, RECEIVED_SUBSCRIPTION, { senderId: sender.id });
  subscribers.push(malloryById, malloryBySender);

  await waitForStatus(system, alice, message.id, 'DELIVERED');
  await system.standIns.twilio.simulateInbound({ from: customer, to: sender.address, body: 'Thanks Alice' });

  await aliceStatuses.waitFor((value) => value.data?.messageStatusChanged?.status === 'DELIVERED');
  await aliceInbox.waitForCount(1);
  await pause(500); // anything cross-tenant would have arrived by now (Alice's did)
  expect(aliceStatuses.events.length).toBeGreaterThanOrEqual(3);
  for (const subscriber of [malloryStatuses, malloryInbox, malloryById, malloryBySender]) {
    expect(subscriber.events).toEqual([]);
    expect(subscriber.errors).toEqual([]);
  }

  const peek = await system.graphql('query($id: ID!) { message(id: $id) { id body } }', { id: message.id }, { token: mallory.accessToken });
  expect(peek.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
});
