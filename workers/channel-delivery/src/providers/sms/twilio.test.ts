import { randomUUID } from 'node:crypto';
import { createServer as createHttpServer } from 'node:http';
import { createServer } from 'node:net';
import twilio from 'twilio';
import { DEV_CREDENTIALS, startTwilioStandIn, type TwilioStandIn } from '@switchboard/provider-stand-ins';
import { ProviderError } from '../provider';
import { createTwilioSmsProvider } from './twilio';

const { accountSid, authToken } = DEV_CREDENTIALS.twilio;
const FROM = '+14155550100';
const TO = '+14155550199';
const CALLBACK = 'https://switchboard.example/webhooks/twilio/status';

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

const sms = (overrides: Partial<{ from: string; to: string; body: string }> = {}) => ({
  messageId: randomUUID(),
  from: FROM,
  to: TO,
  body: 'Your order has shipped',
  ...overrides,
});

function provider(overrides: { authToken?: string; apiBaseUrl?: string; timeoutMs?: number } = {}) {
  return createTwilioSmsProvider({ accountSid, authToken, apiBaseUrl: standIn.url, statusCallbackUrl: CALLBACK, ...overrides });
}

async function failure(promise: Promise<unknown>): Promise<ProviderError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ProviderError);
  return error as ProviderError;
}

describe('Twilio SMS provider (twilio SDK against the stand-in)', () => {
  it('creates a Message with To, From, Body and a StatusCallback naming our message, and reads the sid as the provider id', async () => {
    const message = sms();
    const accepted = await provider().send(message);

    expect(accepted).toEqual({ providerMessageId: expect.stringMatching(/^SM[0-9a-f]{32}$/), status: 'SENT', providerStatus: 'queued' });
    const [request] = standIn.requests();
    expect(request).toMatchObject({
      method: 'POST',
      path: `/2010-04-01/Accounts/${accountSid}/Messages.json`,
      status: 201,
      resourceId: accepted.providerMessageId,
      params: { To: TO, From: FROM, Body: 'Your order has shipped', StatusCallback: `${CALLBACK}?messageId=${message.messageId}` },
    });
    expect(standIn.message(accepted.providerMessageId)?.status).toBe('queued');
  });

  it('gets signed status callbacks at the StatusCallback URL, with our message id in it', async () => {
    const callbacks: { url: string; signature: string; params: Record<string, string> }[] = [];
    const server = createHttpServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        callbacks.push({ url: req.url!, signature: String(req.headers['x-twilio-signature']), params: Object.fromEntries(new URLSearchParams(body)) });
        res.end('<Response/>');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(server.address() as { port: number }).port}/webhooks/twilio/status`;
    try {
      standIn.behaviour.add({ recipient: TO, callbacks: { delayMs: 5 } });
      const message = sms();
      const accepted = await createTwilioSmsProvider({ accountSid, authToken, apiBaseUrl: standIn.url, statusCallbackUrl: base }).send(message);
      for (let waited = 0; callbacks.length < 3 && waited < 5_000; waited += 20) await new Promise((resolve) => setTimeout(resolve, 20));

      expect(callbacks.map((c) => c.params.MessageStatus)).toEqual(['sending', 'sent', 'delivered']);
      for (const callback of callbacks) {
        expect(callback.url).toBe(`/webhooks/twilio/status?messageId=${message.messageId}`);
        expect(callback.params.MessageSid).toBe(accepted.providerMessageId);
        expect(twilio.validateRequest(authToken, callback.signature, `http://127.0.0.1:${(server.address() as { port: number }).port}${callback.url}`, callback.params)).toBe(true);
      }
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('sends from a Messaging Service when From is an MG sid', async () => {
    const service = `MG${'a'.repeat(32)}`;
    await provider().send(sms({ from: service }));
    expect(standIn.requests()[0]?.params).toMatchObject({ MessagingServiceSid: service });
    expect(standIn.requests()[0]?.params).not.toHaveProperty('From');
  });

  it.each([
    [{ type: 'rate-limit' as const }, 'RATE_LIMITED', '20429'],
    [{ type: 'permanent' as const, code: 63018 }, 'RATE_LIMITED', '63018'],
    [{ type: 'server-error' as const }, 'TRANSIENT', '20500'],
    [{ type: 'server-error' as const, status: 503 }, 'TRANSIENT', '20503'],
    [{ type: 'permanent' as const, code: 21211 }, 'PERMANENT', '21211'],
    [{ type: 'permanent' as const, code: 21610 }, 'PERMANENT', '21610'],
  ])('maps the stand-in fault %j to %s %s', async (fault, kind, code) => {
    standIn.behaviour.add({ recipient: TO, fault });
    const error = await failure(provider().send(sms()));
    expect({ kind: error.kind, code: error.code }).toEqual({ kind, code });
  });

  it('keeps the recipient out of the reason of a refused number', async () => {
    const error = await failure(provider().send(sms({ to: '+1234' })));
    expect(error).toMatchObject({ kind: 'PERMANENT', code: '21211' });
    expect(error.reason).toContain('[number]');
    expect(error.reason).not.toContain('1234');
  });

  it('treats refused credentials as permanent (20003)', async () => {
    const error = await failure(provider({ authToken: 'wrong' }).send(sms()));
    expect(error).toMatchObject({ kind: 'PERMANENT', code: '20003' });
  });

  it('treats a provider that does not answer in time as transient', async () => {
    standIn.behaviour.add({ recipient: TO, fault: { type: 'timeout' } });
    const started = Date.now();
    const error = await failure(provider({ timeoutMs: 300 }).send(sms()));
    expect(error).toMatchObject({ kind: 'TRANSIENT', code: 'TIMEOUT' });
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('treats a refused connection as transient', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as { port: number };
    await new Promise<void>((resolve) => closed.close(() => resolve()));

    const error = await failure(provider({ apiBaseUrl: `http://127.0.0.1:${port}` }).send(sms()));
    expect(error).toMatchObject({ kind: 'TRANSIENT', code: 'ECONNREFUSED' });
  });
});
