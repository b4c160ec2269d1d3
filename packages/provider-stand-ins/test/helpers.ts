import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';

export const REPO_ROOT = path.resolve(__dirname, '../../..');
/** The official API descriptions live beside the repository (`../shared/specs`), never inside it. */
export const SPECS_DIR = path.resolve(REPO_ROOT, '..', 'shared', 'specs');
export const TWILIO_SPEC = path.join(SPECS_DIR, 'twilio_api_v2010.json');
export const WHATSAPP_SPEC = path.join(SPECS_DIR, 'whatsapp-business-messaging-api_v23.0.yaml');

export const ACCOUNT_SID = 'AC0123456789abcdef0123456789abcdef';
export const AUTH_TOKEN = 'test-auth-token-5f1c';

export interface ReceivedRequest {
  method: string;
  /** Path and query as received. */
  url: string;
  /** The URL the sender addressed (http://host:port/path?query). */
  fullUrl: string;
  headers: http.IncomingHttpHeaders;
  rawBody: string;
  form: Record<string, string>;
  receivedAt: number;
}

export interface Receiver {
  url: string;
  requests: ReceivedRequest[];
  /** Status the receiver answers with (default 200). */
  respondWith: { status: number; body: string };
  waitFor(predicate: (request: ReceivedRequest) => boolean, count?: number, timeoutMs?: number): Promise<ReceivedRequest[]>;
  close(): Promise<void>;
}

/** A tiny webhook receiver standing in for the app. */
export async function startReceiver(): Promise<Receiver> {
  const requests: ReceivedRequest[] = [];
  const respondWith = { status: 200, body: '<Response/>' };
  const listeners = new Set<() => void>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const rawBody = Buffer.concat(chunks).toString('utf8');
      const isForm = (req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded');
      requests.push({
        method: req.method ?? '',
        url: req.url ?? '',
        fullUrl: `http://${req.headers.host}${req.url}`,
        headers: req.headers,
        rawBody,
        form: isForm ? Object.fromEntries(new URLSearchParams(rawBody)) : {},
        receivedAt: Date.now(),
      });
      res.writeHead(respondWith.status, { 'content-type': 'text/xml' });
      res.end(respondWith.body);
      for (const listener of listeners) listener();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    respondWith,
    waitFor(predicate, count = 1, timeoutMs = 10_000) {
      return new Promise((resolve, reject) => {
        const check = (): boolean => {
          const matching = requests.filter(predicate);
          if (matching.length >= count) {
            listeners.delete(listener);
            clearTimeout(timer);
            resolve(matching);
            return true;
          }
          return false;
        };
        const listener = (): void => void check();
        const timer = setTimeout(() => {
          listeners.delete(listener);
          reject(new Error(`receiver: expected ${count} matching requests within ${timeoutMs} ms, got ${requests.filter(predicate).length}`));
        }, timeoutMs);
        listeners.add(listener);
        check();
      });
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

export async function freePort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export interface PrismProxy {
  url: string;
  output(): string;
  close(): Promise<void>;
}

/**
 * `prism proxy --errors <spec> <upstream>`: validates requests (422 on a violation) and the
 * upstream's responses (500 `#VIOLATIONS` on a violation) against the spec.
 */
export async function startPrismProxy(spec: string, upstream: string, timeoutMs = 60_000): Promise<PrismProxy> {
  if (!existsSync(spec)) {
    throw new Error(`spec not found: ${spec} (the tests expect ../shared/specs beside the repository)`);
  }
  const port = await freePort();
  const bin = path.join(REPO_ROOT, 'node_modules', '.bin', 'prism');
  const child: ChildProcess = spawn(bin, ['proxy', '-h', '127.0.0.1', '-p', String(port), '--errors', spec, upstream], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const started = Date.now();
  while (!output.includes('Prism is listening')) {
    if (child.exitCode !== null) throw new Error(`prism exited (${child.exitCode}):\n${output.slice(-2000)}`);
    if (Date.now() - started > timeoutMs) {
      child.kill();
      throw new Error(`prism did not start within ${timeoutMs} ms:\n${output.slice(-2000)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    url: `http://127.0.0.1:${port}`,
    output: () => output,
    close: async () => {
      if (child.exitCode === null) child.kill();
      await exited;
    },
  };
}

export interface Forwarder {
  url: string;
  /** When set, JSON response bodies are rewritten by it: a deliberate spec violation (negative control). */
  corrupt: ((body: Record<string, unknown>) => Record<string, unknown>) | undefined;
  close(): Promise<void>;
}

/**
 * Upstream of a Prism proxy: forwards each request to the target chosen by path (first matching
 * prefix), so one Prism process checks both directions (API calls and webhooks).
 */
export async function startForwarder(routes: Array<{ prefix: string; target: () => string }>): Promise<Forwarder> {
  const forwarder: Forwarder = { url: '', corrupt: undefined, close: async () => undefined };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const route = routes.find((r) => (req.url ?? '/').startsWith(r.prefix));
      if (route === undefined) {
        res.writeHead(502).end();
        return;
      }
      const headers = Object.fromEntries(
        Object.entries(req.headers).filter(([name]) => !['host', 'content-length', 'connection', 'transfer-encoding'].includes(name)),
      ) as Record<string, string>;
      const body = chunks.length > 0 ? Buffer.concat(chunks) : undefined;
      fetch(`${route.target()}${req.url}`, { method: req.method, headers, body }).then(
        async (response) => {
          let text = await response.text();
          const contentType = response.headers.get('content-type') ?? 'text/plain';
          if (forwarder.corrupt !== undefined && contentType.includes('json')) {
            text = JSON.stringify(forwarder.corrupt(JSON.parse(text) as Record<string, unknown>));
          }
          res.writeHead(response.status, { 'content-type': contentType });
          res.end(text);
        },
        () => res.writeHead(502).end(),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  forwarder.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  forwarder.close = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  return forwarder;
}

/** Prism's header listing violations it did not turn into an error (warnings, or all without --errors). */
export function prismViolations(headers: Record<string, unknown> | Headers): Array<{ severity: string; message: string }> {
  const raw = headers instanceof Headers ? headers.get('sl-violations') : (headers['sl-violations'] as string | undefined);
  return raw === undefined || raw === null ? [] : (JSON.parse(raw) as Array<{ severity: string; message: string }>);
}

export interface SpecTestBed<S> {
  standIn: S;
  /** Plays the app: status callbacks and webhooks end up here. */
  receiver: Receiver;
  forwarder: Forwarder;
  prism: PrismProxy;
}

/**
 * A spec test file's processes, started in beforeAll and closed in afterAll: the stand-in behind
 * `prism proxy --errors <spec>` (through a forwarder, so one Prism process can check both
 * directions) and a receiver for the app. When `webhookPath` is given, Prism forwards it to the
 * receiver: webhooks the stand-in posts to `${prismUrl}${webhookPath}` are checked on their way.
 * Every test starts with `forwarder.corrupt` unset. The hooks fill the fields in, so read them inside
 * tests and hooks, not when the file loads.
 */
export function useSpecTestBed<S extends { url: string; close(): Promise<void> }>(
  spec: string,
  startStandIn: (prismUrl: string) => Promise<S>,
  webhookPath?: string,
): SpecTestBed<S> {
  const bed = {} as SpecTestBed<S>;

  beforeAll(async () => {
    bed.receiver = await startReceiver();
    bed.forwarder = await startForwarder([
      ...(webhookPath === undefined ? [] : [{ prefix: webhookPath, target: () => bed.receiver.url }]),
      { prefix: '/', target: () => bed.standIn.url },
    ]);
    bed.prism = await startPrismProxy(spec, bed.forwarder.url);
    bed.standIn = await startStandIn(bed.prism.url);
  });

  afterAll(async () => {
    // The stand-in first: what it still posts may go through Prism.
    await bed.standIn?.close();
    await bed.prism?.close();
    await bed.forwarder?.close();
    await bed.receiver?.close();
  });

  beforeEach(() => {
    bed.forwarder.corrupt = undefined;
  });

  return bed;
}
