import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';

export interface HttpRequest {
  method: string;
  /** Path without the query string. */
  path: string;
  query: URLSearchParams;
  headers: http.IncomingHttpHeaders;
  /** Raw body bytes as received. */
  body: Buffer;
}

export interface HttpResponse {
  status: number;
  headers?: Record<string, string>;
  /** Serialised as JSON unless a string (sent as is). */
  body?: unknown;
}

/** `undefined` = never answer (an injected timeout); the socket stays open until the server closes. */
export type HttpHandler = (request: HttpRequest) => Promise<HttpResponse | undefined>;

export interface RunningHttpServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 5 * 1024 * 1024;

export async function startHttpServer(
  handler: HttpHandler,
  options: { host?: string; port?: number; onError?: (error: unknown) => void },
): Promise<RunningHttpServer> {
  const host = options.host ?? '127.0.0.1';
  const server = http.createServer((req, res) => {
    readBody(req).then(
      async (body) => {
        const url = new URL(req.url ?? '/', 'http://stand-in');
        const response = await handler({
          method: req.method ?? 'GET',
          path: url.pathname,
          query: url.searchParams,
          headers: req.headers,
          body,
        });
        if (response === undefined) return; // injected timeout: hold the request
        writeResponse(res, response);
      },
      (error: unknown) => {
        writeResponse(res, { status: 413, body: { message: error instanceof Error ? error.message : String(error) } });
      },
    ).catch((error: unknown) => {
      options.onError?.(error);
      if (!res.headersSent) writeResponse(res, { status: 500, body: { message: 'stand-in internal error' } });
    });
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host}:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function readBody(req: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new Error('request body too large'));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function writeResponse(res: http.ServerResponse, response: HttpResponse): void {
  const isText = typeof response.body === 'string';
  const payload = response.body === undefined ? '' : isText ? (response.body as string) : JSON.stringify(response.body);
  const headers: Record<string, string> = {
    ...(response.body === undefined ? {} : { 'content-type': isText ? 'text/plain; charset=utf-8' : 'application/json' }),
    ...response.headers,
    'content-length': String(Buffer.byteLength(payload)),
  };
  res.writeHead(response.status, headers);
  res.end(payload);
}

export function json(status: number, body: unknown, headers?: Record<string, string>): HttpResponse {
  return { status, body, headers };
}

export function parseJson(body: Buffer): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(body.toString('utf8')) };
  } catch {
    return { ok: false };
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** One POST of a callback / webhook, as recorded by the stand-ins (`callbacks()` / `webhooks()`). */
export interface WebhookDelivery {
  url: string;
  /** What was posted: form parameters (Twilio) or the JSON body (WhatsApp). */
  payload: unknown;
  /** HTTP status of the answer; undefined when the request failed (connection refused, timeout). */
  status?: number;
  error?: string;
  attempt: number;
  at: string;
}

export interface PostResult {
  status?: number;
  body?: string;
  error?: string;
}

/** Keep-alive connections for callbacks: a provider posts thousands of them to the same host. */
const callbackAgents = { http: new http.Agent({ keepAlive: true, maxSockets: 64 }), https: new https.Agent({ keepAlive: true, maxSockets: 64 }) };

/**
 * Requests in flight per abort signal, with one listener per signal that ends them all: a
 * listener per request (node's `signal` option) cost a tenth of a busy stand-in's CPU.
 */
const inFlightBySignal = new WeakMap<AbortSignal, Set<http.ClientRequest>>();
function inFlightOf(signal: AbortSignal): Set<http.ClientRequest> {
  let inFlight = inFlightBySignal.get(signal);
  if (!inFlight) {
    const requests = new Set<http.ClientRequest>();
    signal.addEventListener('abort', () => {
      for (const req of requests) req.destroy(new Error('aborted'));
    }, { once: true });
    inFlightBySignal.set(signal, requests);
    inFlight = requests;
  }
  return inFlight;
}

/**
 * `compute`, remembered for the last `max` keys (the oldest goes first). For work that repeats with
 * the same input, such as parsing the few URLs every callback of a sender goes to.
 */
export function memoize<V>(max: number, compute: (key: string) => V): (key: string) => V {
  const known = new Map<string, V>();
  return (key) => {
    if (known.has(key)) return known.get(key)!;
    const value = compute(key);
    if (known.size >= max) known.delete(known.keys().next().value!);
    known.set(key, value);
    return value;
  };
}

/**
 * `new URL(url)`, remembered: parsing the callback URLs took about 8% of the stand-ins' CPU in
 * `bench:send`. The URLs it hands out are never changed.
 */
export const parseUrl = memoize(1_000, (url) => new URL(url));

/**
 * POSTs `body` and never throws: a webhook receiver that is down is something the stand-in reports.
 * Node's http with keep-alive (fetch costs several times the CPU per request, and the stand-ins
 * share the machine with what they are testing).
 */
export function postBody(
  url: string,
  body: string,
  headers: Record<string, string>,
  signal: AbortSignal,
  timeoutMs = 15_000,
): Promise<PostResult> {
  return new Promise<PostResult>((resolve) => {
    let target: URL;
    try {
      target = parseUrl(url);
    } catch (error) {
      resolve({ error: (error as Error).message });
      return;
    }
    const secure = target.protocol === 'https:';
    const payload = Buffer.from(body);
    if (signal.aborted) {
      resolve({ error: 'aborted' });
      return;
    }
    const req = (secure ? https.request : http.request)(
      target,
      {
        method: 'POST',
        agent: secure ? callbackAgents.https : callbackAgents.http,
        headers: { ...headers, 'content-length': String(payload.length) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', (error) => resolve({ error: error.message }));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      },
    );
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`timed out after ${timeoutMs} ms`)));
    req.on('error', (error) => resolve({ error: error.message }));
    const inFlight = inFlightOf(signal);
    inFlight.add(req);
    req.once('close', () => inFlight.delete(req));
    req.end(payload);
  });
}
