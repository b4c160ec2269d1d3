import type { SeededUser, TestSystem } from '@switchboard/testkit';
import { STATUS_SUBSCRIPTION, historyOf, phoneNumber, send, smsSender, statusesSeen, subscribe, waitFor, waitForStatus } from './support/messaging';
import { setUpMessagingSystem } from './support/messaging-setup';

/**
 * An SMS from the API to the (stand-in) Twilio API and back: sendMessage → the outbox relay →
 * the SMS worker calls Twilio through the twilio SDK → Twilio's signed status callbacks reach the
 * gateway's /webhooks/twilio/status → the status history moves forward → a graphql-ws subscriber
 * sees each change, in order, with the message resolved through the supergraph.
 */
let system: TestSystem;
let owner: SeededUser;
const { subscribers } = setUpMessagingSystem({ ready: (setup) => ({ system, owner } = setup) });

it('sends an SMS: Twilio receives it, signed callbacks move it to DELIVERED, a subscriber sees every change', async () => {
  const sender = await smsSender(system, owner);
  const to = phoneNumber();
  const watcher = await subscribe(system, owner.accessToken, STATUS_SUBSCRIPTION);
  subscribers.push(watcher);

  const queued = await send(system, owner, { channel: 'SMS', senderId: sender.id, to, body: 'Your table for two is booked for 8pm.' });
  expect(queued).toMatchObject({ status: 'QUEUED', channel: 'SMS', direction: 'OUTBOUND', to, from: sender.address });
  expect(historyOf(queued)).toEqual(['QUEUED']);

  // Twilio got the message from our number, with a StatusCallback on the public URL.
  const request = await waitFor(
    () => system.standIns.twilio.requests().find((r) => r.path.endsWith('/Messages.json') && r.recipient === to),
    'the Twilio request',
  );
  expect(request.status).toBe(201);
  expect(request.params).toMatchObject({
    To: to,
    From: sender.address,
    Body: 'Your table for two is booked for 8pm.',
    StatusCallback: `${system.providers.webhookPublicUrl}/webhooks/twilio/status?messageId=${queued.id}`,
  });

  const delivered = await waitForStatus(system, owner, queued.id, 'DELIVERED');
  expect(delivered.providerMessageId).toBe(request.resourceId);
  expect(historyOf(delivered)).toEqual(['QUEUED', 'SENDING', 'SENT', 'DELIVERED']);
  expect(delivered.statusHistory.map((entry: { source: string }) => entry.source)).toEqual(
    expect.arrayContaining(['API', 'WEBHOOK']),
  );

  // Every callback was signed and accepted by the webhook behind the gateway.
  await system.standIns.settled();
  const callbacks = system.standIns.twilio.callbacks().filter((c) => (c.payload as { MessageSid?: string }).MessageSid === request.resourceId);
  expect(callbacks.map((c) => (c.payload as { MessageStatus: string }).MessageStatus)).toEqual(['sending', 'sent', 'delivered']);
  expect(callbacks.every((c) => c.status === 200)).toBe(true);

  // The subscriber saw each change once, in order, with the message resolved as it is now.
  const changes = await watcher.waitFor((value) => value.data?.messageStatusChanged?.status === 'DELIVERED');
  expect(statusesSeen(watcher, queued.id)).toEqual(['SENDING', 'SENT', 'DELIVERED']);
  expect(changes.value.data.messageStatusChanged).toMatchObject({
    messageId: queued.id,
    previousStatus: 'SENT',
    channel: 'SMS',
    message: { id: queued.id, to },
  });
});

it('a subscriber of one message sees only that message', async () => {
  const sender = await smsSender(system, owner);
  const [first, second] = [phoneNumber(), phoneNumber()];
  // Slow callbacks for the first message, so the subscription (made once its id is known) is in place first.
  system.standIns.twilio.behaviour.add({ recipient: first, times: 1, callbacks: { delayMs: 400 } });
  const a = await send(system, owner, { channel: 'SMS', senderId: sender.id, to: first, body: 'First' });
  const watcher = await subscribe(system, owner.accessToken, STATUS_SUBSCRIPTION, { messageId: a.id });
  subscribers.push(watcher);
  const b = await send(system, owner, { channel: 'SMS', senderId: sender.id, to: second, body: 'Second' });

  await waitForStatus(system, owner, a.id, 'DELIVERED');
  await waitForStatus(system, owner, b.id, 'DELIVERED');
  await watcher.waitFor((value) => value.data?.messageStatusChanged?.status === 'DELIVERED');
  const seen = watcher.events.map((event) => event.value.data.messageStatusChanged.messageId);
  expect(new Set(seen)).toEqual(new Set([a.id]));
});
