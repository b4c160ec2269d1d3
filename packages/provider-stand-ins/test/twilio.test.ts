// The real twilio SDK against the Twilio stand-in: sends, signed status callbacks, errors the SDK
// surfaces as RestException, inbound webhooks, and buying numbers.
import twilio from 'twilio';
import { StandInTwilioRequestClient, startTwilioStandIn, type TwilioStandIn } from '../src';
import { ACCOUNT_SID, AUTH_TOKEN, startReceiver, type Receiver } from './helpers';

const FROM = '+14155550100';
const TO = '+14155550142';

let standIn: TwilioStandIn;
let receiver: Receiver;
let client: twilio.Twilio;

function sdk(accountSid = ACCOUNT_SID, authToken = AUTH_TOKEN, timeout?: number): twilio.Twilio {
  return twilio(accountSid, authToken, {
    httpClient: new StandInTwilioRequestClient(standIn.url, timeout === undefined ? undefined : { timeout }),
  });
}

/** The SDK's RestException (status + Twilio code) for a rejected call. */
async function restError(promise: Promise<unknown>): Promise<{ status: number; code: number; message: string }> {
  try {
    await promise;
  } catch (error) {
    const { status, code, message } = error as { status: number; code: number; message: string };
    expect(error).toBeInstanceOf(twilio.RestException);
    return { status, code, message };
  }
  throw new Error('expected the SDK to reject');
}

const statusCallbacksFor = (sid: string) => (request: { form: Record<string, string> }) => request.form.MessageSid === sid && request.form.MessageStatus !== undefined;

beforeAll(async () => {
  receiver = await startReceiver();
  standIn = await startTwilioStandIn({
    accountSid: ACCOUNT_SID,
    authToken: AUTH_TOKEN,
    callbackDelayMs: 20,
    phoneNumbers: [FROM],
    inboundWebhookUrl: `${receiver.url}/twilio/inbound`,
  });
  client = sdk();
});

afterAll(async () => {
  await standIn.close();
  await receiver.close();
});

afterEach(() => {
  standIn.behaviour.clear();
});

describe('sending', () => {
  it('answers 201 with a queued Message and posts signed sending → sent → delivered callbacks (none for queued)', async () => {
    const statusCallback = `${receiver.url}/twilio/status?tenant=acme`;
    const message = await client.messages.create({ to: TO, from: FROM, body: 'Hello from Switchboard', statusCallback });

    expect(message.sid).toMatch(/^SM[0-9a-f]{32}$/);
    expect(message.status).toBe('queued');
    expect(message.numSegments).toBe('1');
    expect(message.numMedia).toBe('0');
    expect(message.accountSid).toBe(ACCOUNT_SID);
    expect(message.direction).toBe('outbound-api');
    expect(message.dateCreated).toBeInstanceOf(Date);
    expect(Number.isNaN(message.dateCreated.getTime())).toBe(false);

    const callbacks = await receiver.waitFor(statusCallbacksFor(message.sid), 3);
    expect(callbacks.map((c) => c.form.MessageStatus)).toEqual(['sending', 'sent', 'delivered']);
    for (const callback of callbacks) {
      expect(callback.url).toBe('/twilio/status?tenant=acme');
      expect(callback.form).toMatchObject({ MessageSid: message.sid, AccountSid: ACCOUNT_SID, From: FROM, To: TO, ApiVersion: '2010-04-01' });
      const signature = callback.headers['x-twilio-signature'] as string;
      expect(twilio.validateRequest(AUTH_TOKEN, signature, callback.fullUrl, callback.form)).toBe(true);
      // A tampered parameter or another token does not verify.
      expect(twilio.validateRequest(AUTH_TOKEN, signature, callback.fullUrl, { ...callback.form, MessageStatus: 'failed' })).toBe(false);
      expect(twilio.validateRequest('another-token', signature, callback.fullUrl, callback.form)).toBe(false);
    }
    await standIn.settled();
    const fetched = await client.messages(message.sid).fetch();
    expect(fetched.status).toBe('delivered');
    expect(fetched.dateSent).toBeInstanceOf(Date);
    expect(fetched.body).toBe('Hello from Switchboard');
  });

  it('counts segments like Twilio (GSM-7 153 per part, UCS-2 67) and keeps MMS media', async () => {
    const long = await client.messages.create({ to: TO, from: FROM, body: 'a'.repeat(161) });
    expect(long.numSegments).toBe('2');
    const unicode = await client.messages.create({ to: TO, from: FROM, body: '👍'.repeat(36) }); // 72 UTF-16 units
    expect(unicode.numSegments).toBe('2');
    const mms = await client.messages.create({
      to: TO,
      from: FROM,
      mediaUrl: ['https://example.com/a.jpg', 'https://example.com/b.png'],
    });
    expect(mms.sid).toMatch(/^MM[0-9a-f]{32}$/);
    expect(mms.numMedia).toBe('2');
    expect(standIn.message(mms.sid)?.mediaUrls).toEqual(['https://example.com/a.jpg', 'https://example.com/b.png']);
  });

  it('starts a Messaging Service send as accepted, then posts queued → … → delivered with the sender it picked', async () => {
    const messagingServiceSid = `MG${'a1'.repeat(16)}`;
    const message = await client.messages.create({
      to: TO,
      messagingServiceSid,
      body: 'via service',
      statusCallback: `${receiver.url}/twilio/status`,
    });
    expect(message.status).toBe('accepted');
    expect(message.from).toBeNull();
    const callbacks = await receiver.waitFor(statusCallbacksFor(message.sid), 4);
    expect(callbacks.map((c) => c.form.MessageStatus)).toEqual(['queued', 'sending', 'sent', 'delivered']);
    expect(callbacks.every((c) => c.form.MessagingServiceSid === messagingServiceSid && c.form.From === FROM)).toBe(true);
  });

  it('adds read for WhatsApp addresses and sends approved templates by ContentSid', async () => {
    const message = await client.messages.create({
      to: `whatsapp:${TO}`,
      from: `whatsapp:${FROM}`,
      contentSid: `HX${'b2'.repeat(16)}`,
      contentVariables: JSON.stringify({ 1: 'Ada' }),
      statusCallback: `${receiver.url}/twilio/status`,
    });
    const callbacks = await receiver.waitFor(statusCallbacksFor(message.sid), 4);
    expect(callbacks.map((c) => c.form.MessageStatus)).toEqual(['sending', 'sent', 'delivered', 'read']);
    expect(callbacks[0]!.form).toMatchObject({ ChannelPrefix: 'whatsapp', To: `whatsapp:${TO}` });
    expect(standIn.message(message.sid)?.contentVariables).toEqual({ 1: 'Ada' });
  });
});

describe('errors the SDK surfaces as RestException', () => {
  it('refuses a wrong auth token with 401 / 20003', async () => {
    const wrong = sdk(ACCOUNT_SID, 'not-the-token');
    const error = await restError(wrong.messages.create({ to: TO, from: FROM, body: 'x' }));
    expect(error).toMatchObject({ status: 401, code: 20003, message: 'Authenticate' });
    expect(standIn.requests().at(-1)).toMatchObject({ status: 401, code: 20003 });
  });

  it('validates the send like Twilio: 21211 invalid To, 21619 no content, 21910 channel mismatch, 21656 bad ContentVariables', async () => {
    expect(await restError(client.messages.create({ to: '555-CALL-NOW', from: FROM, body: 'x' }))).toMatchObject({ status: 400, code: 21211 });
    expect(await restError(client.messages.create({ to: TO, from: FROM }))).toMatchObject({ status: 400, code: 21619 });
    expect(await restError(client.messages.create({ to: `whatsapp:${TO}`, from: FROM, body: 'x' }))).toMatchObject({ status: 400, code: 21910 });
    expect(
      await restError(client.messages.create({ to: TO, from: FROM, contentSid: `HX${'c3'.repeat(16)}`, contentVariables: 'not json' })),
    ).toMatchObject({ status: 400, code: 21656 });
    expect(await restError(client.messages('SM00000000000000000000000000000000').fetch())).toMatchObject({ status: 404, code: 20404 });
  });

  it('rate-limits one recipient for the next N sends: 429 / 20429, then sends again', async () => {
    standIn.behaviour.add({ recipient: TO, times: 2, fault: { type: 'rate-limit' } });
    const other = await client.messages.create({ to: '+14155550143', from: FROM, body: 'other recipient' });
    expect(other.status).toBe('queued');
    expect(await restError(client.messages.create({ to: TO, from: FROM, body: '1' }))).toMatchObject({ status: 429, code: 20429 });
    expect(await restError(client.messages.create({ to: TO, from: FROM, body: '2' }))).toMatchObject({ status: 429, code: 20429 });
    const third = await client.messages.create({ to: TO, from: FROM, body: '3' });
    expect(third.status).toBe('queued');
    expect(standIn.requests().filter((r) => r.fault === 'rate-limit')).toHaveLength(2);
  });

  it('answers 5xx (20500 / 20503) and permanent errors (21610 unsubscribed, or a chosen code)', async () => {
    standIn.behaviour.add({ times: 1, fault: { type: 'server-error', status: 503 } });
    expect(await restError(client.messages.create({ to: TO, from: FROM, body: 'x' }))).toMatchObject({ status: 503, code: 20503 });
    standIn.behaviour.add({ times: 1, fault: { type: 'server-error' } });
    expect(await restError(client.messages.create({ to: TO, from: FROM, body: 'x' }))).toMatchObject({ status: 500, code: 20500 });
    standIn.behaviour.add({ recipient: TO, fault: { type: 'permanent' } });
    const unsubscribed = await restError(client.messages.create({ to: TO, from: FROM, body: 'x' }));
    expect(unsubscribed).toMatchObject({ status: 400, code: 21610, message: 'Attempt to send to unsubscribed recipient' });
    standIn.behaviour.clear();
    standIn.behaviour.add({ recipient: 'whatsapp:+1 (415) 555-0142', times: 1, fault: { type: 'permanent', code: 21211 } });
    expect(await restError(client.messages.create({ to: TO, from: FROM, body: 'x' }))).toMatchObject({ status: 400, code: 21211 });
  });

  it('answers slowly, or never (the SDK times out)', async () => {
    standIn.behaviour.add({ recipient: TO, times: 1, delayMs: 400 });
    const started = Date.now();
    await client.messages.create({ to: TO, from: FROM, body: 'slow' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(380);

    standIn.behaviour.add({ recipient: TO, times: 1, fault: { type: 'timeout' } });
    const impatient = sdk(ACCOUNT_SID, AUTH_TOKEN, 300);
    const timedOutAt = Date.now();
    await expect(impatient.messages.create({ to: TO, from: FROM, body: 'never answered' })).rejects.toThrow(/timeout/i);
    expect(Date.now() - timedOutAt).toBeLessThan(5_000);
    expect(standIn.requests().at(-1)).toMatchObject({ fault: 'timeout', status: undefined });
  });
});

describe('status callback behaviour', () => {
  const statusCallback = () => `${receiver.url}/twilio/status`;

  it('reports undelivered (30003) and failed (63016) with ErrorCode, and on the resource', async () => {
    standIn.behaviour.add({ recipient: TO, times: 1, fault: { type: 'undelivered' } });
    const undelivered = await client.messages.create({ to: TO, from: FROM, body: 'x', statusCallback: statusCallback() });
    expect(undelivered.status).toBe('queued');
    const callbacks = await receiver.waitFor(statusCallbacksFor(undelivered.sid), 3);
    expect(callbacks.map((c) => [c.form.MessageStatus, c.form.ErrorCode])).toEqual([
      ['sending', undefined],
      ['sent', undefined],
      ['undelivered', '30003'],
    ]);
    await standIn.settled();
    const fetched = await client.messages(undelivered.sid).fetch();
    expect(fetched).toMatchObject({ status: 'undelivered', errorCode: 30003 });

    standIn.behaviour.add({ times: 1, fault: { type: 'undelivered', status: 'failed', code: 63016 } });
    const failed = await client.messages.create({ to: `whatsapp:${TO}`, from: `whatsapp:${FROM}`, body: 'x', statusCallback: statusCallback() });
    const failedCallbacks = await receiver.waitFor(statusCallbacksFor(failed.sid), 1);
    await standIn.settled();
    expect(receiver.requests.filter(statusCallbacksFor(failed.sid)).map((c) => [c.form.MessageStatus, c.form.ErrorCode])).toEqual([
      ['failed', '63016'],
    ]);
    expect(failedCallbacks[0]!.form.ErrorCode).toBe('63016');
  });

  it('duplicates callbacks (same idempotency token), reverses their order, skips some, and delays them', async () => {
    standIn.behaviour.add({ recipient: TO, times: 1, callbacks: { duplicate: true } });
    const duplicated = await client.messages.create({ to: TO, from: FROM, body: 'x', statusCallback: statusCallback() });
    const copies = await receiver.waitFor(statusCallbacksFor(duplicated.sid), 6);
    expect(copies.map((c) => c.form.MessageStatus)).toEqual(['sending', 'sending', 'sent', 'sent', 'delivered', 'delivered']);
    expect(copies[0]!.headers['i-twilio-idempotency-token']).toBe(copies[1]!.headers['i-twilio-idempotency-token']);
    expect(copies[0]!.headers['i-twilio-idempotency-token']).not.toBe(copies[2]!.headers['i-twilio-idempotency-token']);

    standIn.behaviour.add({ recipient: TO, times: 1, callbacks: { order: 'reverse' } });
    const reversed = await client.messages.create({ to: TO, from: FROM, body: 'x', statusCallback: statusCallback() });
    const backwards = await receiver.waitFor(statusCallbacksFor(reversed.sid), 3);
    expect(backwards.map((c) => c.form.MessageStatus)).toEqual(['delivered', 'sent', 'sending']);
    await standIn.settled();
    expect(standIn.message(reversed.sid)?.status).toBe('delivered'); // the resource follows the true order

    standIn.behaviour.add({ recipient: TO, times: 1, callbacks: { skip: ['sending', 'sent'], delayMs: 300 } });
    const sentAt = Date.now();
    const delayed = await client.messages.create({ to: TO, from: FROM, body: 'x', statusCallback: statusCallback() });
    const [only] = await receiver.waitFor(statusCallbacksFor(delayed.sid), 1);
    expect(only!.form.MessageStatus).toBe('delivered');
    expect(only!.receivedAt - sentAt).toBeGreaterThanOrEqual(290);
  });

  it('enforces the WhatsApp 24-hour window when asked: free-form fails with 63016 until the customer writes', async () => {
    await standIn.control({ action: 'configure', settings: { enforceWhatsAppWindow: true } });
    try {
      const customer = 'whatsapp:+14155550177';
      const early = await client.messages.create({ to: customer, from: `whatsapp:${FROM}`, body: 'hi', statusCallback: statusCallback() });
      expect(early.status).toBe('queued'); // accepted by the API, fails afterwards
      const [failed] = await receiver.waitFor(statusCallbacksFor(early.sid), 1);
      expect(failed!.form).toMatchObject({ MessageStatus: 'failed', ErrorCode: '63016' });

      const template = await client.messages.create({
        to: customer,
        from: `whatsapp:${FROM}`,
        contentSid: `HX${'d4'.repeat(16)}`,
        statusCallback: statusCallback(),
      });
      await receiver.waitFor((r) => r.form.MessageSid === template.sid && r.form.MessageStatus === 'read');

      await standIn.simulateInbound({ from: customer, to: `whatsapp:${FROM}`, body: 'hello back' });
      const reply = await client.messages.create({ to: customer, from: `whatsapp:${FROM}`, body: 'hi again', statusCallback: statusCallback() });
      await receiver.waitFor((r) => r.form.MessageSid === reply.sid && r.form.MessageStatus === 'read');
    } finally {
      await standIn.control({ action: 'configure', settings: { enforceWhatsAppWindow: false } });
    }
  });

  it('signs over the StatusCallback URL while delivering to statusCallbackBase (app behind a public URL)', async () => {
    const behindProxy = await startTwilioStandIn({
      accountSid: ACCOUNT_SID,
      authToken: AUTH_TOKEN,
      callbackDelayMs: 5,
      statusCallbackBase: receiver.url,
    });
    try {
      const proxied = twilio(ACCOUNT_SID, AUTH_TOKEN, { httpClient: new StandInTwilioRequestClient(behindProxy.url) });
      const publicUrl = 'https://switchboard.example.com/webhooks/twilio/status?org=42';
      const message = await proxied.messages.create({ to: TO, from: FROM, body: 'x', statusCallback: publicUrl });
      const callbacks = await receiver.waitFor(statusCallbacksFor(message.sid), 3);
      expect(callbacks[0]!.url).toBe('/webhooks/twilio/status?org=42');
      const signature = callbacks[0]!.headers['x-twilio-signature'] as string;
      expect(twilio.validateRequest(AUTH_TOKEN, signature, publicUrl, callbacks[0]!.form)).toBe(true);
      expect(twilio.validateRequest(AUTH_TOKEN, signature, callbacks[0]!.fullUrl, callbacks[0]!.form)).toBe(false);
    } finally {
      await behindProxy.close();
    }
  });
});

describe('inbound messages', () => {
  it('posts a signed SMS webhook to the inbound URL and returns the app\'s TwiML answer', async () => {
    receiver.respondWith.body = '<Response><Message>Thanks!</Message></Response>';
    const result = await standIn.simulateInbound({ from: TO, to: FROM, body: 'STOP' });
    receiver.respondWith.body = '<Response/>';
    expect(result.status).toBe(200);
    expect(result.body).toContain('Thanks!');
    const [webhook] = await receiver.waitFor((r) => r.form.MessageSid === result.messageSid);
    expect(webhook!.url).toBe('/twilio/inbound');
    expect(webhook!.form).toMatchObject({ From: TO, To: FROM, Body: 'STOP', NumMedia: '0', SmsStatus: 'received', AccountSid: ACCOUNT_SID });
    expect(twilio.validateRequest(AUTH_TOKEN, webhook!.headers['x-twilio-signature'] as string, webhook!.fullUrl, webhook!.form)).toBe(true);
  });

  it('adds ProfileName and WaId for WhatsApp, and MediaUrl{N}/MediaContentType{N} for media', async () => {
    const result = await standIn.simulateInbound({
      from: `whatsapp:${TO}`,
      to: `whatsapp:${FROM}`,
      body: 'photo',
      profileName: 'Ada Lovelace',
      mediaUrls: ['https://example.com/m.png'],
      mediaContentTypes: ['image/png'],
    });
    const [webhook] = await receiver.waitFor((r) => r.form.MessageSid === result.messageSid);
    expect(webhook!.form).toMatchObject({
      From: `whatsapp:${TO}`,
      ProfileName: 'Ada Lovelace',
      WaId: TO.slice(1),
      NumMedia: '1',
      MediaUrl0: 'https://example.com/m.png',
      MediaContentType0: 'image/png',
    });
    expect(result.messageSid).toMatch(/^MM/);
    expect(twilio.validateRequest(AUTH_TOKEN, webhook!.headers['x-twilio-signature'] as string, webhook!.fullUrl, webhook!.form)).toBe(true);
  });
});

describe('phone numbers', () => {
  it('lists local numbers by area code and sells them (IncomingPhoneNumbers), once', async () => {
    const available = await client.availablePhoneNumbers('US').local.list({ areaCode: 212, limit: 5 });
    expect(available).toHaveLength(5);
    for (const number of available) {
      expect(number.phoneNumber).toMatch(/^\+121255501\d\d$/);
      expect(number.capabilities).toMatchObject({ sms: true });
      expect(number.isoCountry).toBe('US');
    }
    const chosen = available[0]!.phoneNumber;
    const bought = await client.incomingPhoneNumbers.create({ phoneNumber: chosen, smsUrl: `${receiver.url}/twilio/bought` });
    expect(bought.sid).toMatch(/^PN[0-9a-f]{32}$/);
    expect(bought).toMatchObject({ phoneNumber: chosen, smsUrl: `${receiver.url}/twilio/bought`, status: 'in-use' });

    const again = await restError(client.incomingPhoneNumbers.create({ phoneNumber: chosen }));
    expect(again).toMatchObject({ status: 400, code: 21422 });
    const afterwards = await client.availablePhoneNumbers('US').local.list({ areaCode: 212, limit: 100 });
    expect(afterwards.map((n) => n.phoneNumber)).not.toContain(chosen);

    const byArea = await client.incomingPhoneNumbers.create({ areaCode: '617' });
    expect(byArea.phoneNumber).toMatch(/^\+1617555/);
    const owned = await client.incomingPhoneNumbers.list();
    expect(owned.map((n) => n.phoneNumber)).toEqual(expect.arrayContaining([FROM, chosen, byArea.phoneNumber]));

    // An inbound message to the new number goes to the SmsUrl it was bought with.
    const inbound = await standIn.simulateInbound({ from: TO, to: chosen, body: 'hi new number' });
    expect(inbound.url).toBe(`${receiver.url}/twilio/bought`);
    await receiver.waitFor((r) => r.url === '/twilio/bought' && r.form.MessageSid === inbound.messageSid);
  });

  it('answers an unsupported country with 404 / 20404', async () => {
    expect(await restError(client.availablePhoneNumbers('ZZ').local.list({ limit: 1 }))).toMatchObject({ status: 404, code: 20404 });
  });
});

describe('control endpoint', () => {
  it('adds rules and shows the request log over HTTP (POST/GET /__control)', async () => {
    const added = await fetch(`${standIn.url}/__control`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ action: 'add-rule', rule: { recipient: TO, times: 1, fault: { type: 'rate-limit' } } }),
    });
    expect(added.status).toBe(200);
    expect(((await added.json()) as { rule: { id: string } }).rule.id).toMatch(/^rule-/);
    expect(await restError(client.messages.create({ to: TO, from: FROM, body: 'x' }))).toMatchObject({ code: 20429 });

    const refused = await fetch(`${standIn.url}/__control`, {
      method: 'POST',
      body: JSON.stringify({ action: 'add-rule', rule: { fault: { type: 'explode' } } }),
    });
    expect(refused.status).toBe(400);

    const state = (await (await fetch(`${standIn.url}/__control`)).json()) as { requests: Array<{ code?: number }>; rules: unknown[] };
    expect(state.rules).toEqual([]);
    expect(state.requests.at(-1)).toMatchObject({ code: 20429 });
  });
});
