import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer, HeaderMap, type BaseContext as ApolloBaseContext } from '@apollo/server';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLResolverMap } from '@apollo/subgraph';
import { GraphQLError, type DocumentNode, type GraphQLFormattedError } from 'graphql';
import { CALLER_HEADER, verifyCaller, CallerVerificationError, type Caller } from '@switchboard/auth';
import type { Logger } from '@switchboard/config';
import { PUBLIC_CODES } from './errors';
import type { BaseContext } from './context';

/**
 * A raw HTTP route served beside /graphql (provider webhooks, uploads). By default it is NOT
 * behind the gateway's caller check: the handler authenticates the request itself (webhook
 * signatures). `rawBody` is the request body exactly as received (signatures are computed over
 * the raw bytes), empty for GET; it is capped by `maxBodyBytes` like GraphQL requests.
 */
export interface SubgraphRoute {
  method: 'GET' | 'POST';
  /** Exact path, e.g. `/webhooks/twilio/status` (the query string is not part of it). */
  path: string;
  /**
   * `caller`: served only with the gateway's signed caller context, like /graphql (401 otherwise),
   * and the verified caller is passed to the handler. Default `none` (the handler authenticates).
   */
  auth?: 'none' | 'caller';
  /**
   * The handler reads the request body itself, as a stream (large uploads): `rawBody` is empty and
   * no size limit is applied here — the handler enforces its own.
   */
  streamBody?: boolean;
  handler(req: IncomingMessage, res: ServerResponse, rawBody: Buffer, caller?: Caller): Promise<void> | void;
}

export interface SubgraphDefinition<TContext extends BaseContext> {
  name: string;
  typeDefs: DocumentNode;
  // Codegen's resolver types are stricter than Apollo's map; the schema builder checks shapes.
  resolvers: unknown;
  /** Builds the per-request context (services, loaders) for a verified caller. */
  createContext(caller: Caller, log: Logger): TContext | Promise<TContext>;
  /** Largest request body this subgraph accepts (default 1,000,000 bytes): bulk imports need more. */
  maxBodyBytes?: number;
  /** Raw HTTP routes (webhooks) served without the caller check; see SubgraphRoute. */
  routes?: SubgraphRoute[];
}

export interface RunningSubgraph {
  name: string;
  url: string;
  server: Server;
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 1_000_000;

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

function readBody(req: IncomingMessage, limit: number): Promise<string> {
  return readRawBody(req, limit).then((body) => body.toString('utf8'));
}

function readRawBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const tooLarge = () => new HttpError(413, 'PAYLOAD_TOO_LARGE', `Request body exceeds ${limit} bytes`);
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > limit) {
      // Answer at once; the connection is closed after the response so the unread body is dropped.
      req.resume();
      reject(tooLarge());
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let exceeded = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (exceeded) {
        // Keep draining (so the client reads our 413), but give up on abusive streams.
        if (size > limit * 10) req.destroy();
        return;
      }
      if (size > limit) {
        exceeded = true;
        chunks.length = 0;
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => (exceeded ? reject(tooLarge()) : resolve(Buffer.concat(chunks))));
    req.on('error', reject);
  });
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** Masks unexpected errors: users see codes they can act on, never internals or stack traces. */
export function maskError(log: Logger) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const code = formatted.extensions?.code;
    if (typeof code === 'string' && PUBLIC_CODES.has(code)) {
      const { stacktrace: _stacktrace, ...extensions } = formatted.extensions ?? {};
      return { ...formatted, extensions };
    }
    const original = error instanceof GraphQLError ? (error.originalError ?? error) : error;
    log.error({ err: original, path: formatted.path }, 'unexpected resolver error');
    return {
      message: 'Internal server error',
      path: formatted.path,
      locations: formatted.locations,
      extensions: { code: 'INTERNAL_SERVER_ERROR' },
    };
  };
}

/**
 * Starts a subgraph on its own HTTP server: POST /graphql (only with the gateway's signed caller
 * context) and GET /healthz.
 */
export async function startSubgraphServer<TContext extends BaseContext>(options: {
  definition: SubgraphDefinition<TContext>;
  port: number;
  host?: string;
  internalSecret: string;
  log: Logger;
}): Promise<RunningSubgraph> {
  const { definition, internalSecret } = options;
  const log = options.log.child({ subgraph: definition.name });
  const apollo = new ApolloServer<TContext & ApolloBaseContext>({
    schema: buildSubgraphSchema([
      { typeDefs: definition.typeDefs, resolvers: definition.resolvers as GraphQLResolverMap<TContext> },
    ]),
    includeStacktraceInErrorResponses: false,
    formatError: maskError(log),
    csrfPrevention: false, // only the gateway reaches a subgraph, with a signed header
    stopOnTerminationSignals: false, // the process that starts the server stops it (and the others) in order
    logger: log,
  });
  await apollo.start();

  /** The gateway's signed caller context, or undefined after answering 401. */
  const callerOf = (req: IncomingMessage, res: ServerResponse): Caller | undefined => {
    try {
      const header = req.headers[CALLER_HEADER];
      return verifyCaller(Array.isArray(header) ? header[0] : header, internalSecret);
    } catch (error) {
      const reason = error instanceof CallerVerificationError ? error.message : 'Unauthorized';
      log.warn({ reason, ip: req.socket.remoteAddress }, 'refused request without gateway context');
      sendJson(res, 401, {
        errors: [{ message: `Subgraphs only answer the gateway: ${reason}`, extensions: { code: 'UNAUTHENTICATED' } }],
      });
      return undefined;
    }
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://subgraph');
    if (url.pathname === '/healthz') return sendJson(res, 200, { status: 'ok', subgraph: definition.name });
    const routes = definition.routes?.filter((route) => route.path === url.pathname) ?? [];
    if (routes.length > 0) {
      const route = routes.find((candidate) => candidate.method === req.method);
      if (!route) {
        res.setHeader('allow', routes.map((candidate) => candidate.method).join(', '));
        return sendJson(res, 405, { error: 'method not allowed' });
      }
      let routeCaller: Caller | undefined;
      if (route.auth === 'caller') {
        routeCaller = callerOf(req, res);
        if (!routeCaller) return;
      }
      const rawBody =
        req.method === 'POST' && !route.streamBody ? await readRawBody(req, definition.maxBodyBytes ?? MAX_BODY_BYTES) : Buffer.alloc(0);
      return route.handler(req, res, rawBody, routeCaller);
    }
    if (url.pathname !== '/graphql') return sendJson(res, 404, { error: 'not found' });

    const caller = callerOf(req, res);
    if (!caller) return;

    const raw = req.method === 'POST' ? await readBody(req, definition.maxBodyBytes ?? MAX_BODY_BYTES) : '';
    let body: unknown;
    try {
      body = raw ? JSON.parse(raw) : {};
    } catch {
      throw new HttpError(400, 'BAD_REQUEST', 'Request body is not valid JSON');
    }
    const headers = new HeaderMap();
    for (const [key, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
    }
    const requestLog = log.child({ requestId: caller.requestId });
    const response = await apollo.executeHTTPGraphQLRequest({
      httpGraphQLRequest: { method: req.method ?? 'POST', headers, search: url.search, body },
      context: async () => (await definition.createContext(caller, requestLog)) as TContext & ApolloBaseContext,
    });
    for (const [key, value] of response.headers) res.setHeader(key, value);
    res.statusCode = response.status ?? 200;
    if (response.body.kind === 'complete') {
      res.end(response.body.string);
    } else {
      for await (const chunk of response.body.asyncIterator) res.write(chunk);
      res.end();
    }
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (error instanceof HttpError) {
        if (error.status === 413) res.setHeader('connection', 'close');
        if (!res.headersSent) sendJson(res, error.status, { errors: [{ message: error.message, extensions: { code: error.code } }] });
        return;
      }
      log.error({ err: error }, 'subgraph request failed');
      if (!res.headersSent) sendJson(res, 500, { errors: [{ message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } }] });
    });
  });
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve) => server.listen(options.port, options.host ?? '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const url = `http://${options.host ?? '127.0.0.1'}:${port}/graphql`;
  log.debug({ url }, 'subgraph listening');
  return {
    name: definition.name,
    url,
    server,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await apollo.stop();
    },
  };
}
