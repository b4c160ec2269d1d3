import { randomBytes, randomUUID } from 'node:crypto';
import twilio from 'twilio';
import {
  DEV_CREDENTIALS,
  StandInTwilioRequestClient,
  performWebhookHandshake,
  signPayload,
  startProviderStandIns,
  type ProviderStandIns,
} from '@switchboard/provider-stand-ins';
import { CREATE_SENDER, MESSAGE, SEND, contactEvent, encodeOutboxLikeTheRelay, expectError, startMessagingSubgraph, type MessagingHarness } from './harness';

const VERIFY_TOKEN = 'whatsapp-verify-token-for-tests';
const SMS_NUMBER = DEV_CREDENTIALS.twilio.phoneNumbers[0];
const WA = DEV_CREDENTIALS.whatsapp;
const WA_NUMBER = `+${WA.displayPhoneNumber}`;

let h: MessagingHarness;
let standIns: ProviderStandIns;
let org: ReturnType<MessagingHarness['organization']>;
let smsSender: string;
let waSender: string;

const sid = () => `SM${randomBytes(16).toString('hex')}`;
const wamid = () => `wamid.${randomBytes(12).toString('base64url')}`;

async function post(path: string, body: string, headers: Record<string, string>) {
  const response = await fetch(`${h.origin}${path}`, { method: 'POST', headers, body });
  return { status: response.status, text: await response.text() };
}

/** A status callback exactly as Twilio signs it (the SDK's own signing function). */
function twilioForm(path: string, params: Record<string, string>, token: string = DEV_CREDENTIALS.twilio.authToken) {
  const signature = twilio.getExpectedTwilioSignature(token, `${h.origin}${path}`, params);
  return { body: new URLSearchParams(params).toString(), headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature } };
}

function statusParams(messageSid: string, status: string, extra: Record<string, string> = {}) {
  return { MessageSid: messageSid, SmsSid: messageSid, MessageStatus: status, SmsStatus: status, AccountSid: DEV_CREDENTIALS.twilio.accountSid, From: SMS_NUMBER, To: '+447911123456', ApiVersion: '2010-04-01', ...extra };
}

/** A WhatsApp webhook as Meta signs it. */
function whatsappPost(value: Record<string, unknown>, field = 'messages', secret: string = WA.appSecret) {
  const raw = JSON.stringify({ object: 'whatsapp_business_account', entry: [{ id: WA.wabaId, changes: [{ field, value }] }] });
  return post('/webhooks/whatsapp', raw, { 'content-type': 'application/json', 'x-hub-signature-256': signPayload(secret, raw) });
}

const metadata = { display_phone_number: WA.displayPhoneNumber, phone_number_id: WA.phoneNumberId };

async function queuedSms(to = '+447911123456') {
  const result = await h.graphql(SEND, { input: { channel: 'SMS', to, senderId: smsSender, body: 'hello' } }, org.agent);
  if (!result.data) throw new Error(JSON.stringify(result.errors));
  return result.data.sendMessage.message.id as string;
}

/** What the channel worker reports once the provider accepted the message (the status consumer's path). */
function workerSent(messageId: string, providerMessageId: string) {
  return h.runtime.services.statuses.apply({
    organizationId: org.id,
    messageId,
    status: 'SENT',
    at: new Date(),
    source: 'WORKER',
    providerMessageId,
    errorCode: null,
    errorReason: null,
    eventId: randomUUID(),
    traceId: null,
  });
}

async function messageOf(id: string) {
  return (await h.graphql(MESSAGE, { id }, org.viewer)).data!.message;
}

const statusEvents = (messageId: string) =>
  h.prisma.messagingOutboxEvent.findMany({ where: { type: 'message.status_changed', payload: { path: ['messageId'], equals: messageId } }, orderBy: { createdAt: 'asc' } });

beforeAll(async () => {
  h = await startMessagingSubgraph({
    twilio: { accountSid: DEV_CREDENTIALS.twilio.accountSid, authToken: DEV_CREDENTIALS.twilio.authToken },
    whatsapp: { appSecret: WA.appSecret, verifyToken: VERIFY_TOKEN },
  });
  standIns = await startProviderStandIns({
    twilio: { inboundWebhookUrl: `${h.origin}/webhooks/twilio/inbound`, callbackDelayMs: 20 },
    whatsapp: { webhookUrl: `${h.origin}/webhooks/whatsapp`, callbackDelayMs: 20 },
  });
  org = h.organization();
  const sms = await h.graphql(
    CREATE_SENDER,
    { input: { name: 'SMS', kind: 'SMS_NUMBER', address: SMS_NUMBER, credentials: { twilio: { accountSid: DEV_CREDENTIALS.twilio.accountSid, authToken: DEV_CREDENTIALS.twilio.authToken } } } },
    org.admin,
  );
  smsSender = sms.data!.createSender.id;
  const wa = await h.graphql(
    CREATE_SENDER,
    { input: { name: 'WA', kind: 'WHATSAPP_NUMBER', address: WA_NUMBER, phoneNumberId: WA.phoneNumberId, businessAccountId: WA.wabaId, credentials: { whatsapp: { accessToken: WA.token } } } },
    org.admin,
  );
  waSender = wa.data!.createSender.id;
});

afterAll(async () => {
  await standIns?.close();
  await h?.close();
});

describe('Twilio status callbacks', () => {
  it('a signed callback moves the message forward; forged, unsigned or altered ones get 403 and change nothing', async () => {
    const messageId = await queuedSms();
    const providerId = sid();
    await workerSent(messageId, providerId);
    const path = '/webhooks/twilio/status';
    const before = { message: await messageOf(messageId), outbox: await h.prisma.messagingOutboxEvent.count() };

    const forged = twilioForm(path, statusParams(providerId, 'delivered'), 'not-the-auth-token');
    expect((await post(path, forged.body, forged.headers)).status).toBe(403);
    const valid = twilioForm(path, statusParams(providerId, 'delivered'));
    expect((await post(path, valid.body, { 'content-type': valid.headers['content-type'] })).status).toBe(403);
    const altered = twilioForm(path, statusParams(providerId, 'failed'));
    expect((await post(path, valid.body.replace('delivered', 'undelivered'), altered.headers)).status).toBe(403);
    expect(await messageOf(messageId)).toEqual(before.message);
    expect(await h.prisma.messagingOutboxEvent.count()).toBe(before.outbox);

    expect((await post(path, valid.body, valid.headers)).status).toBe(200);
    const after = await messageOf(messageId);
    expect(after.status).toBe('DELIVERED');
    expect(after.statusHistory.map((e: { status: string; source: string }) => `${e.status}:${e.source}`)).toEqual(['QUEUED:API', 'SENT:WORKER', 'DELIVERED:WEBHOOK']);
    const events = await statusEvents(messageId);
    expect(events.map((e) => e.payload)).toEqual([
      expect.objectContaining({ status: 'SENT', previousStatus: 'QUEUED', providerMessageId: providerId }),
      expect.objectContaining({ status: 'DELIVERED', previousStatus: 'SENT', senderId: smsSender, conversationKey: `${smsSender}:+447911123456` }),
    ]);
  });

  it('duplicates and out-of-order callbacks never move a message backwards', async () => {
    const messageId = await queuedSms();
    const providerId = sid();
    await workerSent(messageId, providerId);
    const path = '/webhooks/twilio/status';
    for (const status of ['read', 'delivered', 'sent', 'delivered', 'read', 'failed', 'sending', 'queued']) {
      const form = twilioForm(path, statusParams(providerId, status));
      expect((await post(path, form.body, form.headers)).status).toBe(200);
    }
    const message = await messageOf(messageId);
    expect(message.status).toBe('READ');
    expect(message.statusHistory.map((e: { status: string; source: string }) => `${e.status}:${e.source}`)).toEqual([
      'QUEUED:API',
      'SENT:WORKER',
      'DELIVERED:SYSTEM',
      'READ:WEBHOOK',
    ]);
    expect((await statusEvents(messageId)).map((e) => (e.payload as { status: string }).status)).toEqual(['SENT', 'READ']);
  });

  it('a callback that overtakes the worker’s report is kept and applied once the provider id is known', async () => {
    const messageId = await queuedSms();
    const providerId = sid();
    const path = '/webhooks/twilio/status';
    for (const status of ['delivered', 'sent']) {
      const form = twilioForm(path, statusParams(providerId, status));
      expect((await post(path, form.body, form.headers)).status).toBe(200);
    }
    expect((await messageOf(messageId)).status).toBe('QUEUED');
    expect(await h.prisma.pendingProviderStatus.count({ where: { providerMessageId: providerId } })).toBe(2);

    await workerSent(messageId, providerId);
    const message = await messageOf(messageId);
    expect(message).toMatchObject({ status: 'DELIVERED', providerMessageId: providerId });
    expect(message.statusHistory.map((e: { status: string }) => e.status)).toEqual(['QUEUED', 'SENT', 'DELIVERED']);
    expect(await h.prisma.pendingProviderStatus.count({ where: { providerMessageId: providerId } })).toBe(0);
  });

  it('a failure carries the provider’s error code', async () => {
    const messageId = await queuedSms();
    const providerId = sid();
    const path = `/webhooks/twilio/status?messageId=${messageId}`;
    const form = twilioForm(path, statusParams(providerId, 'undelivered', { ErrorCode: '30003', ErrorMessage: 'Unreachable destination handset' }));
    expect((await post(path, form.body, form.headers)).status).toBe(200);
    // The signed URL named the message: applied at once, and the provider id recorded.
    expect(await messageOf(messageId)).toMatchObject({ status: 'UNDELIVERED', errorCode: '30003', errorReason: 'Unreachable destination handset', providerMessageId: providerId });
  });

  it('end to end with the real twilio SDK and the stand-in’s signed callbacks', async () => {
    const messageId = await queuedSms('+447911123401');
    const client = twilio(DEV_CREDENTIALS.twilio.accountSid, DEV_CREDENTIALS.twilio.authToken, { httpClient: new StandInTwilioRequestClient(standIns.twilio.url) });
    const sent = await client.messages.create({ to: '+447911123401', from: SMS_NUMBER, body: 'hello', statusCallback: `${h.origin}/webhooks/twilio/status` });
    await workerSent(messageId, sent.sid);
    await standIns.twilio.settled();
    expect(standIns.twilio.callbacks().filter((c) => (c.payload as Record<string, string>).MessageSid === sent.sid).every((c) => c.status === 200)).toBe(true);
    expect(await messageOf(messageId)).toMatchObject({ status: 'DELIVERED', providerMessageId: sent.sid });
  });
});

describe('Twilio inbound messages', () => {
  const INBOUND = '/webhooks/twilio/inbound';

  it('stores an inbound SMS once, linked to the contact, and publishes message.received', async () => {
    const contact = contactEvent(org.id, { phone: '+447911123402', whatsappId: null });
    await h.runtime.services.projections.applyContactChanged(contact);
    const result = await standIns.twilio.simulateInbound({ from: '+447911123402', to: SMS_NUMBER, body: 'Where is my order?' });
    expect(result.status).toBe(200);
    expect(result.body).toContain('<Response');
    // Twilio retries: the same webhook again stores nothing new.
    const again = twilioForm(INBOUND, result.params);
    expect((await post(INBOUND, again.body, again.headers)).status).toBe(200);

    const stored = await h.prisma.message.findMany({ where: { providerMessageId: result.messageSid } });
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({ direction: 'INBOUND', status: 'DELIVERED', contactId: contact.payload.contactId, fromAddress: '+447911123402', toAddress: SMS_NUMBER, body: 'Where is my order?' });
    const events = await h.prisma.messagingOutboxEvent.findMany({ where: { type: 'message.received', payload: { path: ['providerMessageId'], equals: result.messageSid } } });
    expect(events).toHaveLength(1);
    expect(events[0]!.payload).toMatchObject({ messageId: stored[0]!.id, contactId: contact.payload.contactId, from: '+447911123402', channel: 'SMS', senderId: smsSender, consentChange: null });
  });

  it('an unknown address is published with contactId null (the contact subgraph creates the contact)', async () => {
    const result = await standIns.twilio.simulateInbound({ from: '+447911123403', to: SMS_NUMBER, body: 'Hi, new here' });
    const event = await h.prisma.messagingOutboxEvent.findFirstOrThrow({ where: { type: 'message.received', payload: { path: ['providerMessageId'], equals: result.messageSid } } });
    expect(event.payload).toMatchObject({ contactId: null, from: '+447911123403' });
  });

  it('a forged inbound webhook gets 403 and stores nothing', async () => {
    const params = { MessageSid: sid(), From: '+447911123404', To: SMS_NUMBER, Body: 'STOP', AccountSid: DEV_CREDENTIALS.twilio.accountSid, NumMedia: '0' };
    const forged = twilioForm(INBOUND, params, 'guessed-token');
    expect((await post(INBOUND, forged.body, forged.headers)).status).toBe(403);
    expect(await h.prisma.message.count({ where: { providerMessageId: params.MessageSid } })).toBe(0);
    expect(await h.prisma.messagingAddressConsent.count({ where: { address: '+447911123404' } })).toBe(0);
  });

  it('STOP opts the contact out at once (the next send is refused) and START opts back in', async () => {
    const contact = contactEvent(org.id, { phone: '+447911123405', whatsappId: null, consent: { email: 'UNKNOWN', sms: 'OPTED_IN', whatsapp: 'UNKNOWN' } });
    await h.runtime.services.projections.applyContactChanged(contact);
    const contactId = contact.payload.contactId;
    const send = () => h.graphql(SEND, { input: { channel: 'SMS', contactId, senderId: smsSender, body: 'Promo' } }, org.agent);
    expect((await send()).data!.sendMessage.message.status).toBe('QUEUED');

    const stop = await standIns.twilio.simulateInbound({ from: '+447911123405', to: SMS_NUMBER, body: 'stop' });
    expect(stop.status).toBe(200);
    expectError(await send(), 'OPTED_OUT');
    const event = await h.prisma.messagingOutboxEvent.findFirstOrThrow({ where: { type: 'message.received', payload: { path: ['providerMessageId'], equals: stop.messageSid } } });
    expect(event.payload).toMatchObject({ contactId, consentChange: { channel: 'SMS', status: 'OPTED_OUT', keyword: 'STOP' } });

    // An older contact.changed arriving late does not undo the STOP.
    const late = contactEvent(org.id, { id: contactId, phone: '+447911123405', whatsappId: null, consent: { email: 'UNKNOWN', sms: 'OPTED_IN', whatsapp: 'UNKNOWN' }, updatedAt: new Date(Date.now() - 60_000).toISOString() }, 'UPDATED');
    await h.runtime.services.projections.applyContactChanged(late);
    expectError(await send(), 'OPTED_OUT');

    await standIns.twilio.simulateInbound({ from: '+447911123405', to: SMS_NUMBER, body: 'START' });
    expect((await send()).data!.sendMessage.message.status).toBe('QUEUED');
  });

  it('STOP from an address no contact has yet still refuses sends to that address', async () => {
    await standIns.twilio.simulateInbound({ from: '+447911123406', to: SMS_NUMBER, body: 'UNSUBSCRIBE' });
    expectError(await h.graphql(SEND, { input: { channel: 'SMS', to: '+447911123406', senderId: smsSender, body: 'Promo' } }, org.agent), 'OPTED_OUT');
  });
});

describe('WhatsApp Cloud API webhooks', () => {
  it('answers the subscription handshake with the right verify token only', async () => {
    const ok = await performWebhookHandshake(`${h.origin}/webhooks/whatsapp`, VERIFY_TOKEN);
    expect(ok).toMatchObject({ status: 200, verified: true });
    const wrong = await performWebhookHandshake(`${h.origin}/webhooks/whatsapp`, 'not-it');
    expect(wrong.status).toBe(403);
  });

  it('an inbound message (signed by the stand-in) opens the 24-hour window for free-form replies', async () => {
    const to = '+447911123410';
    const reply = () => h.graphql(SEND, { input: { channel: 'WHATSAPP', to, senderId: waSender, body: 'Thanks for writing!' } }, org.agent);
    expectError(await reply(), 'WINDOW_CLOSED');
    const inbound = await standIns.whatsapp.simulateInbound({ from: to.slice(1), body: 'Hello?' });
    expect(inbound.webhook.status).toBe(200);
    expect(await h.prisma.message.count({ where: { providerMessageId: inbound.messageId, direction: 'INBOUND', channel: 'WHATSAPP' } })).toBe(1);
    const sent = await reply();
    expect(sent.errors).toBeUndefined();
    const request = await h.prisma.messagingOutboxEvent.findFirstOrThrow({ where: { payload: { path: ['messageId'], equals: sent.data!.sendMessage.message.id } } });
    expect(request.payload).toMatchObject({ phoneNumberId: WA.phoneNumberId, content: { kind: 'text', body: 'Thanks for writing!', previewUrl: false } });
  });

  it('the window is closed 24 hours after the contact’s last message', async () => {
    const send = (to: string) => h.graphql(SEND, { input: { channel: 'WHATSAPP', to, senderId: waSender, body: 'Hi' } }, org.agent);
    const old = Math.floor((Date.now() - 25 * 3600 * 1000) / 1000);
    const recent = Math.floor((Date.now() - 23 * 3600 * 1000) / 1000);
    const inbound = (from: string, timestamp: number) => ({
      messaging_product: 'whatsapp',
      metadata,
      contacts: [{ profile: { name: 'X' }, wa_id: from }],
      messages: [{ from, id: wamid(), timestamp: String(timestamp), type: 'text', text: { body: 'hi' } }],
    });
    expect((await whatsappPost(inbound('447911123411', old))).status).toBe(200);
    expect((await whatsappPost(inbound('447911123412', recent))).status).toBe(200);
    const closed = expectError(await send('+447911123411'), 'WINDOW_CLOSED');
    expect(closed.extensions!.closedAt).toEqual(new Date((old + 24 * 3600) * 1000).toISOString());
    expect((await send('+447911123412')).data!.sendMessage.message.status).toBe('QUEUED');
  });

  it('statuses: batched, duplicated and unordered reports end at the furthest status; forged or re-serialised bodies get 403', async () => {
    const inbound = await standIns.whatsapp.simulateInbound({ from: '447911123413', body: 'hi' });
    expect(inbound.webhook.status).toBe(200);
    const sent = await h.graphql(SEND, { input: { channel: 'WHATSAPP', to: '+447911123413', senderId: waSender, body: 'Reply' } }, org.agent);
    const messageId = sent.data!.sendMessage.message.id;
    const providerId = wamid();
    await h.runtime.services.statuses.apply({ organizationId: org.id, messageId, status: 'SENT', at: new Date(), source: 'WORKER', providerMessageId: providerId, errorCode: null, errorReason: null, eventId: randomUUID(), traceId: null });
    const now = Math.floor(Date.now() / 1000);
    const status = (s: string) => ({ id: providerId, status: s, timestamp: String(now), recipient_id: '447911123413' });
    const value = { messaging_product: 'whatsapp', metadata, statuses: [status('read'), status('sent'), status('read'), status('delivered')] };

    expect((await whatsappPost(value, 'messages', 'wrong-app-secret')).status).toBe(403);
    const raw = JSON.stringify({ object: 'whatsapp_business_account', entry: [{ id: WA.wabaId, changes: [{ field: 'messages', value }] }] });
    const reserialised = JSON.stringify(JSON.parse(raw), null, 2);
    expect((await post('/webhooks/whatsapp', reserialised, { 'content-type': 'application/json', 'x-hub-signature-256': signPayload(WA.appSecret, raw) })).status).toBe(403);
    expect((await post('/webhooks/whatsapp', raw, { 'content-type': 'application/json' })).status).toBe(403);
    expect((await messageOf(messageId)).status).toBe('SENT');

    expect((await whatsappPost(value)).status).toBe(200);
    expect((await whatsappPost(value)).status).toBe(200);
    const message = await messageOf(messageId);
    expect(message.status).toBe('READ');
    expect(message.statusHistory.map((e: { status: string; source: string }) => `${e.status}:${e.source}`)).toEqual(['QUEUED:API', 'SENT:WORKER', 'DELIVERED:SYSTEM', 'READ:WEBHOOK']);
  });

  it('a failed status records WhatsApp’s error', async () => {
    const messageId = await h.graphql(SEND, { input: { channel: 'WHATSAPP', to: '+447911123413', senderId: waSender, body: 'Again' } }, org.agent).then((r) => r.data!.sendMessage.message.id);
    const providerId = wamid();
    await h.runtime.services.statuses.apply({ organizationId: org.id, messageId, status: 'SENT', at: new Date(), source: 'WORKER', providerMessageId: providerId, errorCode: null, errorReason: null, eventId: randomUUID(), traceId: null });
    const failed = { id: providerId, status: 'failed', timestamp: String(Math.floor(Date.now() / 1000)), recipient_id: '447911123413', errors: [{ code: 131047, title: 'Re-engagement message' }] };
    expect((await whatsappPost({ messaging_product: 'whatsapp', metadata, statuses: [failed] })).status).toBe(200);
    expect(await messageOf(messageId)).toMatchObject({ status: 'FAILED', errorCode: '131047', errorReason: 'Re-engagement message' });
  });

  it('a template status update is published as template.status_changed to the organization of the business account', async () => {
    const result = await standIns.whatsapp.simulateTemplateStatus({ name: 'order_update', language: 'en_US', event: 'APPROVED' });
    expect(result.status).toBe(200);
    const rejected = await standIns.whatsapp.simulateTemplateStatus({ name: 'promo', language: 'en_US', event: 'REJECTED', reason: 'INVALID_FORMAT' });
    expect(rejected.status).toBe(200);
    const events = await h.prisma.messagingOutboxEvent.findMany({ where: { type: 'template.status_changed' }, orderBy: { createdAt: 'asc' } });
    expect(events.map((e) => [e.organizationId, e.payload])).toEqual([
      [org.id, expect.objectContaining({ businessAccountId: WA.wabaId, name: 'order_update', language: 'en_US', event: 'APPROVED', status: 'APPROVED', reason: null })],
      [org.id, expect.objectContaining({ name: 'promo', event: 'REJECTED', status: 'REJECTED', reason: 'INVALID_FORMAT' })],
    ]);
  });
});

describe('the outbox rows', () => {
  it('all match the event catalog as the relay publishes them', async () => {
    const topics = new Set((await encodeOutboxLikeTheRelay(h.prisma)).map((e) => e.topic));
    for (const topic of ['message.status_changed', 'message.received', 'template.status_changed', 'message.requested.sms', 'message.requested.whatsapp']) {
      expect(topics).toContain(topic);
    }
  });
});
