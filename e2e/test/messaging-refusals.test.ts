import type { SeededUser, TestSystem } from '@switchboard/testkit';
import { RECEIVED_SUBSCRIPTION, phoneNumber, send, sendMessage, smsSender, subscribe, waitFor, waitForStatus } from './support/messaging';
import { setUpMessagingSystem } from './support/messaging-setup';

/**
 * What sendMessage refuses through the gateway, with the code a client can act on, and what the
 * customer's own keywords do: STOP (an inbound SMS, signed by Twilio) opts the address out of SMS
 * until START. The same idempotency key always answers with the same message and sends once; the
 * same key with a different request is IDEMPOTENCY_KEY_REUSED.
 */
let system: TestSystem;
let owner: SeededUser;
let sender: { id: string; address: string };
const { subscribers } = setUpMessagingSystem({ sender: smsSender, ready: (setup) => ({ system, owner, sender } = setup) });

const codeOf = (result: { errors?: { extensions?: Record<string, unknown> }[] }) => result.errors?.map((error) => error.extensions?.code);
const twilioSends = (to: string) => system.standIns.twilio.requests().filter((r) => r.path.endsWith('/Messages.json') && r.recipient === to);

it('an address that is not a phone number is INVALID_RECIPIENT (field "to")', async () => {
  const result = await sendMessage(system, owner, { channel: 'SMS', senderId: sender.id, to: '12345', body: 'Hi' });
  expect(codeOf(result)).toEqual(['INVALID_RECIPIENT']);
  expect(result.errors?.[0]?.extensions?.field).toBe('to');
});

it('after an inbound STOP the address is OPTED_OUT; after START it can be messaged again', async () => {
  const customer = phoneNumber();
  const inbox = await subscribe(system, owner.accessToken, RECEIVED_SUBSCRIPTION, { senderId: sender.id });
  subscribers.push(inbox);

  const stop = await system.standIns.twilio.simulateInbound({ from: customer, to: sender.address, body: 'STOP' });
  expect(stop.status).toBe(200);
  const received = (await inbox.waitForCount(1))[0]!.value.data.messageReceived;
  expect(received).toMatchObject({ channel: 'SMS', senderId: sender.id, message: { direction: 'INBOUND', from: customer, body: 'STOP' } });

  const refused = await sendMessage(system, owner, { channel: 'SMS', senderId: sender.id, to: customer, body: 'Last chance: 20% off!' });
  expect(codeOf(refused)).toEqual(['OPTED_OUT']);
  expect(refused.data).toBeNull();

  const start = await system.standIns.twilio.simulateInbound({ from: customer, to: sender.address, body: 'start' });
  expect(start.status).toBe(200);
  await inbox.waitForCount(2);
  const allowed = await send(system, owner, { channel: 'SMS', senderId: sender.id, to: customer, body: 'Welcome back!' });
  await waitForStatus(system, owner, allowed.id, 'DELIVERED');
  expect(twilioSends(customer).map((r) => (r.params as { Body: string }).Body)).toEqual(['Welcome back!']);
});

it('the same idempotency key returns the same message and sends it once; reused for another message it is refused', async () => {
  const customer = phoneNumber();
  const input = { channel: 'SMS', senderId: sender.id, to: customer, body: 'Your code is 4242', idempotencyKey: 'otp-4242' };
  const first = await send(system, owner, input);
  const again = await send(system, owner, input);
  const concurrent = await Promise.all([send(system, owner, input), send(system, owner, input)]);
  expect([again.id, ...concurrent.map((m: { id: string }) => m.id)]).toEqual([first.id, first.id, first.id]);

  // A client reusing the key for a different message learns it at once instead of losing the message.
  const reused = await sendMessage(system, owner, { ...input, body: 'Your code is 5353' });
  expect(reused.data).toBeNull();
  expect(reused.errors).toHaveLength(1);
  expect(reused.errors?.[0]?.extensions).toMatchObject({ code: 'IDEMPOTENCY_KEY_REUSED', field: 'idempotencyKey', messageId: first.id });

  await waitForStatus(system, owner, first.id, 'DELIVERED');
  await waitFor(() => twilioSends(customer).length === 1, 'one request');
  const count = await system.graphql('{ messages(filter: { channel: SMS, direction: OUTBOUND }) { edges { node { id to } } } }', undefined, { token: owner.accessToken });
  expect(count.data.messages.edges.filter((edge: { node: { to: string } }) => edge.node.to === customer)).toHaveLength(1);
});

it('a WhatsApp template that is not approved is TEMPLATE_NOT_APPROVED', async () => {
  // The template subgraph owns templates; messaging learns them from `template.changed`.
  const waSender = await system.graphql(
    `mutation($input: CreateSenderInput!) { createSender(input: $input) { id } }`,
    {
      input: {
        name: 'WA',
        kind: 'WHATSAPP_NUMBER',
        address: `+${system.standIns.whatsapp.displayPhoneNumber}`,
        phoneNumberId: system.standIns.whatsapp.phoneNumberId,
      },
    },
    { token: owner.accessToken },
  );
  expect(waSender.errors).toBeUndefined();
  const created = await system.graphql(
    `mutation($input: CreateTemplateInput!) { createTemplate(input: $input) { id status } }`,
    {
      input: {
        name: 'order_ready',
        channel: 'WHATSAPP',
        language: 'en_US',
        whatsapp: { category: 'UTILITY', body: 'Hi {{1}}, your order is ready.' },
        variables: [{ name: '1', type: 'STRING', example: 'Ann' }],
      },
    },
    { token: owner.accessToken },
  );
  expect(created.errors).toBeUndefined();
  const templateId = created.data.createTemplate.id as string;
  const input = { channel: 'WHATSAPP', senderId: waSender.data.createSender.id, to: '+447911123456', templateId, variables: { '1': 'Ann' } };
  // Until messaging has heard of the template it answers NOT_FOUND ("not known yet"), then TEMPLATE_NOT_APPROVED.
  const refused = await waitFor(
    async () => {
      const result = await sendMessage(system, owner, input);
      return codeOf(result)?.[0] === 'TEMPLATE_NOT_APPROVED' ? result : undefined;
    },
    'messaging to know the template',
    10_000,
    200,
  );
  expect(refused.data).toBeNull();
  expect(system.standIns.whatsapp.requests()).toHaveLength(0);
});
