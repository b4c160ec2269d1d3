import http from 'node:http';
import https from 'node:https';
import type { RemoteGraphQLDataSource } from '@apollo/gateway';

/** @apollo/gateway's fetcher shape (from @apollo/utils.fetcher), taken from the data source it serves. */
type Fetcher = NonNullable<NonNullable<ConstructorParameters<typeof RemoteGraphQLDataSource>[0]>['fetcher']>;
type FetcherRequestInit = NonNullable<Parameters<Fetcher>[1]>;
type FetcherResponse = Awaited<ReturnType<Fetcher>>;

/**
 * The gateway's fetcher for subgraph requests: node's http with keep-alive agents, the body read
 * whole. The default (make-fetch-happen) builds an Error per request to sniff its caller and runs
 * cache machinery the gateway never uses: about a third of the gateway's time on the send path.
 */
export function createHttpFetcher(options: { maxSockets?: number; timeoutMs?: number } = {}): Fetcher {
  const agents = {
    'http:': new http.Agent({ keepAlive: true, maxSockets: options.maxSockets ?? 128 }),
    'https:': new https.Agent({ keepAlive: true, maxSockets: options.maxSockets ?? 128 }),
  };
  const timeoutMs = options.timeoutMs ?? 30_000;

  return (url: string, init: FetcherRequestInit = {}) =>
    new Promise<FetcherResponse>((resolve, reject) => {
      const target = new URL(url);
      const agent = target.protocol === 'https:' ? agents['https:'] : agents['http:'];
      const send = target.protocol === 'https:' ? https.request : http.request;
      const body = init.body === undefined ? undefined : typeof init.body === 'string' ? Buffer.from(init.body) : init.body;
      const req = send(
        target,
        {
          agent,
          method: init.method ?? 'GET',
          headers: { ...init.headers, ...(body ? { 'content-length': String(body.length) } : {}) },
          ...(init.signal ? { signal: init.signal } : {}),
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('error', reject);
          res.on('end', () => {
            const headers = new Headers();
            for (const [name, value] of Object.entries(res.headers)) {
              if (Array.isArray(value)) for (const item of value) headers.append(name, item);
              else if (value !== undefined) headers.set(name, value);
            }
            resolve(bufferedResponse(url, res.statusCode ?? 0, res.statusMessage ?? '', headers, Buffer.concat(chunks)));
          });
        },
      );
      req.setTimeout(timeoutMs, () => req.destroy(new Error(`request to ${target.origin} timed out after ${timeoutMs} ms`)));
      req.on('error', reject);
      req.end(body);
    });
}

function bufferedResponse(url: string, status: number, statusText: string, headers: Headers, body: Buffer): FetcherResponse {
  let used = false;
  const take = () => {
    if (used) throw new TypeError('body already read');
    used = true;
    return body;
  };
  return {
    get bodyUsed() {
      return used;
    },
    url,
    redirected: false,
    status,
    ok: status >= 200 && status < 300,
    statusText,
    headers,
    arrayBuffer: async () => {
      const bytes = take();
      return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
    },
    text: async () => take().toString('utf8'),
    json: async () => JSON.parse(take().toString('utf8')) as unknown,
    clone: () => bufferedResponse(url, status, statusText, new Headers(headers), body),
  };
}
