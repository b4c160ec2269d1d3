import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import twilio from 'twilio';
import { ApiBaseRequestClient } from '../src';

const ACCOUNT_SID = `AC${'0'.repeat(32)}`;

describe('ApiBaseRequestClient', () => {
  let server: Server;
  let baseUrl: string;
  const seen: Array<Pick<IncomingMessage, 'method' | 'url'> & { authorization?: string }> = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      seen.push({ method: req.method, url: req.url, authorization: req.headers.authorization });
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ sid: ACCOUNT_SID, friendly_name: 'Local', status: 'active' }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('sends the SDK requests to the configured base, with the same path and credentials', async () => {
    const client = twilio(ACCOUNT_SID, 'token', { httpClient: new ApiBaseRequestClient(`${baseUrl}/`), env: {} });
    const account = await client.api.v2010.accounts(ACCOUNT_SID).fetch();
    expect(account.friendlyName).toBe('Local');
    expect(seen).toEqual([
      {
        method: 'GET',
        url: `/2010-04-01/Accounts/${ACCOUNT_SID}.json`,
        authorization: `Basic ${Buffer.from(`${ACCOUNT_SID}:token`).toString('base64')}`,
      },
    ]);
  });
});
