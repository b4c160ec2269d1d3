// Meta's official OpenAPI description (whatsapp-business-messaging-api_v23.0.yaml) checks the
// sends (request and the stand-in's response) and the status webhooks the stand-in posts: one
// `prism proxy --errors` in front of both (/v23.0/… → stand-in, /whatsapp/webhooks → the app).
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { startWhatsAppStandIn, verifyPayloadSignature } from '../src';
import { WHATSAPP_SPEC, prismViolations, useSpecTestBed } from './helpers';

jest.setTimeout(90_000);

const TOKEN = 'EAAspec-test-token';
const APP_SECRET = 'spec-app-secret';
const CUSTOMER = '15551230003';
// Node's fetch sends `User-Agent: node`, which the spec's header pattern (name/x.y.z) refuses.
const USER_AGENT = 'switchboard-messaging/0.1.0';

const bed = useSpecTestBed(
  WHATSAPP_SPEC,
  (prismUrl) =>
    startWhatsAppStandIn({
      token: TOKEN,
      appSecret: APP_SECRET,
      webhookUrl: `${prismUrl}/whatsapp/webhooks`,
      // Meta sends no Authorization on webhooks, but the spec's /whatsapp/webhooks demands bearerAuth.
      webhookHeaders: { authorization: 'Bearer spec-requires-bearer-auth' },
      webhookRetry: { attempts: 1 },
      callbackDelayMs: 10,
    }),
  '/whatsapp/webhooks',
);

interface Answer {
  status: number;
  body: Record<string, unknown>;
  violations: Array<{ severity: string; message: string }>;
}

async function send(payload: unknown, headers: Record<string, string> = {}): Promise<Answer> {
  const response = await fetch(`${bed.prism.url}/v23.0/${bed.standIn.phoneNumberId}/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}`, 'user-agent': USER_AGENT, ...headers },
    body: JSON.stringify(payload),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown>, violations: prismViolations(response.headers) };
}

async function postWebhookThroughPrism(body: unknown): Promise<{ status: number; text: string }> {
  const response = await fetch(`${bed.prism.url}/whatsapp/webhooks`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer webhook' },
    body: JSON.stringify(body),
  });
  return { status: response.status, text: await response.text() };
}

const messageId = (answer: Answer) => (answer.body.messages as Array<{ id: string }>)[0]!.id;

it('text, template and media sends (with the fields the spec requires) match the spec, both ways', async () => {
  const textAnswer = await send({ messaging_product: 'whatsapp', recipient_type: 'individual', to: CUSTOMER, type: 'text', text: { body: 'Hi', preview_url: false } });
  const templateAnswer = await send({
    messaging_product: 'whatsapp',
    recipient_type: 'individual',
    to: CUSTOMER,
    type: 'template',
    template: {
      name: 'order_update',
      language: { code: 'en_US', policy: 'deterministic' },
      components: [{ type: 'body', parameters: [{ type: 'text', text: '42' }] }],
    },
  });
  const imageAnswer = await send({ messaging_product: 'whatsapp', recipient_type: 'individual', to: CUSTOMER, type: 'image', image: { link: 'https://example.com/a.jpg' } });
  const documentAnswer = await send({ messaging_product: 'whatsapp', recipient_type: 'individual', to: CUSTOMER, type: 'document', document: { id: '1234567890' } });
  for (const answer of [textAnswer, templateAnswer, imageAnswer, documentAnswer]) {
    expect(answer.status).toBe(200);
    expect(answer.violations).toEqual([]);
    expect(messageId(answer)).toMatch(/^wamid\./);
  }
  expect(templateAnswer.body.messages).toEqual([{ id: messageId(templateAnswer), message_status: 'accepted' }]);
});

it('status webhooks (sent, delivered, read, failed with errors) pass the spec on their way to the app, still signed', async () => {
  const ok = await send({ messaging_product: 'whatsapp', recipient_type: 'individual', to: CUSTOMER, type: 'text', text: { body: 'x' } });
  bed.standIn.behaviour.add({ times: 1, fault: { type: 'permanent' } });
  const failing = await send({ messaging_product: 'whatsapp', recipient_type: 'individual', to: CUSTOMER, type: 'text', text: { body: 'y' } });
  await bed.standIn.settled();
  const ids = [messageId(ok), messageId(failing)];
  const deliveries = bed.standIn.webhooks().filter((w) => ids.some((id) => JSON.stringify(w.payload).includes(id)));
  expect(deliveries.map((d) => d.status)).toEqual([200, 200, 200, 200]); // 3 for ok + 1 failed; a violation would be 422
  const arrived = bed.receiver.requests.filter((r) => ids.some((id) => r.rawBody.includes(id)));
  expect(arrived).toHaveLength(4);
  const statuses = arrived.map((r) => (JSON.parse(r.rawBody) as { entry: Array<{ changes: Array<{ value: { statuses: Array<{ status: string }> } }> }> }).entry[0]!.changes[0]!.value.statuses[0]!.status);
  expect(statuses.sort()).toEqual(['delivered', 'failed', 'read', 'sent']);
  for (const request of arrived) {
    expect(verifyPayloadSignature(APP_SECRET, request.rawBody, request.headers['x-hub-signature-256'] as string)).toBe(true);
  }
  expect(bed.prism.output()).not.toContain('UNPROCESSABLE_ENTITY');
  expect(bed.prism.output()).not.toContain('#VIOLATIONS');
});

it('errors keep the Graph shape through the proxy (a warning only: the spec documents 200 alone)', async () => {
  const wrong = await send({ messaging_product: 'whatsapp', recipient_type: 'individual', to: CUSTOMER, type: 'text', text: { body: 'x' } }, { authorization: 'Bearer expired' });
  expect(wrong.status).toBe(401);
  expect(wrong.body.error).toMatchObject({ code: 190, type: 'OAuthException' });
  expect(wrong.violations.every((v) => v.severity === 'Warning')).toBe(true);
  bed.standIn.behaviour.add({ times: 1, fault: { type: 'rate-limit' } });
  const limited = await send({ messaging_product: 'whatsapp', recipient_type: 'individual', to: CUSTOMER, type: 'text', text: { body: 'x' } });
  expect(limited.body.error).toMatchObject({ code: 130429 });
});

it('negative control: a response that breaks the spec is caught (500 #VIOLATIONS naming the field)', async () => {
  bed.forwarder.corrupt = (body) => ({ ...body, messages: 'not-an-array' });
  const answer = await send({ messaging_product: 'whatsapp', recipient_type: 'individual', to: CUSTOMER, type: 'text', text: { body: 'x' } });
  expect(answer.status).toBe(500);
  expect(JSON.stringify(answer.body)).toContain('#VIOLATIONS');
  expect(JSON.stringify(answer.body)).toMatch(/messages must be array/);
});

describe('where the spec is stricter than the live API (documented, not the stand-in\'s behaviour)', () => {
  it('requires recipient_type and template.language.policy, which the live API (and the stand-in) do not', async () => {
    const live = { messaging_product: 'whatsapp', to: CUSTOMER, type: 'template', template: { name: 'order_update', language: { code: 'en_US' } } };
    const refused = await send(live);
    expect(refused.status).toBe(422);
    const problems = JSON.stringify(refused.body);
    expect(problems).toContain("must have required property 'recipient_type'");
    expect(problems).toContain("must have required property 'policy'");
    const direct = await fetch(`${bed.standIn.url}/v23.0/${bed.standIn.phoneNumberId}/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
      body: JSON.stringify(live),
    });
    expect(direct.status).toBe(200);
    const defaultAgent = await send({ messaging_product: 'whatsapp', recipient_type: 'individual', to: CUSTOMER, type: 'text', text: { body: 'x' } }, { 'user-agent': 'node' });
    expect(defaultAgent.status).toBe(422);
    expect(JSON.stringify(defaultAgent.body)).toContain('user-agent must match pattern');
  });

  it("refuses inbound-message webhooks — Meta's own example included — so inbound is compared with that example instead", async () => {
    // The spec's IncomingMessage reuses the *outbound* message schemas (requiring recipient_type and
    // `to`, forbidding from/id/timestamp), so no real inbound webhook can pass it.
    const spec = parseYaml(readFileSync(WHATSAPP_SPEC, 'utf8')) as {
      paths: Record<string, { post: { requestBody: { content: Record<string, { examples: Record<string, { value: unknown }> }> } } }>;
    };
    const example = spec.paths['/whatsapp/webhooks']!.post.requestBody.content['application/json']!.examples['Text Message']!.value as {
      entry: Array<{ changes: Array<{ value: Record<string, unknown> }> }>;
    };
    const metaExample = await postWebhookThroughPrism(example);
    expect(metaExample.status).toBe(422);
    expect(metaExample.text).toContain("messages.0 must have required property 'recipient_type'");

    const { messageId: inboundId } = await bed.standIn.simulateInbound({ from: '16505551234', body: 'Does it come in another color?', profileName: 'Sheena Nelson' });
    const delivery = bed.standIn.webhooks().find((w) => JSON.stringify(w.payload).includes(inboundId))!;
    expect(delivery.status).toBe(422); // refused for the same reason
    const ours = (delivery.payload as typeof example).entry[0]!.changes[0]!.value;
    const theirs = example.entry[0]!.changes[0]!.value;
    expect(shape(ours)).toEqual(shape(theirs));
  });
});

/** Keys and value types, recursively: the structure of a payload without its values. */
function shape(value: unknown): unknown {
  if (Array.isArray(value)) return value.slice(0, 1).map(shape);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => [k, shape(v)]));
  }
  return typeof value;
}
