// The WhatsApp Cloud API stand-in driven with Node's fetch, as the app's HTTP client would: sends,
// signed status webhooks (HMAC over the raw body), Graph errors, inbound and template webhooks.
import { createHmac } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { performWebhookHandshake, startWhatsAppStandIn, verifyPayloadSignature, type WhatsAppStandIn } from '../src';
import { startReceiver, type ReceivedRequest, type Receiver } from './helpers';

const TOKEN = 'EAAtest-access-token';
const APP_SECRET = 'test-app-secret-91c2';
const CUSTOMER = '15551230001';

let standIn: WhatsAppStandIn;
let receiver: Receiver;

interface GraphResult {
  status: number;
  body: {
    messaging_product?: string;
    contacts?: Array<{ input: string; wa_id: string }>;
    messages?: Array<{ id: string }>;
    error?: { message: string; type: string; code: number; fbtrace_id: string; error_data?: { details: string } };
  };
}

async function send(payload: unknown, token: string | null = TOKEN, phoneNumberId = standIn.phoneNumberId): Promise<GraphResult> {
  const response = await fetch(`${standIn.url}/v23.0/${phoneNumberId}/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token === null ? {} : { authorization: `Bearer ${token}` }) },
    body: JSON.stringify(payload),
  });
  return { status: response.status, body: (await response.json()) as GraphResult['body'] };
}

const text = (to: string, body = 'Hello') => ({ messaging_product: 'whatsapp', recipient_type: 'individual', to, type: 'text', text: { body } });

interface StatusEvent {
  id: string;
  status: string;
  timestamp: string;
  recipient_id: string;
  errors?: Array<{ code: number; title: string }>;
}

function parse(request: ReceivedRequest) {
  return JSON.parse(request.rawBody) as {
    object: string;
    entry: Array<{ id: string; time?: number; changes: Array<{ field: string; value: Record<string, unknown> }> }>;
  };
}

function statusesOf(request: ReceivedRequest): StatusEvent[] {
  return parse(request).entry.flatMap((e) => e.changes.flatMap((c) => (c.value.statuses as StatusEvent[] | undefined) ?? []));
}

const statusWebhooksFor = (id: string) => (request: ReceivedRequest) => statusesOf(request).some((s) => s.id === id);

beforeAll(async () => {
  receiver = await startReceiver();
  standIn = await startWhatsAppStandIn({
    token: TOKEN,
    appSecret: APP_SECRET,
    webhookUrl: `${receiver.url}/whatsapp/webhook`,
    callbackDelayMs: 20,
    webhookRetry: { attempts: 3, delayMs: 50 },
  });
});

afterAll(async () => {
  await standIn.close();
  await receiver.close();
});

afterEach(() => {
  standIn.behaviour.clear();
  receiver.respondWith.status = 200;
});

describe('sending', () => {
  it('answers 200 with contacts and a wamid, then posts signed sent → delivered → read webhooks', async () => {
    const result = await send(text(`+${CUSTOMER}`));
    expect(result.status).toBe(200);
    expect(result.body.messaging_product).toBe('whatsapp');
    expect(result.body.contacts).toEqual([{ input: `+${CUSTOMER}`, wa_id: CUSTOMER }]);
    const id = result.body.messages![0]!.id;
    expect(id).toMatch(/^wamid\./);

    const webhooks = await receiver.waitFor(statusWebhooksFor(id), 3);
    expect(webhooks.flatMap(statusesOf).map((s) => s.status)).toEqual(['sent', 'delivered', 'read']);
    for (const webhook of webhooks) {
      const signature = webhook.headers['x-hub-signature-256'] as string;
      const expected = `sha256=${createHmac('sha256', APP_SECRET).update(webhook.rawBody).digest('hex')}`;
      expect(signature).toBe(expected);
      expect(verifyPayloadSignature(APP_SECRET, webhook.rawBody, signature)).toBe(true);
      // Re-serialised JSON is not what was signed once it differs by a single byte.
      expect(verifyPayloadSignature(APP_SECRET, `${webhook.rawBody} `, signature)).toBe(false);
      expect(verifyPayloadSignature('wrong-secret', webhook.rawBody, signature)).toBe(false);

      const payload = parse(webhook);
      expect(payload.object).toBe('whatsapp_business_account');
      expect(payload.entry[0]!.id).toBe(standIn.wabaId);
      expect(payload.entry[0]!.changes[0]!.field).toBe('messages');
      expect(payload.entry[0]!.changes[0]!.value).toMatchObject({
        messaging_product: 'whatsapp',
        metadata: { display_phone_number: standIn.displayPhoneNumber, phone_number_id: standIn.phoneNumberId },
      });
      const [status] = statusesOf(webhook);
      expect(status).toMatchObject({ id, recipient_id: CUSTOMER });
      expect(status!.timestamp).toMatch(/^\d{10}$/);
    }
    expect(standIn.message(id)?.status).toBe('read');
  });

  it('accepts templates and media the way the live API does (recipient_type and language.policy optional)', async () => {
    const template = await send({
      messaging_product: 'whatsapp',
      to: CUSTOMER,
      type: 'template',
      template: { name: 'order_update', language: { code: 'en_US' }, components: [{ type: 'body', parameters: [{ type: 'text', text: '42' }] }] },
    });
    expect(template.status).toBe(200);
    const image = await send({ messaging_product: 'whatsapp', to: CUSTOMER, type: 'image', image: { link: 'https://example.com/a.jpg', caption: 'hi' } });
    expect(image.status).toBe(200);
  });

  it('refuses malformed sends with Graph error 100 and the reason', async () => {
    const cases: Array<[unknown, RegExp]> = [
      [{ to: CUSTOMER, type: 'text', text: { body: 'x' } }, /messaging_product is required/],
      [{ messaging_product: 'whatsapp', type: 'text', text: { body: 'x' } }, /parameter to is required/],
      [{ messaging_product: 'whatsapp', to: CUSTOMER, type: 'text', text: {} }, /text\['body'\] is required/],
      [{ messaging_product: 'whatsapp', to: CUSTOMER, type: 'carrier-pigeon' }, /Param type must be one of/],
      [{ messaging_product: 'whatsapp', to: CUSTOMER, type: 'template', template: { name: 'x', language: {} } }, /language'\]\['code'\] is required/],
      [{ messaging_product: 'whatsapp', to: CUSTOMER, type: 'image', image: {} }, /Invalid parameter/],
      [{ messaging_product: 'whatsapp', to: 'not-a-number', type: 'text', text: { body: 'x' } }, /Invalid parameter/],
    ];
    for (const [payload, message] of cases) {
      const result = await send(payload);
      expect(result.status).toBe(400);
      expect(result.body.error).toMatchObject({ code: 100, type: 'OAuthException' });
      expect(result.body.error!.message).toMatch(message);
      expect(result.body.error!.fbtrace_id).toEqual(expect.any(String));
    }
  });

  it('checks templates it knows: 132001 not approved / unknown language, 132000 parameter count, 132015 paused', async () => {
    standIn.registerTemplate({ name: 'welcome', language: 'en_US', status: 'APPROVED', category: 'MARKETING', bodyParameters: 2 });
    standIn.registerTemplate({ name: 'promo', language: 'en_US', status: 'PENDING' });
    standIn.registerTemplate({ name: 'old', language: 'en_US', status: 'PAUSED' });
    const templateSend = (name: string, language: string, params: string[]) =>
      send({
        messaging_product: 'whatsapp',
        to: CUSTOMER,
        type: 'template',
        template: { name, language: { code: language }, components: [{ type: 'body', parameters: params.map((t) => ({ type: 'text', text: t })) }] },
      });
    expect((await templateSend('welcome', 'en_US', ['Ada', 'Switchboard'])).status).toBe(200);
    expect((await templateSend('welcome', 'en_US', ['Ada'])).body.error?.code).toBe(132000);
    expect((await templateSend('welcome', 'fr_FR', ['Ada', 'x'])).body.error?.code).toBe(132001);
    expect((await templateSend('promo', 'en_US', [])).body.error?.code).toBe(132001);
    expect((await templateSend('old', 'en_US', [])).body.error?.code).toBe(132015);
  });
});

describe('errors', () => {
  it('refuses a wrong token with 401 OAuthException 190, and a missing one with 2500', async () => {
    const wrong = await send(text(CUSTOMER), 'expired-token');
    expect(wrong.status).toBe(401);
    expect(wrong.body.error).toMatchObject({ type: 'OAuthException', code: 190 });
    expect(wrong.body.error!.fbtrace_id).toEqual(expect.any(String));
    const missing = await send(text(CUSTOMER), null);
    expect(missing.status).toBe(400);
    expect(missing.body.error).toMatchObject({ type: 'OAuthException', code: 2500 });
    const otherNumber = await send(text(CUSTOMER), TOKEN, '999');
    expect(otherNumber.body.error).toMatchObject({ code: 100, type: 'GraphMethodException', error_subcode: 33 });
  });

  it('rate-limits (130429) and fails with 5xx (131000) for the next N sends', async () => {
    standIn.behaviour.add({ recipient: `+${CUSTOMER}`, times: 1, fault: { type: 'rate-limit' } });
    const limited = await send(text(CUSTOMER));
    expect(limited.status).toBe(400);
    expect(limited.body.error).toMatchObject({ code: 130429, message: '(#130429) Rate limit hit' });
    expect((await send(text(CUSTOMER))).status).toBe(200);

    standIn.behaviour.add({ times: 2, fault: { type: 'server-error' } });
    for (let i = 0; i < 2; i += 1) {
      const failed = await send(text(CUSTOMER));
      expect(failed.status).toBe(500);
      expect(failed.body.error?.code).toBe(131000);
    }
    expect((await send(text(CUSTOMER))).status).toBe(200);
  });

  it('accepts an undeliverable recipient with 200, then posts a failed status with 131026', async () => {
    standIn.behaviour.add({ recipient: '15559990000', fault: { type: 'permanent' } });
    const result = await send(text('15559990000'));
    expect(result.status).toBe(200);
    const id = result.body.messages![0]!.id;
    const [webhook] = await receiver.waitFor(statusWebhooksFor(id), 1);
    await standIn.settled();
    const statuses = receiver.requests.filter(statusWebhooksFor(id)).flatMap(statusesOf);
    expect(statuses).toHaveLength(1);
    expect(statuses[0]).toMatchObject({ status: 'failed', errors: [{ code: 131026, title: 'Message undeliverable' }] });
    expect(verifyPayloadSignature(APP_SECRET, webhook!.rawBody, webhook!.headers['x-hub-signature-256'] as string)).toBe(true);
  });

  it('answers slowly, or never (the client aborts)', async () => {
    standIn.behaviour.add({ times: 1, delayMs: 300 });
    const started = Date.now();
    expect((await send(text(CUSTOMER))).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(280);

    standIn.behaviour.add({ times: 1, fault: { type: 'timeout' } });
    const request = fetch(`${standIn.url}/v23.0/${standIn.phoneNumberId}/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
      body: JSON.stringify(text(CUSTOMER)),
      signal: AbortSignal.timeout(300),
    });
    await expect(request).rejects.toThrow(/timeout|aborted/i);
  });
});

describe('status webhook behaviour', () => {
  it('skips delivered (read at once), reverses order, duplicates, and batches statuses in one webhook', async () => {
    standIn.behaviour.add({ times: 1, callbacks: { skip: ['delivered'] } });
    const skipped = (await send(text(CUSTOMER))).body.messages![0]!.id;
    const skippedHooks = await receiver.waitFor(statusWebhooksFor(skipped), 2);
    expect(skippedHooks.flatMap(statusesOf).map((s) => s.status)).toEqual(['sent', 'read']);

    standIn.behaviour.add({ times: 1, callbacks: { order: 'reverse' } });
    const reversed = (await send(text(CUSTOMER))).body.messages![0]!.id;
    const reversedHooks = await receiver.waitFor(statusWebhooksFor(reversed), 3);
    expect(reversedHooks.flatMap(statusesOf).map((s) => s.status)).toEqual(['read', 'delivered', 'sent']);

    standIn.behaviour.add({ times: 1, callbacks: { duplicate: true } });
    const duplicated = (await send(text(CUSTOMER))).body.messages![0]!.id;
    const duplicatedHooks = await receiver.waitFor(statusWebhooksFor(duplicated), 6);
    expect(duplicatedHooks.flatMap(statusesOf).map((s) => s.status)).toEqual(['sent', 'sent', 'delivered', 'delivered', 'read', 'read']);
    expect(duplicatedHooks[0]!.rawBody).toBe(duplicatedHooks[1]!.rawBody);

    standIn.behaviour.add({ times: 1, callbacks: { batch: true } });
    const batched = (await send(text(CUSTOMER))).body.messages![0]!.id;
    const [batch] = await receiver.waitFor(statusWebhooksFor(batched), 1);
    expect(statusesOf(batch!).map((s) => s.status)).toEqual(['sent', 'delivered', 'read']);
  });

  it('redelivers a webhook the app did not accept (non-2xx), with the same signed body', async () => {
    receiver.respondWith.status = 500;
    const id = (await send(text(CUSTOMER))).body.messages![0]!.id;
    const attempts = await receiver.waitFor((r) => statusesOf(r).some((s) => s.id === id && s.status === 'sent'), 3);
    receiver.respondWith.status = 200;
    expect(new Set(attempts.map((a) => a.rawBody)).size).toBe(1);
    expect(new Set(attempts.map((a) => a.headers['x-hub-signature-256'])).size).toBe(1);
    await standIn.settled();
    const deliveries = standIn.webhooks().filter((w) => JSON.stringify(w.payload).includes(id));
    expect(deliveries.filter((d) => d.status === 500)).toHaveLength(3);
  });

  it('fails free-form messages outside the 24-hour window with 131047 when enforcing it', async () => {
    await standIn.control({ action: 'configure', settings: { enforceCustomerServiceWindow: true } });
    try {
      const stranger = '15551230077';
      const id = (await send(text(stranger))).body.messages![0]!.id;
      const [webhook] = await receiver.waitFor(statusWebhooksFor(id), 1);
      expect(statusesOf(webhook!)[0]).toMatchObject({ status: 'failed', errors: [{ code: 131047 }] });

      await standIn.simulateInbound({ from: stranger, body: 'hi' });
      const inWindow = (await send(text(stranger))).body.messages![0]!.id;
      await receiver.waitFor((r) => statusesOf(r).some((s) => s.id === inWindow && s.status === 'read'));
    } finally {
      await standIn.control({ action: 'configure', settings: { enforceCustomerServiceWindow: false } });
    }
  });
});

describe('inbound and template webhooks', () => {
  it('posts inbound messages with contacts and messages, signed', async () => {
    const { messageId, webhook } = await standIn.simulateInbound({ from: '+15551230002', body: 'Is my order shipped?', profileName: 'Grace' });
    expect(webhook.status).toBe(200);
    const [request] = await receiver.waitFor((r) => r.rawBody.includes(messageId));
    expect(request!.rawBody).toBe(webhook.rawBody);
    expect(verifyPayloadSignature(APP_SECRET, request!.rawBody, request!.headers['x-hub-signature-256'] as string)).toBe(true);
    const value = parse(request!).entry[0]!.changes[0]!.value;
    expect(value).toMatchObject({
      messaging_product: 'whatsapp',
      metadata: { phone_number_id: standIn.phoneNumberId },
      contacts: [{ profile: { name: 'Grace' }, wa_id: '15551230002' }],
      messages: [{ from: '15551230002', id: messageId, type: 'text', text: { body: 'Is my order shipped?' } }],
    });
  });

  it('posts template status updates (message_template_status_update) and applies them to sends', async () => {
    standIn.registerTemplate({ name: 'spring_sale', language: 'en_US', status: 'APPROVED' });
    const webhook = await standIn.simulateTemplateStatus({ name: 'spring_sale', language: 'en_US', event: 'PAUSED', reason: 'LOW_QUALITY' });
    expect(webhook.status).toBe(200);
    const [request] = await receiver.waitFor((r) => r.rawBody.includes('message_template_status_update') && r.rawBody.includes('spring_sale'));
    const payload = parse(request!);
    expect(payload.entry[0]!.time).toEqual(expect.any(Number));
    expect(payload.entry[0]!.changes[0]).toMatchObject({
      field: 'message_template_status_update',
      value: { event: 'PAUSED', message_template_name: 'spring_sale', message_template_language: 'en_US', reason: 'LOW_QUALITY' },
    });
    expect(verifyPayloadSignature(APP_SECRET, request!.rawBody, request!.headers['x-hub-signature-256'] as string)).toBe(true);
    const paused = await send({ messaging_product: 'whatsapp', to: CUSTOMER, type: 'template', template: { name: 'spring_sale', language: { code: 'en_US' } } });
    expect(paused.body.error?.code).toBe(132015);
  });
});

describe('webhook verification handshake helper', () => {
  it("performs Meta's GET handshake against the app: verified with the right token, not with a wrong one", async () => {
    const verifyToken = 'app-verify-token';
    const app = http.createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://app');
      const ok = url.searchParams.get('hub.mode') === 'subscribe' && url.searchParams.get('hub.verify_token') === verifyToken;
      res.writeHead(ok ? 200 : 403, { 'content-type': 'text/plain' });
      res.end(ok ? (url.searchParams.get('hub.challenge') ?? '') : 'forbidden');
    });
    await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', resolve));
    const appUrl = `http://127.0.0.1:${(app.address() as AddressInfo).port}/webhooks/whatsapp`;
    try {
      const good = await performWebhookHandshake(appUrl, verifyToken);
      expect(good).toMatchObject({ status: 200, verified: true });
      expect(good.body).toBe(good.challenge);
      const bad = await performWebhookHandshake(appUrl, 'guess');
      expect(bad).toMatchObject({ status: 403, verified: false });
    } finally {
      await new Promise<void>((resolve) => app.close(() => resolve()));
    }
  });
});
