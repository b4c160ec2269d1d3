import { randomUUID } from 'node:crypto';
import { DEV_CREDENTIALS, startTwilioStandIn, type TwilioStandIn } from '@switchboard/provider-stand-ins';
import { ProviderError, type WhatsappContent } from '../provider';
import { createTwilioWhatsappProvider } from './twilio';

const { accountSid, authToken } = DEV_CREDENTIALS.twilio;
const FROM = '+14155550100';
const TO = '+447700900123';
const CONTENT_SID = `HX${'b'.repeat(32)}`;

let standIn: TwilioStandIn;

beforeAll(async () => {
  standIn = await startTwilioStandIn({ accountSid, authToken, phoneNumbers: [FROM], callbackDelayMs: 10_000 });
});
afterEach(async () => {
  await standIn.control({ action: 'reset' });
});
afterAll(async () => {
  await standIn.close();
});

const send = (content: WhatsappContent) =>
  createTwilioWhatsappProvider({ accountSid, authToken, apiBaseUrl: standIn.url, contentSids: { 'order_update:en_US': CONTENT_SID } }).send({
    messageId: randomUUID(),
    from: FROM,
    to: TO,
    content,
  });

describe('Twilio WhatsApp provider (twilio SDK against the stand-in)', () => {
  it('sends free text between whatsapp: addresses', async () => {
    const accepted = await send({ kind: 'text', body: 'Hello from support', previewUrl: false });
    expect(accepted).toMatchObject({ providerMessageId: expect.stringMatching(/^SM/), status: 'SENT' });
    expect(standIn.requests()[0]?.params).toEqual({ To: `whatsapp:${TO}`, From: `whatsapp:${FROM}`, Body: 'Hello from support' });
  });

  it('sends an approved template as ContentSid with ContentVariables numbered header first, then body', async () => {
    await send({ kind: 'template', name: 'order_update', language: 'en_US', headerParameters: ['Acme'], bodyParameters: ['Ada', '#1042'] });
    const params = standIn.requests()[0]?.params as Record<string, string>;
    expect(params.ContentSid).toBe(CONTENT_SID);
    expect(JSON.parse(params.ContentVariables!)).toEqual({ 1: 'Acme', 2: 'Ada', 3: '#1042' });
    expect(params).not.toHaveProperty('Body');
  });

  it('accepts a template named by its content sid', async () => {
    const sid = `HX${'c'.repeat(32)}`;
    await send({ kind: 'template', name: sid, language: 'en', headerParameters: [], bodyParameters: [] });
    expect(standIn.requests()[0]?.params).toEqual({ To: `whatsapp:${TO}`, From: `whatsapp:${FROM}`, ContentSid: sid });
  });

  it('sends media as MediaUrl with the caption as Body', async () => {
    const accepted = await send({ kind: 'media', mediaType: 'image', url: 'https://cdn.example.com/p.jpg', caption: 'Your receipt', filename: null });
    expect(accepted.providerMessageId).toMatch(/^MM/);
    expect(standIn.requests()[0]?.params).toMatchObject({ MediaUrl: 'https://cdn.example.com/p.jpg', Body: 'Your receipt' });
  });

  it('fails permanently, without calling Twilio, for a template with no content sid', async () => {
    const error = await send({ kind: 'template', name: 'unknown', language: 'en', headerParameters: [], bodyParameters: [] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderError);
    expect(error).toMatchObject({ kind: 'PERMANENT', code: 'TEMPLATE_NOT_MAPPED' });
    expect(standIn.requests()).toHaveLength(0);
  });

  it.each([
    [63016, 'PERMANENT'],
    [63018, 'RATE_LIMITED'],
  ])('maps Twilio error %i to %s', async (code, kind) => {
    standIn.behaviour.add({ fault: { type: 'permanent', code } });
    const error = await send({ kind: 'text', body: 'hi', previewUrl: false }).catch((e: unknown) => e);
    expect(error).toMatchObject({ kind, code: String(code) });
  });

});
