import { randomUUID } from 'node:crypto';
import { DEV_CREDENTIALS, startWhatsAppStandIn, type WhatsAppStandIn } from '@switchboard/provider-stand-ins';
import { ProviderError, type WhatsappContent } from '../provider';
import { createMetaCloudWhatsappProvider } from './meta-cloud';

const { token, appSecret, phoneNumberId } = DEV_CREDENTIALS.whatsapp;
const TO = '+447700900123';

let standIn: WhatsAppStandIn;

beforeAll(async () => {
  standIn = await startWhatsAppStandIn({ token, appSecret, phoneNumberId, callbackDelayMs: 10_000 });
  standIn.registerTemplate({ name: 'order_update', language: 'en_US', status: 'APPROVED', category: 'UTILITY', bodyParameters: 2 });
});
afterEach(async () => {
  await standIn.control({ action: 'reset' });
});
afterAll(async () => {
  await standIn.close();
});

function send(content: WhatsappContent, overrides: { accessToken?: string; timeoutMs?: number } = {}) {
  return createMetaCloudWhatsappProvider({ accessToken: token, apiBaseUrl: standIn.url, ...overrides }).send({
    messageId: randomUUID(),
    from: phoneNumberId,
    to: TO,
    content,
  });
}

async function failure(promise: Promise<unknown>): Promise<ProviderError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ProviderError);
  return error as ProviderError;
}

describe('WhatsApp Cloud API provider (fetch against the stand-in)', () => {
  it('posts a text message to /v23.0/{phone-number-id}/messages and keeps the wamid', async () => {
    const accepted = await send({ kind: 'text', body: 'Hello from support', previewUrl: true });
    expect(accepted).toMatchObject({ providerMessageId: expect.stringMatching(/^wamid\./), status: 'SENT', providerStatus: 'accepted' });
    const [request] = standIn.requests();
    expect(request).toMatchObject({ path: `/v23.0/${phoneNumberId}/messages`, status: 200, resourceId: accepted.providerMessageId });
    expect(request?.params).toEqual({
      messaging_product: 'whatsapp',
      recipient_type: 'individual',
      to: '447700900123',
      type: 'text',
      text: { body: 'Hello from support', preview_url: true },
    });
  });

  it('sends a template with header and body components', async () => {
    await send({ kind: 'template', name: 'order_update', language: 'en_US', headerParameters: ['Acme'], bodyParameters: ['Ada', '#1042'] });
    expect(standIn.requests()[0]?.params).toMatchObject({
      type: 'template',
      template: {
        name: 'order_update',
        language: { code: 'en_US', policy: 'deterministic' },
        components: [
          { type: 'header', parameters: [{ type: 'text', text: 'Acme' }] },
          { type: 'body', parameters: [{ type: 'text', text: 'Ada' }, { type: 'text', text: '#1042' }] },
        ],
      },
    });
  });

  it('sends media by link, with a caption and a document file name', async () => {
    await send({ kind: 'media', mediaType: 'document', url: 'https://cdn.example.com/invoice.pdf', caption: 'Invoice', filename: 'invoice.pdf' });
    expect(standIn.requests()[0]?.params).toMatchObject({
      type: 'document',
      document: { link: 'https://cdn.example.com/invoice.pdf', caption: 'Invoice', filename: 'invoice.pdf' },
    });
  });

  it.each([
    [{ type: 'rate-limit' as const }, 'RATE_LIMITED', '130429'],
    [{ type: 'server-error' as const }, 'TRANSIENT', '131000'],
    [{ type: 'server-error' as const, status: 503 }, 'TRANSIENT', '2'],
  ])('maps the stand-in fault %j to %s %s', async (fault, kind, code) => {
    standIn.behaviour.add({ fault });
    const error = await failure(send({ kind: 'text', body: 'hi', previewUrl: false }));
    expect({ kind: error.kind, code: error.code }).toEqual({ kind, code });
  });

  it('fails permanently on a template parameter mismatch (132000)', async () => {
    const error = await failure(send({ kind: 'template', name: 'order_update', language: 'en_US', headerParameters: [], bodyParameters: ['only one'] }));
    expect(error).toMatchObject({ kind: 'PERMANENT', code: '132000' });
  });

  it('fails permanently on an expired or wrong token (190)', async () => {
    const error = await failure(send({ kind: 'text', body: 'hi', previewUrl: false }, { accessToken: 'expired' }));
    expect(error).toMatchObject({ kind: 'PERMANENT', code: '190' });
  });

  it('treats a provider that does not answer in time as transient', async () => {
    standIn.behaviour.add({ fault: { type: 'timeout' } });
    const error = await failure(send({ kind: 'text', body: 'hi', previewUrl: false }, { timeoutMs: 300 }));
    expect(error).toMatchObject({ kind: 'TRANSIENT', code: 'TIMEOUT' });
  });
});
