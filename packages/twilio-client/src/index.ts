import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import twilio from 'twilio';
import type RequestClient from 'twilio/lib/base/RequestClient';
import type Response from 'twilio/lib/http/response';

/** Where the twilio SDK sends its REST requests unless told otherwise. */
export const TWILIO_API_BASE_URL = 'https://api.twilio.com';

const TWILIO_API_ORIGIN = /^https:\/\/api(?:\.[a-z0-9-]+)*\.twilio\.com/u;
const FORM = 'application/x-www-form-urlencoded';
const JSON_TYPE = 'application/json';
const DEFAULT_MAX_SOCKETS = 64;
/** The SDK's backoff for `autoRetry` on 429: full jitter over 100 ms · 2^retry, capped. */
const INITIAL_RETRY_INTERVAL_MS = 100;

/** What the SDK's Version/Page code reads of an answer; `body` is the text, which they JSON.parse. */
interface RawResponse {
  statusCode: number;
  body: string;
  headers: http.IncomingHttpHeaders;
}

/** Where one request goes: the API base (parsed once) or any other URL the SDK asks for. */
interface Target {
  secure: boolean;
  hostname: string;
  port: string;
  path: string;
}

function parseTarget(url: string): Target {
  const parsed = new URL(url);
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new Error(`Unsupported protocol ${parsed.protocol}`);
  const hostname = parsed.hostname.startsWith('[') ? parsed.hostname.slice(1, -1) : parsed.hostname;
  return { secure: parsed.protocol === 'https:', hostname, port: parsed.port, path: `${parsed.pathname}${parsed.search}` };
}

/** qs.stringify(value, { arrayFormat: 'repeat' }) for what the SDK sends: a key per array element, `a[b]` for objects. */
function appendParam(params: URLSearchParams, key: string, value: unknown): void {
  if (value === undefined) return;
  if (value === null) {
    params.append(key, '');
  } else if (Array.isArray(value)) {
    for (const element of value) appendParam(params, key, element);
  } else if (value instanceof Date) {
    params.append(key, value.toISOString());
  } else if (typeof value === 'object') {
    for (const [name, inner] of Object.entries(value)) appendParam(params, `${key}[${name}]`, inner);
  } else {
    params.append(key, String(value));
  }
}

function encodeParams(value: unknown): string {
  if (typeof value !== 'object' || value === null) return '';
  const params = new URLSearchParams();
  for (const key of Object.keys(value)) appendParam(params, key, (value as Record<string, unknown>)[key]);
  return params.toString();
}

function timeoutError(ms: number): Error {
  // The text and code axios gave (callers classify on `code`).
  return Object.assign(new Error(`timeout of ${ms}ms exceeded`), { code: 'ECONNABORTED' });
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * The twilio SDK's `httpClient`: sends its REST requests with node's own `http`/`https` modules
 * over keep-alive agents (one of each per client, 64 sockets per host unless `maxSockets` says
 * otherwise) instead of the SDK's default axios transport, which cost about a fifth of a
 * channel-delivery worker's CPU. The `https://api.twilio.com` origin (also
 * `api.<edge>.<region>.twilio.com`) is rewritten to the configured API base (a local stand-in,
 * a proxy).
 *
 * Requests are what the SDK's RequestClient sends: params in the query string and form bodies
 * with a key repeated per array element, JSON bodies for `application/json`, Basic auth (or the
 * auth strategy's string), the `Connection` header, the timeout (ECONNABORTED, "timeout of N ms
 * exceeded"), no redirects followed, `autoRetry` on 429. Every HTTP status resolves with the
 * body as text (the SDK parses it); network errors reject. Not supported: `validationClient`
 * (throws), `HTTP_PROXY`, `logLevel: 'debug'`, `lastRequest`/`lastResponse` (left undefined).
 * Usage: `twilio(sid, token, { httpClient: new ApiBaseRequestClient(url) })`.
 */
export class ApiBaseRequestClient extends twilio.RequestClient {
  private readonly apiBaseUrl: string;
  /** The API base parsed once; undefined if it does not parse (each request then fails). */
  private readonly base: Target | undefined;
  private readonly httpAgent: http.Agent;
  private readonly httpsAgent: https.Agent;
  /** The last Basic credentials and their header value (one account per client, as a rule). */
  private basicFor: string | undefined;
  private basic = '';

  constructor(apiBaseUrl: string, options?: RequestClient.RequestClientOptions) {
    super(options);
    if (options?.validationClient) throw new Error('ApiBaseRequestClient does not support validationClient');
    this.apiBaseUrl = apiBaseUrl.replace(/\/+$/u, '');
    try {
      const base = parseTarget(this.apiBaseUrl);
      this.base = { ...base, path: base.path.replace(/\/+$/u, '') };
    } catch {
      this.base = undefined;
    }
    const agentOptions: https.AgentOptions = {
      keepAlive: this.keepAlive,
      keepAliveMsecs: options?.keepAliveMsecs,
      maxSockets: options?.maxSockets ?? DEFAULT_MAX_SOCKETS,
      maxTotalSockets: options?.maxTotalSockets,
      maxFreeSockets: options?.maxFreeSockets,
      scheduling: options?.scheduling,
      // Idle sockets close after this, or a second before the server's announced keep-alive timeout.
      timeout: this.defaultTimeout,
    };
    this.httpAgent = new http.Agent(agentOptions);
    const ca = options?.ca ?? (process.env.TWILIO_CA_BUNDLE === undefined ? undefined : readFileSync(process.env.TWILIO_CA_BUNDLE));
    this.httpsAgent = new https.Agent({ ...agentOptions, ca });
  }

  override async request<TData>(opts: RequestClient.RequestOptions<TData>): Promise<Response<TData>> {
    if (!opts.method) throw new Error('http method is required');
    if (!opts.uri) throw new Error('uri is required');

    const headers = opts.headers ?? {};
    if (!headers.Connection && !headers.connection) headers.Connection = this.keepAlive ? 'keep-alive' : 'close';
    if (opts.username && opts.password) {
      const credentials = `${opts.username}:${opts.password}`;
      if (credentials !== this.basicFor) {
        this.basic = `Basic ${Buffer.from(credentials).toString('base64')}`;
        this.basicFor = credentials;
      }
      headers.Authorization = this.basic;
    } else if (opts.authStrategy) {
      headers.Authorization = await opts.authStrategy.getAuthString();
    }

    let body: string | undefined;
    if (opts.data) {
      const contentType = headers['Content-Type'];
      if (contentType === FORM) body = encodeParams(opts.data);
      else if (contentType === JSON_TYPE) body = typeof opts.data === 'string' ? opts.data : JSON.stringify(opts.data);
    }

    const target = this.target(opts.uri);
    if (opts.params) {
      const query = encodeParams(opts.params);
      if (query) target.path += (target.path.includes('?') ? '&' : '?') + query;
    }
    const timeout = opts.timeout || this.defaultTimeout;

    let response = await this.send(target, opts.method, headers, body, timeout);
    if (this.autoRetry) {
      for (let retry = 1; response.statusCode === 429 && retry <= this.maxRetries; retry++) {
        await sleep(Math.floor(Math.min(this.maxRetryDelay, INITIAL_RETRY_INTERVAL_MS * 2 ** retry) * Math.random()));
        response = await this.send(target, opts.method, headers, body, timeout);
      }
    }
    return response as unknown as Response<TData>;
  }

  /** Where `uri` goes after the origin rewrite; the API base is not parsed again. */
  private target(uri: string): Target {
    const origin = TWILIO_API_ORIGIN.exec(uri);
    if (origin === null) return parseTarget(uri);
    let rest = uri.slice(origin[0].length);
    if (this.base === undefined || (rest !== '' && rest[0] !== '/' && rest[0] !== '?')) return parseTarget(this.apiBaseUrl + rest);
    const hash = rest.indexOf('#');
    if (hash !== -1) rest = rest.slice(0, hash);
    const path = this.base.path + rest;
    return { secure: this.base.secure, hostname: this.base.hostname, port: this.base.port, path: path === '' || path[0] === '?' ? `/${path}` : path };
  }

  private send(target: Target, method: string, headers: http.OutgoingHttpHeaders, body: string | undefined, timeout: number): Promise<RawResponse> {
    return new Promise<RawResponse>((resolve, reject) => {
      const req = (target.secure ? https : http).request(
        {
          agent: target.secure ? this.httpsAgent : this.httpAgent,
          hostname: target.hostname,
          port: target.port || undefined,
          path: target.path,
          method,
          headers,
          timeout,
        },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => {
            text += chunk;
          });
          res.on('error', reject);
          res.on('end', () => {
            const statusCode = res.statusCode ?? 0;
            if (statusCode >= 100 && statusCode < 600) resolve({ statusCode, body: text, headers: res.headers });
            else reject(new Error(`Request failed with status code ${statusCode}`));
          });
        },
      );
      req.on('error', reject);
      req.on('timeout', () => {
        const error = timeoutError(timeout);
        reject(error);
        req.destroy(error);
      });
      req.end(body);
    });
  }
}
