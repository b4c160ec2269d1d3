import type { SeededUser, TestSystem } from '@switchboard/testkit';
import { RECEIVED_SUBSCRIPTION, STATUS_SUBSCRIPTION, historyOf, send, sendMessage, statusesSeen, subscribe, waitFor, waitForStatus, whatsappSender } from './support/messaging';
import { setUpMessagingSystem } from './support/messaging-setup';

/**
 * WhatsApp through the (stand-in) Cloud API: a customer writes first (a signed webhook, delivered
 * to a `messageReceived` subscriber), which opens the 24-hour window; the free-form reply goes to
 * the Graph API, and the signed status webhooks move it SENT → DELIVERED → READ, each seen by a
 * `messageStatusChanged` subscriber in order. Someone who never wrote cannot get free-form text.
 */
let system: TestSystem;
let owner: SeededUser;
let sender: { id: string; address: string };
const { subscribers } = setUpMessagingSystem({ sender: whatsappSender, ready: (setup) => ({ system, owner, sender } = setup) });
const CUSTOMER = '+447911123456';

it('an inbound WhatsApp message reaches a messageReceived subscriber, and the reply goes SENT → DELIVERED → READ', async () => {
  const inbox = await subscribe(system, owner.accessToken, RECEIVED_SUBSCRIPTION, { senderId: sender.id });
  const statuses = await subscribe(system, owner.accessToken, STATUS_SUBSCRIPTION);
  subscribers.push(inbox, statuses);

  const inbound = await system.standIns.whatsapp.simulateInbound({ from: CUSTOMER.slice(1), body: 'Hi, is my order ready?', profileName: 'Casey' });
  expect(inbound.webhook.status).toBe(200);

  const received = (await inbox.waitForCount(1))[0]!.value.data.messageReceived;
  expect(received).toMatchObject({
    channel: 'WHATSAPP',
    senderId: sender.id,
    message: { direction: 'INBOUND', from: CUSTOMER, to: sender.address, body: 'Hi, is my order ready?', status: 'DELIVERED' },
  });

  // Inside the window: free-form text is allowed.
  const reply = await send(system, owner, { channel: 'WHATSAPP', senderId: sender.id, to: CUSTOMER, body: 'Yes! It is ready for pickup.' });
  const request = await waitFor(
    () => system.standIns.whatsapp.requests().find((r) => r.recipient === CUSTOMER.slice(1) && r.status === 200),
    'the Graph API request',
  );
  expect(request.path).toBe(`/v23.0/${system.standIns.whatsapp.phoneNumberId}/messages`);
  expect(request.params).toMatchObject({ messaging_product: 'whatsapp', to: CUSTOMER.slice(1), type: 'text', text: { body: 'Yes! It is ready for pickup.' } });

  const read = await waitForStatus(system, owner, reply.id, 'READ');
  expect(read.providerMessageId).toBe(request.resourceId);
  expect(historyOf(read)).toEqual(['QUEUED', 'SENDING', 'SENT', 'DELIVERED', 'READ']);

  await statuses.waitFor((value) => value.data?.messageStatusChanged?.messageId === reply.id && value.data.messageStatusChanged.status === 'READ');
  expect(statusesSeen(statuses, reply.id)).toEqual(['SENDING', 'SENT', 'DELIVERED', 'READ']);
  // Every webhook the stand-in posted was signed and accepted.
  await system.standIns.settled();
  expect(system.standIns.whatsapp.webhooks().every((hook) => hook.status === 200)).toBe(true);
});

it('free-form text to someone who never wrote is WINDOW_CLOSED, and nothing is sent', async () => {
  const stranger = '+447911123457';
  const before = system.standIns.whatsapp.requests().length;
  const result = await sendMessage(system, owner, { channel: 'WHATSAPP', senderId: sender.id, to: stranger, body: 'Hello there' });
  expect(result.data).toBeNull();
  expect(result.errors).toEqual([expect.objectContaining({ extensions: expect.objectContaining({ code: 'WINDOW_CLOSED' }) })]);
  const messages = await system.graphql('{ messages(filter: { channel: WHATSAPP, direction: OUTBOUND }) { edges { node { to } } } }', undefined, { token: owner.accessToken });
  expect(messages.data.messages.edges.map((edge: { node: { to: string } }) => edge.node.to)).not.toContain(stranger);
  expect(system.standIns.whatsapp.requests().length).toBe(before);
});

it('a template approved by WhatsApp (review webhook → template subgraph → messaging) goes out outside the window', async () => {
  const stranger = '+447911123458';
  const created = await system.graphql(
    `mutation($input: CreateTemplateInput!) { createTemplate(input: $input) { id } }`,
    {
      input: {
        name: 'pickup_ready',
        channel: 'WHATSAPP',
        language: 'en_US',
        whatsapp: { category: 'UTILITY', body: 'Hi {{1}}, your order {{2}} is ready for pickup.' },
        variables: [
          { name: '1', type: 'STRING', example: 'Ann' },
          { name: '2', type: 'STRING', example: '1042' },
        ],
      },
    },
    { token: owner.accessToken },
  );
  expect(created.errors).toBeUndefined();
  const templateId = created.data.createTemplate.id as string;
  const submitted = await system.graphql('mutation($id: ID!) { submitTemplateForApproval(id: $id) { status } }', { id: templateId }, { token: owner.accessToken });
  expect(submitted.errors).toBeUndefined();
  const input = { channel: 'WHATSAPP', senderId: sender.id, to: stranger, templateId, variables: { '1': 'Ann', '2': '1042' } };

  // WhatsApp approves it: its signed review webhook reaches messaging, which tells the template subgraph.
  const review = await system.standIns.whatsapp.simulateTemplateStatus({ name: 'pickup_ready', language: 'en_US', event: 'APPROVED' });
  expect(review.status).toBe(200);
  await waitFor(
    async () => {
      const template = await system.graphql('query($id: ID!) { template(id: $id) { status } }', { id: templateId }, { token: owner.accessToken });
      return template.data?.template?.status === 'APPROVED';
    },
    'the template to be APPROVED',
  );
  // Messaging learns the approval from template.changed; then the send goes through.
  const message = await waitFor(
    async () => {
      const result = await sendMessage(system, owner, input);
      return result.data?.sendMessage?.message;
    },
    'messaging to accept the approved template',
    10_000,
    200,
  );
  expect(message).toMatchObject({ status: 'QUEUED', body: 'Hi Ann, your order 1042 is ready for pickup.' });
  const request = await waitFor(
    () => system.standIns.whatsapp.requests().find((r) => r.recipient === stranger.slice(1) && r.status === 200),
    'the template request',
  );
  expect(request.params).toMatchObject({
    type: 'template',
    template: { name: 'pickup_ready', language: { code: 'en_US' }, components: [{ type: 'body', parameters: [{ type: 'text', text: 'Ann' }, { type: 'text', text: '1042' }] }] },
  });
  await waitForStatus(system, owner, message.id, 'READ');
});

