import { randomUUID } from 'node:crypto';
import { gql } from 'graphql-tag';
import { CALLER_HEADER, signCaller, type Caller } from '@switchboard/auth';
import { createLogger } from '@switchboard/config';
import { startSubgraphServer, type RunningSubgraph } from '../src';

let server: RunningSubgraph;
let origin: string;
const received: { body: string; contentType: string | undefined }[] = [];
const SECRET = 'routes-test-secret-0123456789abcdef';
const uploads: { caller: Caller | undefined; rawBodyLength: number; streamed: number }[] = [];

beforeAll(async () => {
  server = await startSubgraphServer({
    definition: {
      name: 'routes-test',
      typeDefs: gql`
        type Query {
          ping: String
        }
      `,
      resolvers: { Query: { ping: () => 'pong' } },
      createContext: (caller, log) => ({ caller, log }),
      maxBodyBytes: 1000,
      routes: [
        {
          method: 'POST',
          path: '/hooks/echo',
          handler: (req, res, rawBody) => {
            received.push({ body: rawBody.toString('utf8'), contentType: req.headers['content-type'] });
            res.writeHead(202, { 'content-type': 'text/plain' });
            res.end(`got ${rawBody.length} bytes`);
          },
        },
        {
          method: 'POST',
          path: '/uploads/echo',
          auth: 'caller',
          streamBody: true,
          handler: async (req, res, rawBody, caller) => {
            let streamed = 0;
            for await (const chunk of req) streamed += (chunk as Buffer).length;
            uploads.push({ caller, rawBodyLength: rawBody.length, streamed });
            res.end(`streamed ${streamed}`);
          },
        },
        {
          method: 'GET',
          path: '/hooks/echo',
          handler: (req, res, rawBody) => {
            res.end(`query ${new URL(req.url ?? '/', 'http://x').search} body ${rawBody.length}`);
          },
        },
      ],
    },
    port: 0,
    internalSecret: SECRET,
    log: createLogger('routes-test', 'silent'),
  });
  origin = new URL(server.url).origin;
});

afterAll(async () => {
  await server?.close();
});

describe('raw routes (webhooks) on a subgraph server', () => {
  it('serves a route without the caller header, with the body exactly as sent', async () => {
    const body = '{"b": 1,  "a":2}';
    const response = await fetch(`${origin}/hooks/echo?x=1`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    expect(response.status).toBe(202);
    expect(await response.text()).toBe(`got ${Buffer.byteLength(body)} bytes`);
    expect(received).toEqual([{ body, contentType: 'application/json' }]);
  });

  it('routes by method; another method on a route path is 405', async () => {
    const get = await fetch(`${origin}/hooks/echo?hub.challenge=7`);
    expect(await get.text()).toBe('query ?hub.challenge=7 body 0');
    const put = await fetch(`${origin}/hooks/echo`, { method: 'PUT', body: 'x' });
    expect(put.status).toBe(405);
    expect(put.headers.get('allow')).toBe('POST, GET');
  });

  it('caps route bodies like GraphQL bodies: an oversized body never reaches the handler', async () => {
    const before = received.length;
    const response = await fetch(`${origin}/hooks/echo`, { method: 'POST', body: 'x'.repeat(5000) });
    expect(response.status).toBe(413);
    expect(await response.json()).toMatchObject({ errors: [{ extensions: { code: 'PAYLOAD_TOO_LARGE' } }] });
    expect(received).toHaveLength(before);
  });

  it('still refuses /graphql without the caller header, and unknown paths', async () => {
    const graphql = await fetch(server.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query":"{ ping }"}' });
    expect(graphql.status).toBe(401);
    expect((await fetch(`${origin}/hooks/other`, { method: 'POST', body: '' })).status).toBe(404);
  });

  it('a route with auth "caller" answers 401 without the gateway context and gets the verified caller', async () => {
    const refused = await fetch(`${origin}/uploads/echo`, { method: 'POST', body: 'x' });
    expect(refused.status).toBe(401);
    expect(await refused.json()).toMatchObject({ errors: [{ extensions: { code: 'UNAUTHENTICATED' } }] });
    expect(uploads).toHaveLength(0);
    const caller: Caller = {
      kind: 'user',
      userId: randomUUID(),
      organizationId: randomUUID(),
      role: 'ADMIN',
      sessionId: randomUUID(),
      tokenId: randomUUID(),
      clientIp: '127.0.0.1',
      requestId: randomUUID(),
    };
    const response = await fetch(`${origin}/uploads/echo`, { method: 'POST', headers: { [CALLER_HEADER]: signCaller(caller, SECRET) }, body: 'y'.repeat(5000) });
    expect(await response.text()).toBe('streamed 5000');
    expect(uploads).toEqual([{ caller, rawBodyLength: 0, streamed: 5000 }]);
  });
});
