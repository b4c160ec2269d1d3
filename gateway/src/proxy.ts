import { request as httpRequest, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Logger } from '@switchboard/config';
import { CALLER_HEADER } from '@switchboard/auth';
import { sendGraphQLError } from './http';

/** Paths the gateway hands to the messaging server as they are (provider webhooks). */
export const WEBHOOK_PATH_PREFIX = '/webhooks/';
/** Bulk contact imports with a raw CSV body, streamed to the contact server. */
export const CONTACT_UPLOAD_PATH = '/uploads/contacts';
export const DEFAULT_UPLOAD_BYTES = 32 * 1024 * 1024;

/** Hop-by-hop headers (RFC 9110 §7.6.1): they describe one connection, never forwarded. */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

export interface ProxyOptions {
  /** Origin of the server that owns the webhooks (`http://127.0.0.1:4007`); path and query are kept. */
  upstream: string;
  /** Largest body forwarded (bigger ones are refused with 413 before anything is sent). */
  maxBodyBytes: number;
  /** Client IP as the gateway sees it (X-Forwarded-For). */
  clientIp(req: IncomingMessage): string;
  /** Longest wait for the upstream's answer (default 30 s). */
  timeoutMs?: number;
  log: Logger;
}

function forwardedHeaders(req: IncomingMessage, clientIp: string): IncomingHttpHeaders {
  const headers: IncomingHttpHeaders = {};
  const named = new Set(
    String(req.headers.connection ?? '')
      .split(',')
      .map((name) => name.trim().toLowerCase())
      .filter(Boolean),
  );
  for (const [name, value] of Object.entries(req.headers)) {
    // A client never speaks for the gateway: its own caller header (and its token) stay here.
    if (value === undefined || HOP_BY_HOP.has(name) || named.has(name) || name === 'host' || name === CALLER_HEADER || name === 'authorization') continue;
    headers[name] = value;
  }
  const prior = req.headers['x-forwarded-for'];
  headers['x-forwarded-for'] = prior ? `${Array.isArray(prior) ? prior.join(', ') : prior}, ${clientIp}` : clientIp;
  headers['x-forwarded-host'] ??= req.headers.host;
  headers['x-forwarded-proto'] ??= 'encrypted' in req.socket && req.socket.encrypted ? 'https' : 'http';
  return headers;
}

/**
 * A plain reverse proxy, for `/webhooks/*` and `/uploads/contacts`: method, path, query, headers and the body byte for byte
 * (providers sign the raw body, and Twilio the full public URL — which the messaging server
 * rebuilds from its configured public URL plus this unchanged path and query). The upstream's
 * answer goes back as it is. Providers reach the webhooks on the public URL, which is the gateway's.
 */
export function createProxy(options: ProxyOptions) {
  const upstream = new URL(options.upstream);
  const send = upstream.protocol === 'https:' ? httpsRequest : httpRequest;
  const timeoutMs = options.timeoutMs ?? 30_000;
  const log = options.log.child({ component: 'proxy' });

  return function proxy(req: IncomingMessage, res: ServerResponse, extraHeaders: Record<string, string> = {}): Promise<void> {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > options.maxBodyBytes) {
      req.resume();
      res.setHeader('connection', 'close');
      sendGraphQLError(res, 413, 'PAYLOAD_TOO_LARGE', `Request body is larger than the limit of ${options.maxBodyBytes} bytes`);
      return Promise.resolve();
    }
    return new Promise<void>((resolve) => {
      let finished = false;
      const finish = () => {
        if (!finished) {
          finished = true;
          resolve();
        }
      };
      const fail = (status: number, code: string, message: string) => {
        if (!res.headersSent) sendGraphQLError(res, status, code, message);
        else res.destroy();
        finish();
      };
      const outgoing = send(
        {
          protocol: upstream.protocol,
          hostname: upstream.hostname,
          port: upstream.port,
          method: req.method,
          path: req.url ?? '/',
          headers: { ...forwardedHeaders(req, options.clientIp(req)), ...extraHeaders, host: upstream.host },
          timeout: timeoutMs,
        },
        (answer) => {
          const headers: Record<string, string | string[]> = {};
          for (const [name, value] of Object.entries(answer.headers)) {
            if (value !== undefined && !HOP_BY_HOP.has(name)) headers[name] = value;
          }
          res.writeHead(answer.statusCode ?? 502, headers);
          answer.pipe(res);
          answer.on('end', finish);
          answer.on('error', () => {
            res.destroy();
            finish();
          });
        },
      );
      outgoing.on('timeout', () => {
        outgoing.destroy(new Error('upstream timeout'));
        log.warn({ path: new URL(req.url ?? '/', 'http://x').pathname }, 'proxy upstream did not answer in time');
        fail(504, 'GATEWAY_TIMEOUT', 'The upstream service did not answer in time');
      });
      outgoing.on('error', (error) => {
        if (finished) return;
        log.error({ err: error.message }, 'proxy upstream unreachable');
        fail(502, 'BAD_GATEWAY', 'The upstream service is unavailable');
      });

      let size = 0;
      req.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > options.maxBodyBytes) {
          req.unpipe(outgoing);
          outgoing.destroy();
          req.resume();
          res.setHeader('connection', 'close');
          fail(413, 'PAYLOAD_TOO_LARGE', `Request body is larger than the limit of ${options.maxBodyBytes} bytes`);
        }
      });
      req.pipe(outgoing);
    });
  };
}
