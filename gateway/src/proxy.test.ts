import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createLogger } from '@switchboard/config';
import { createProxy } from './proxy';

const log = createLogger('webhook-proxy-test', 'silent');

interface Seen {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

function listen(server: Server): Promise<string> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)));
}

let upstream: Server;
let front: Server;
let frontUrl: string;
let upstreamUrl: string;
const seen: Seen[] = [];

beforeAll(async () => {
  upstream = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks) });
      if (req.url?.startsWith('/webhooks/forbidden')) {
        res.writeHead(403, { 'content-type': 'text/plain' }).end('forbidden');
        return;
      }
      res.writeHead(200, { 'content-type': 'text/xml', 'x-upstream': 'yes' }).end('<Response/>');
    });
  });
  upstreamUrl = await listen(upstream);
  const proxy = createProxy({ upstream: upstreamUrl, maxBodyBytes: 1024, clientIp: () => '203.0.113.9', log });
  front = createServer((req, res) => void proxy(req, res));
  frontUrl = await listen(front);
});

afterAll(async () => {
  await new Promise((resolve) => front.close(resolve));
  await new Promise((resolve) => upstream.close(resolve));
});

it('forwards method, path, query, headers and the raw body byte for byte, and relays the answer', async () => {
  // Bytes a JSON re-serialisation would change (spacing, key order, escapes): signatures cover these.
  const raw = Buffer.from('{"b":1,  "a":"\\u00e9"}\n');
  const response = await fetch(`${frontUrl}/webhooks/twilio/status?messageId=abc&x=1%202`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-twilio-signature': 'sig==', 'x-hub-signature-256': 'sha256=ff', connection: 'keep-alive' },
    body: raw,
  });
  expect(response.status).toBe(200);
  expect(response.headers.get('x-upstream')).toBe('yes');
  expect(await response.text()).toBe('<Response/>');
  const request = seen.at(-1)!;
  expect(request.method).toBe('POST');
  expect(request.url).toBe('/webhooks/twilio/status?messageId=abc&x=1%202');
  expect(request.body.equals(raw)).toBe(true);
  expect(request.headers).toMatchObject({
    'content-type': 'application/json',
    'x-twilio-signature': 'sig==',
    'x-hub-signature-256': 'sha256=ff',
    'x-forwarded-for': '203.0.113.9',
    'x-forwarded-proto': 'http',
    'x-forwarded-host': new URL(frontUrl).host,
  });
});

it('passes GET handshakes and the upstream refusals through unchanged', async () => {
  const handshake = await fetch(`${frontUrl}/webhooks/whatsapp?hub.mode=subscribe&hub.challenge=42`);
  expect(handshake.status).toBe(200);
  expect(seen.at(-1)).toMatchObject({ method: 'GET', url: '/webhooks/whatsapp?hub.mode=subscribe&hub.challenge=42' });
  const refused = await fetch(`${frontUrl}/webhooks/forbidden`, { method: 'POST', body: 'x' });
  expect(refused.status).toBe(403);
  expect(await refused.text()).toBe('forbidden');
});

it('refuses bodies over the limit with 413 without forwarding them', async () => {
  const before = seen.length;
  const response = await fetch(`${frontUrl}/webhooks/twilio/status`, { method: 'POST', body: 'x'.repeat(4096) });
  expect(response.status).toBe(413);
  expect((await response.json()).errors[0].extensions.code).toBe('PAYLOAD_TOO_LARGE');
  expect(seen.length).toBe(before);
});

it('answers 502 when the receiver is down', async () => {
  const proxy = createProxy({ upstream: 'http://127.0.0.1:1', maxBodyBytes: 1024, clientIp: () => '127.0.0.1', log });
  const lonely = createServer((req, res) => void proxy(req, res));
  const url = await listen(lonely);
  try {
    const response = await fetch(`${url}/webhooks/whatsapp`, { method: 'POST', body: '{}' });
    expect(response.status).toBe(502);
    expect((await response.json()).errors[0].extensions.code).toBe('BAD_GATEWAY');
  } finally {
    await new Promise((resolve) => lonely.close(resolve));
  }
});

it('never forwards a client-sent caller header or bearer token, and adds what the gateway signs', async () => {
  const proxy = createProxy({ upstream: upstreamUrl, maxBodyBytes: 1024, clientIp: () => '203.0.113.9', log });
  const signing = createServer((req, res) => void proxy(req, res, { 'x-switchboard-caller': 'signed-by-gateway' }));
  const signingUrl = await listen(signing);
  try {
    await fetch(`${frontUrl}/webhooks/twilio/inbound`, {
      method: 'POST',
      headers: { 'x-switchboard-caller': 'forged', authorization: 'Bearer stolen' },
      body: 'a=1',
    });
    const plain = seen.at(-1)!;
    expect(plain.headers['x-switchboard-caller']).toBeUndefined();
    expect(plain.headers.authorization).toBeUndefined();

    await fetch(`${signingUrl}/uploads/contacts?defaultCountry=GB`, {
      method: 'POST',
      headers: { 'content-type': 'text/csv', 'x-switchboard-caller': 'forged', authorization: 'Bearer t' },
      body: 'name,phone\nAda,+442071838750\n',
    });
    const upload = seen.at(-1)!;
    expect(upload.url).toBe('/uploads/contacts?defaultCountry=GB');
    expect(upload.headers['x-switchboard-caller']).toBe('signed-by-gateway');
    expect(upload.headers.authorization).toBeUndefined();
    expect(upload.body.toString()).toBe('name,phone\nAda,+442071838750\n');
  } finally {
    await new Promise((resolve) => signing.close(resolve));
  }
});
