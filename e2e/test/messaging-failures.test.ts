import { createHmac, randomUUID } from 'node:crypto';
import type { Consumer, KafkaMessage } from 'kafkajs';
import type { SeededUser, TestSystem } from '@switchboard/testkit';
import { STATUS_SUBSCRIPTION, getMessage, historyOf, pause, phoneNumber, send, smsSender, statusesSeen, subscribe, waitFor, waitForStatus } from './support/messaging';
import { setUpMessagingSystem } from './support/messaging-setup';

/**
 * When the provider misbehaves: 5xx and 429 answers are retried until the message goes through;
 * a permanent refusal fails it at once with the provider's code and reason and a dead-letter
 * event; duplicated and reversed status callbacks never move a message backwards; callbacks with
 * a forged signature (or signed over another URL than the public one) get 403 and change nothing.
 */
let system: TestSystem;
let owner: SeededUser;
let sender: { id: string; address: string };
let deadLetters: Consumer;
const deadLettered: { messageId: string; reason: string; errorCode: string | null; attempts: number }[] = [];
const { subscribers } = setUpMessagingSystem({
  sender: smsSender,
  ready: async (setup) => {
    ({ system, owner, sender } = setup);
    deadLetters = system.kafka.client.consumer({ groupId: `e2e-dead-letters-${randomUUID()}`, maxWaitTimeInMs: 200 });
    await deadLetters.connect();
    await deadLetters.subscribe({ topic: 'message.dead_lettered', fromBeginning: true });
    await deadLetters.run({
      eachMessage: async ({ message }: { message: KafkaMessage }) => {
        const event = JSON.parse(message.value!.toString()) as { payload: (typeof deadLettered)[number] };
        deadLettered.push(event.payload);
      },
    });
  },
  beforeClose: async () => {
    await deadLetters?.disconnect();
  },
});

const twilioSends = (to: string) => system.standIns.twilio.requests().filter((r) => r.path.endsWith('/Messages.json') && r.recipient === to);
const ORDER = ['QUEUED', 'SENDING', 'SENT', 'DELIVERED', 'READ'];

it.each([
  ['a 503', { type: 'server-error', status: 503 } as const, 503],
  ['a 429 rate limit', { type: 'rate-limit' } as const, 429],
])('%s from Twilio is retried, then the message is delivered', async (_name, fault, status) => {
  const to = phoneNumber();
  system.standIns.twilio.behaviour.add({ recipient: to, times: 2, fault });
  const queued = await send(system, owner, { channel: 'SMS', senderId: sender.id, to, body: 'Retry me' });

  const delivered = await waitForStatus(system, owner, queued.id, 'DELIVERED');
  expect(twilioSends(to).map((r) => r.status)).toEqual([status, status, 201]);
  expect(delivered.attempts).toBe(3);
  expect(historyOf(delivered)).toEqual(['QUEUED', 'SENDING', 'SENT', 'DELIVERED']);
  expect(delivered.errorCode).toBeNull();
});

it('a permanent refusal fails the message with the reason, once, and dead-letters it', async () => {
  const to = phoneNumber();
  system.standIns.twilio.behaviour.add({ recipient: to, fault: { type: 'permanent', code: 21211 } });
  const queued = await send(system, owner, { channel: 'SMS', senderId: sender.id, to, body: 'Nobody home' });

  const failed = await waitForStatus(system, owner, queued.id, 'FAILED');
  expect(failed.errorCode).toBe('21211');
  expect(failed.errorReason).toMatch(/not a valid phone number/u);
  expect(failed.errorReason).not.toContain(to);
  expect(historyOf(failed)).toEqual(['QUEUED', 'SENDING', 'FAILED']);
  expect(twilioSends(to)).toHaveLength(1);
  const deadLetter = await waitFor(() => deadLettered.find((event) => event.messageId === queued.id), 'the dead-letter event');
  expect(deadLetter).toMatchObject({ errorCode: '21211', attempts: 1, reason: expect.stringMatching(/not a valid phone number/u) });
});

it('duplicated and reversed callbacks never move a message backwards', async () => {
  const to = phoneNumber();
  const watcher = await subscribe(system, owner.accessToken, STATUS_SUBSCRIPTION);
  subscribers.push(watcher);
  system.standIns.twilio.behaviour.add({ recipient: to, times: 1, callbacks: { duplicate: true, order: 'reverse' } });
  const queued = await send(system, owner, { channel: 'SMS', senderId: sender.id, to, body: 'Out of order' });

  await waitForStatus(system, owner, queued.id, 'DELIVERED');
  await system.standIns.settled();
  const played = system.standIns.twilio
    .callbacks()
    .filter((c) => (c.payload as { To: string }).To === to)
    .map((c) => (c.payload as { MessageStatus: string }).MessageStatus);
  expect(played).toEqual(['delivered', 'delivered', 'sent', 'sent', 'sending', 'sending']);

  await pause(300);
  const message = await getMessage(system, owner, queued.id);
  expect(message.status).toBe('DELIVERED');
  const history = historyOf(message);
  expect(history[0]).toBe('QUEUED');
  expect(history.at(-1)).toBe('DELIVERED');
  // Strictly forward: no status twice, none after a later one.
  expect(history.map((status) => ORDER.indexOf(status))).toEqual([...new Set(history.map((status) => ORDER.indexOf(status)))].sort((a, b) => a - b));
  const seen = statusesSeen(watcher, queued.id);
  expect(seen.at(-1)).toBe('DELIVERED');
  expect(seen).toEqual(history.slice(1));
});

describe('forged webhooks', () => {
  let messageId: string;
  let providerId: string;

  beforeAll(async () => {
    const queued = await send(system, owner, { channel: 'SMS', senderId: sender.id, to: phoneNumber(), body: 'Signed only' });
    const delivered = await waitForStatus(system, owner, queued.id, 'DELIVERED');
    messageId = queued.id;
    providerId = delivered.providerMessageId;
  });

  const twilioForm = () => ({
    MessageSid: providerId,
    SmsSid: providerId,
    MessageStatus: 'undelivered',
    ErrorCode: '30003',
    AccountSid: system.standIns.twilio.accountSid,
    From: sender.address,
    To: '+14155550000',
    ApiVersion: '2010-04-01',
  });
  /** Twilio's scheme: base64(HMAC-SHA1(auth token, URL + sorted name/value pairs)). */
  const twilioSignature = (token: string, url: string, params: Record<string, string>) =>
    createHmac('sha1', token)
      .update(url + Object.keys(params).sort().map((key) => key + params[key]).join(''))
      .digest('base64');
  const post = (path: string, body: string, headers: Record<string, string>) =>
    fetch(`${system.baseUrl}${path}`, { method: 'POST', headers, body });

  it.each([
    ['no signature', () => ({})],
    ['a signature made with another token', () => ({ 'x-twilio-signature': twilioSignature('not-the-auth-token', `${system.providers.webhookPublicUrl}/webhooks/twilio/status`, twilioForm()) })],
    [
      'the right token over another URL than the public one',
      () => ({ 'x-twilio-signature': twilioSignature(system.standIns.twilio.authToken, 'https://attacker.example/webhooks/twilio/status', twilioForm()) }),
    ],
  ])('a Twilio status callback with %s is 403 and changes nothing', async (_name, signature) => {
    const params = twilioForm();
    const response = await post('/webhooks/twilio/status', new URLSearchParams(params).toString(), {
      'content-type': 'application/x-www-form-urlencoded',
      ...signature(),
    });
    expect(response.status).toBe(403);
    const message = await getMessage(system, owner, messageId);
    expect(message.status).toBe('DELIVERED');
    expect(historyOf(message)).not.toContain('UNDELIVERED');
  });

  it('the same callback signed over the public URL is accepted (and, DELIVERED being later, changes nothing either)', async () => {
    const params = twilioForm();
    const url = `${system.providers.webhookPublicUrl}/webhooks/twilio/status`;
    const response = await post('/webhooks/twilio/status', new URLSearchParams(params).toString(), {
      'content-type': 'application/x-www-form-urlencoded',
      'x-twilio-signature': twilioSignature(system.standIns.twilio.authToken, url, params),
    });
    expect(response.status).toBe(200);
    expect((await getMessage(system, owner, messageId)).status).toBe('DELIVERED');
  });

  it('a WhatsApp webhook whose body does not match its signature is 403 and records nothing', async () => {
    const body = JSON.stringify({
      object: 'whatsapp_business_account',
      entry: [
        {
          id: system.standIns.whatsapp.wabaId,
          changes: [
            {
              field: 'messages',
              value: {
                messaging_product: 'whatsapp',
                metadata: { phone_number_id: system.standIns.whatsapp.phoneNumberId, display_phone_number: system.standIns.whatsapp.displayPhoneNumber },
                messages: [{ from: '447911123456', id: `wamid.forged${Date.now()}`, timestamp: String(Math.floor(Date.now() / 1000)), type: 'text', text: { body: 'forged' } }],
              },
            },
          ],
        },
      ],
    });
    const signedOther = createHmac('sha256', system.standIns.whatsapp.appSecret).update(`${body} `).digest('hex');
    const response = await post('/webhooks/whatsapp', body, { 'content-type': 'application/json', 'x-hub-signature-256': `sha256=${signedOther}` });
    expect(response.status).toBe(403);
    const inbound = await system.graphql('{ messages(filter: { direction: INBOUND }) { edges { node { id } } } }', undefined, { token: owner.accessToken });
    expect(inbound.data.messages.edges).toEqual([]);
  });
});
