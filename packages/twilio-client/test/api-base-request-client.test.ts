// The real twilio SDK over ApiBaseRequestClient against a local HTTP server: what the server
// receives (method, path, auth, form and query encoding, keep-alive) and what the SDK makes of
// the answers (records, RestException, timeouts, network errors).
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import twilio from 'twilio';
import AuthStrategy from 'twilio/lib/auth_strategy/AuthStrategy';
import { ApiBaseRequestClient } from '../src';

const ACCOUNT_SID = `AC${'0'.repeat(32)}`;
const MESSAGE_SID = `SM${'1'.repeat(32)}`;
const BASIC = `Basic ${Buffer.from(`${ACCOUNT_SID}:token`).toString('base64')}`;
const TO = '+14155550142';
const FROM = '+14155550100';

interface Received {
  method: string | undefined;
  url: string | undefined;
  headers: IncomingHttpHeaders;
  body: string;
  remotePort: number | undefined;
}

type Handler = (req: IncomingMessage, res: ServerResponse, received: Received) => void;

const json = (res: ServerResponse, status: number, payload: unknown) => {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(payload));
};

const message = (overrides: Record<string, unknown> = {}) => ({ sid: MESSAGE_SID, account_sid: ACCOUNT_SID, status: 'queued', to: TO, from: FROM, ...overrides });

let server: Server;
let baseUrl: string;
let received: Received[];
let handler: Handler;

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => {
      body += chunk;
    });
    req.on('end', () => {
      const entry = { method: req.method, url: req.url, headers: req.headers, body, remotePort: req.socket.remotePort };
      received.push(entry);
      handler(req, res, entry);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

beforeEach(() => {
  received = [];
  handler = (_req, res) => json(res, 200, { sid: ACCOUNT_SID, friendly_name: 'Local', status: 'active' });
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

const sdk = (httpClient = new ApiBaseRequestClient(`${baseUrl}/`), options: twilio.ClientOpts = {}) =>
  twilio(ACCOUNT_SID, 'token', { httpClient, env: {}, ...options });

describe('ApiBaseRequestClient', () => {
  it('sends the SDK requests to the configured base, with the same path and credentials', async () => {
    const account = await sdk().api.v2010.accounts(ACCOUNT_SID).fetch();
    expect(account.friendlyName).toBe('Local');
    expect(received).toHaveLength(1);
    expect(received[0]).toMatchObject({ method: 'GET', url: `/2010-04-01/Accounts/${ACCOUNT_SID}.json`, body: '' });
    expect(received[0]!.headers).toMatchObject({ authorization: BASIC, connection: 'keep-alive', accept: 'application/json' });
    expect(received[0]!.headers['user-agent']).toMatch(/^twilio-node\//);
  });

  it('rewrites edge/region API hosts too, under a base path', async () => {
    const client = sdk(new ApiBaseRequestClient(`${baseUrl}/twilio///`), { edge: 'sydney', region: 'au1' });
    await client.api.v2010.accounts(ACCOUNT_SID).fetch();
    expect(received.map((r) => r.url)).toEqual([`/twilio/2010-04-01/Accounts/${ACCOUNT_SID}.json`]);
  });

  it('form-encodes messages.create, a MediaUrl field per array element', async () => {
    handler = (_req, res) => json(res, 201, message());
    const body = 'Hello 👋 a+b & c=d 100% ~*';
    const created = await sdk().messages.create({ to: TO, from: FROM, body, mediaUrl: ['https://example.com/a.png', 'https://example.com/b?x=1&y=2'] });
    expect(created.sid).toBe(MESSAGE_SID);
    const [request] = received;
    expect(request).toMatchObject({ method: 'POST', url: `/2010-04-01/Accounts/${ACCOUNT_SID}/Messages.json` });
    expect(request!.headers).toMatchObject({ authorization: BASIC, 'content-type': 'application/x-www-form-urlencoded' });
    expect(Number(request!.headers['content-length'])).toBe(Buffer.byteLength(request!.body));
    const form = new URLSearchParams(request!.body);
    expect(form.get('To')).toBe(TO);
    expect(form.get('From')).toBe(FROM);
    expect(form.get('Body')).toBe(body);
    expect(form.getAll('MediaUrl')).toEqual(['https://example.com/a.png', 'https://example.com/b?x=1&y=2']);
    expect([...form.keys()].sort()).toEqual(['Body', 'From', 'MediaUrl', 'MediaUrl', 'To']);
  });

  it('puts list params in the query string and reads the page', async () => {
    handler = (_req, res) =>
      json(res, 200, { messages: [message(), message({ sid: `SM${'2'.repeat(32)}` })], next_page_uri: null, page: 0, page_size: 2, uri: '/x' });
    const listed = await sdk().messages.list({ to: TO, dateSentAfter: new Date('2024-01-02T03:04:05Z'), limit: 2 });
    expect(listed.map((m) => m.sid)).toEqual([MESSAGE_SID, `SM${'2'.repeat(32)}`]);
    const [request] = received;
    expect(request).toMatchObject({ method: 'GET', body: '' });
    const url = new URL(request!.url!, baseUrl);
    expect(url.pathname).toBe(`/2010-04-01/Accounts/${ACCOUNT_SID}/Messages.json`);
    expect(Object.fromEntries(url.searchParams)).toEqual({ To: TO, 'DateSent>': '2024-01-02T03:04:05Z', PageSize: '2' });
  });

  it('turns a 4xx JSON error into the SDK\'s RestException', async () => {
    handler = (_req, res) => json(res, 400, { code: 21211, message: "The 'To' number 12 is not a valid phone number.", more_info: 'https://www.twilio.com/docs/errors/21211', status: 400 });
    const error = await sdk().messages.create({ to: '12', from: FROM, body: 'x' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(twilio.RestException);
    expect(error).toMatchObject({ status: 400, code: 21211, moreInfo: 'https://www.twilio.com/docs/errors/21211' });
    expect((error as Error).message).toContain('not a valid phone number');
  });

  it('times out a server that never answers, with the axios code and text', async () => {
    handler = () => undefined;
    const started = Date.now();
    const error = await sdk(new ApiBaseRequestClient(baseUrl, { timeout: 200 })).messages.create({ to: TO, from: FROM, body: 'x' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect(error).toMatchObject({ code: 'ECONNABORTED', message: 'timeout of 200ms exceeded' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(received).toHaveLength(1);
  });

  it('reuses one socket for sequential requests (keep-alive)', async () => {
    const client = sdk();
    await client.api.v2010.accounts(ACCOUNT_SID).fetch();
    await client.api.v2010.accounts(ACCOUNT_SID).fetch();
    await client.messages(MESSAGE_SID).remove().catch(() => undefined);
    expect(received).toHaveLength(3);
    expect(new Set(received.map((r) => r.remotePort)).size).toBe(1);
  });

  it('rejects on a network error with its code', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    await expect(sdk(new ApiBaseRequestClient(`http://127.0.0.1:${port}`)).api.v2010.accounts(ACCOUNT_SID).fetch()).rejects.toMatchObject({
      code: 'ECONNREFUSED',
    });
  });

  it('retries 429 answers when autoRetry is on, and not otherwise', async () => {
    let answers = 0;
    handler = (_req, res) => (answers++ === 0 ? json(res, 429, { code: 20429, message: 'Too Many Requests', status: 429 }) : json(res, 201, message()));
    const retried = await sdk(new ApiBaseRequestClient(baseUrl, { autoRetry: true, maxRetryDelay: 20 })).messages.create({ to: TO, from: FROM, body: 'x' });
    expect(retried.sid).toBe(MESSAGE_SID);
    expect(received).toHaveLength(2);
    expect(received[1]!.body).toBe(received[0]!.body);

    answers = 0;
    await expect(sdk().messages.create({ to: TO, from: FROM, body: 'x' })).rejects.toMatchObject({ status: 429, code: 20429 });
    expect(received).toHaveLength(3);
  });

  describe('request() as the SDK calls it', () => {
    const client = () => new ApiBaseRequestClient(baseUrl);

    it('resolves any status with the body as text and the headers, following no redirect', async () => {
      handler = (_req, res) => {
        res.writeHead(302, { location: '/elsewhere', 'x-twilio-request': 'abc' });
        res.end('moved');
      };
      const response = await client().request({ method: 'get', uri: 'https://api.twilio.com/2010-04-01/x.json' });
      expect(response).toMatchObject({ statusCode: 302, body: 'moved' });
      expect(response.headers).toMatchObject({ location: '/elsewhere', 'x-twilio-request': 'abc' });
      expect(received.map((r) => r.url)).toEqual(['/2010-04-01/x.json']);

      handler = (_req, res) => {
        res.writeHead(503, { 'content-type': 'text/plain' });
        res.end('unavailable');
      };
      await expect(client().request({ method: 'get', uri: 'https://api.twilio.com/x' })).resolves.toMatchObject({ statusCode: 503, body: 'unavailable' });
    });

    it('decodes a UTF-8 body split inside a character', async () => {
      const text = JSON.stringify({ body: 'héllo 👋' });
      const bytes = Buffer.from(text);
      const split = bytes.indexOf(Buffer.from('👋')) + 2;
      handler = (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write(bytes.subarray(0, split));
        setTimeout(() => res.end(bytes.subarray(split)), 20);
      };
      const response = await client().request({ method: 'get', uri: 'https://api.twilio.com/x' });
      expect(response.body).toBe(text);
    });

    it('sends JSON bodies, the auth strategy\'s string, and the Connection header given', async () => {
      class StaticToken extends AuthStrategy {
        constructor() {
          super('token');
        }
        getAuthString() {
          return Promise.resolve('Bearer abc');
        }
        requiresAuthentication() {
          return true;
        }
      }
      await client().request({
        method: 'post',
        uri: 'https://api.twilio.com/v1/Things',
        authStrategy: new StaticToken(),
        headers: { 'Content-Type': 'application/json', Connection: 'close' },
        data: { name: 'x', tags: ['a', 'b'] },
        params: { Filter: ['p', 'q'], Empty: undefined },
      });
      expect(received).toHaveLength(1);
      expect(received[0]).toMatchObject({ method: 'POST', url: '/v1/Things?Filter=p&Filter=q', body: '{"name":"x","tags":["a","b"]}' });
      expect(received[0]!.headers).toMatchObject({ authorization: 'Bearer abc', connection: 'close', 'content-type': 'application/json' });
    });

    it('does not rewrite other hosts', async () => {
      const port = (server.address() as AddressInfo).port;
      await client().request({ method: 'get', uri: `http://localhost:${port}/other?a=1`, params: { b: 2 } });
      expect(received.map((r) => [r.url, r.headers.host])).toEqual([['/other?a=1&b=2', `localhost:${port}`]]);
    });

    it('refuses the validation client it cannot apply', () => {
      expect(
        () => new ApiBaseRequestClient(baseUrl, { validationClient: { accountSid: ACCOUNT_SID, credentialSid: 'CR', signingKey: 'SK', privateKey: 'k', algorithm: 'PS256' } }),
      ).toThrow(/validationClient/);
    });
  });
});
