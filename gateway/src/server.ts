import { Server, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { ApolloGateway, IntrospectAndCompose } from '@apollo/gateway';
import { ApolloServer, HeaderMap, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginLandingPageLocalDefault } from '@apollo/server/plugin/landingPage/default';
import { GraphQLError, getOperationAST, type GraphQLSchema } from 'graphql';
import type { Redis } from 'ioredis';
import type { Kafka } from 'kafkajs';
import { CALLER_HEADER, signCaller, type AuthenticatedCaller, type Caller } from '@switchboard/auth';
import type { Logger } from '@switchboard/config';
import { AuthenticationError, callerOfClaims, createAuthenticator } from './auth';
import type { GatewayContext } from './context';
import { CallerSigningDataSource } from './data-source';
import { formatGatewayError } from './errors';
import { renderGraphiQLPage } from './graphiql';
import { HttpError, clientIpOf, readBody, requestIdOf, sendGraphQLError, sendJson } from './http';
import { DEFAULT_COST_OPTIONS, costLimitError, operationCost, type CostOptions } from './limits/cost';
import { depthLimitRule } from './limits/depth-limit';
import { checkReadiness, subgraphHealthCheck, type ReadinessCheck } from './readiness';
import { createSubscriptionBridge } from './subscriptions/bridge';
import { RoutingEventSource, UnavailableEventSource, type EventSource } from './subscriptions/event-source';
import { SUBSCRIPTION_FIELDS, type SubscriptionFieldSpec } from './subscriptions/fields';
import { KafkaEventSource } from './subscriptions/kafka-event-source';
import { RedisEventSource } from './subscriptions/redis-event-source';
import { attachSubscriptionServer } from './subscriptions/server';
import { CONTACT_UPLOAD_PATH, DEFAULT_UPLOAD_BYTES, WEBHOOK_PATH_PREFIX, createProxy } from './proxy';

export interface GatewayLimits {
  /** Deepest field nesting allowed (`{ me { id } }` is 2). */
  maxDepth: number;
  /** Highest estimated cost allowed (see limits/cost.ts). */
  maxCost: number;
  /** Largest request body (and WebSocket message) accepted. */
  maxBodyBytes: number;
  /** Events a subscriber may fall behind before it is dropped. */
  subscriptionQueueSize: number;
  maxSubscriptionsPerConnection: number;
}

export const DEFAULT_LIMITS: GatewayLimits = {
  maxDepth: 12,
  maxCost: 10_000,
  maxBodyBytes: 1_048_576,
  subscriptionQueueSize: 100,
  maxSubscriptionsPerConnection: 50,
};

export interface GatewayOptions {
  port: number;
  host?: string;
  /**
   * An HTTP server already listening (no request handler yet) to serve on instead of binding
   * `port`: the launcher binds first so providers can be told the gateway's port before it starts.
   */
  server?: Server;
  /** Every subgraph, with the URL the gateway reaches it at (fetches, introspection, readiness). */
  subgraphs: readonly { name: string; url: string }[];
  /**
   * `static`: a supergraph composed ahead of time (from the subgraphs' schema files).
   * `introspect`: composed at start from the running subgraphs (development).
   */
  supergraph: { mode: 'static'; sdl: string } | { mode: 'introspect'; pollIntervalMs?: number };
  jwtSecret: string;
  internalSecret: string;
  /** Revocation lookups, readiness and (by default) subscription events of `source: 'redis'` fields. */
  redis: Redis;
  /**
   * Kafka, for subscription fields fed from Kafka topics (`source: 'kafka'`: message status and
   * inbound events). Without it those fields answer SERVICE_UNAVAILABLE.
   */
  kafka?: Kafka;
  /** Replaces the event sources above altogether (tests). */
  eventSource?: EventSource;
  /**
   * Provider webhooks: `/webhooks/*` is proxied as is (method, path, query, headers, raw body) to
   * this origin — the messaging server. Providers are given the public URL, which is the gateway's.
   */
  webhooks?: { upstream: string };
  /**
   * Bulk contact uploads: `POST /uploads/contacts` (a raw CSV body, streamed, up to 32 MiB by
   * default) goes to this origin — the contact server — with the authenticated caller signed in.
   */
  uploads?: { upstream: string; maxBodyBytes?: number };
  subscriptionFields?: Record<string, SubscriptionFieldSpec<unknown>>;
  limits?: Partial<GatewayLimits>;
  cost?: Partial<CostOptions>;
  /** Take the client IP from X-Forwarded-For (only behind a proxy you control). */
  trustProxy?: boolean;
  /** Extra readiness checks (PostgreSQL …) next to every subgraph's /healthz and Redis PING. */
  readinessChecks?: Record<string, ReadinessCheck>;
  /** Origins allowed to call /graphql from a browser (besides same-origin pages). */
  corsOrigins?: readonly string[];
  nodeEnv?: string;
  log: Logger;
}

export interface RunningGateway {
  url: string;
  wsUrl: string;
  graphiqlUrl: string;
  /**
   * Subscriptions of a Kafka-fed topic (`message.status_changed` …) now listening, and started in
   * all (only grows: lets a client know its subscription is in place); 0 without Kafka.
   */
  kafkaSubscriptions(topic: string): { listening: number; started: number };
  close(): Promise<void>;
}

const ALLOWED_HEADERS = 'content-type, authorization, apollo-require-preflight, x-apollo-operation-name, apollographql-client-name, apollographql-client-version, x-request-id';
const SANDBOX_ORIGINS = ['https://studio.apollographql.com', 'https://sandbox.embed.apollographql.com'];

/**
 * Starts the gateway on one HTTP server: POST/GET /graphql (Apollo Gateway over the supergraph),
 * graphql-ws subscriptions on the same path, GET / and /graphql from a browser (Apollo Sandbox),
 * GET /graphiql (offline GraphiQL), GET /healthz and /readyz.
 */
export async function startGateway(options: GatewayOptions): Promise<RunningGateway> {
  const log = options.log;
  const limits: GatewayLimits = { ...DEFAULT_LIMITS, ...options.limits };
  const costOptions: CostOptions = { ...DEFAULT_COST_OPTIONS, ...options.cost };
  const isProduction = options.nodeEnv === 'production';
  const authenticator = createAuthenticator({ jwtSecret: options.jwtSecret, redis: options.redis });
  const corsOrigins = new Set([...SANDBOX_ORIGINS, ...(options.corsOrigins ?? [])]);

  const gateway = new ApolloGateway({
    ...(options.supergraph.mode === 'static'
      ? { supergraphSdl: options.supergraph.sdl }
      : {
          supergraphSdl: new IntrospectAndCompose({
            subgraphs: options.subgraphs.map(({ name, url }) => ({ name, url })),
            ...(options.supergraph.pollIntervalMs ? { pollIntervalInMs: options.supergraph.pollIntervalMs } : {}),
          }),
        }),
    buildService: ({ url }) => new CallerSigningDataSource({ url: url as string }, options.internalSecret),
    logger: log.child({ component: 'apollo-gateway' }),
  });
  let apiSchema: GraphQLSchema | undefined;
  gateway.onSchemaLoadOrUpdate(({ apiSchema: schema }) => {
    apiSchema = schema;
  });

  const checkCost = (schema: GraphQLSchema, document: Parameters<typeof operationCost>[1], variables: Record<string, unknown>, operationName?: string) => {
    const operation = getOperationAST(document, operationName);
    if (!operation) return null;
    const cost = operationCost(schema, document, operation, variables, costOptions);
    return cost > limits.maxCost ? costLimitError(cost, limits.maxCost) : null;
  };

  const limitsPlugin: ApolloServerPlugin<GatewayContext> = {
    async requestDidStart() {
      return {
        async didResolveOperation({ operation, document, request, schema }) {
          if (!operation) return;
          if (operation.operation === 'subscription') {
            throw new GraphQLError('Subscriptions are served over WebSocket (graphql-ws) on this same /graphql path', {
              extensions: { code: 'BAD_REQUEST', http: { status: 400 } },
            });
          }
          const cost = operationCost(schema, document, operation, request.variables ?? {}, costOptions);
          if (cost > limits.maxCost) throw costLimitError(cost, limits.maxCost);
        },
      };
    },
  };

  const apollo = new ApolloServer<GatewayContext>({
    gateway,
    nodeEnv: options.nodeEnv ?? 'development',
    introspection: !isProduction,
    csrfPrevention: true,
    includeStacktraceInErrorResponses: false,
    validationRules: [depthLimitRule(limits.maxDepth)],
    formatError: formatGatewayError(log),
    plugins: [limitsPlugin, ApolloServerPluginLandingPageLocalDefault({ footer: false })],
    logger: log.child({ component: 'apollo-server' }),
    stopOnTerminationSignals: false,
  });
  await apollo.start();

  const runAsCaller = async (caller: AuthenticatedCaller, query: string, variables: Record<string, unknown>, operationName?: string) => {
    const response = await apollo.executeOperation(
      { query, variables, ...(operationName ? { operationName } : {}) },
      { contextValue: { caller, requestId: caller.requestId } },
    );
    if (response.body.kind !== 'single') throw new Error('Incremental delivery is not supported over subscriptions');
    const { data, errors } = response.body.singleResult;
    return { data: data ?? null, ...(errors ? { errors } : {}) };
  };

  let graphiqlPage: { html: Buffer; gzip: Buffer } | undefined;
  const readinessChecks: Record<string, ReadinessCheck> = {
    ...Object.fromEntries(options.subgraphs.map(({ name, url }) => [`subgraph:${name}`, subgraphHealthCheck(url)])),
    redis: () => options.redis.ping(),
    ...options.readinessChecks,
  };

  const applyCors = (req: IncomingMessage, res: ServerResponse): void => {
    const origin = req.headers.origin;
    if (origin && corsOrigins.has(origin)) {
      res.setHeader('access-control-allow-origin', origin);
      res.setHeader('vary', 'origin');
      res.setHeader('access-control-allow-headers', ALLOWED_HEADERS);
      res.setHeader('access-control-allow-methods', 'GET, POST, OPTIONS');
      res.setHeader('access-control-max-age', '600');
    }
  };

  /** The caller of a request: anonymous without a token; 401 for a bad, expired or revoked one. */
  const callerOf = async (req: IncomingMessage, requestId: string): Promise<Caller> => {
    const clientIp = clientIpOf(req, options.trustProxy ?? false);
    try {
      const claims = await authenticator.authenticate(req.headers.authorization);
      if (!claims) return { kind: 'anonymous', clientIp, requestId };
      return callerOfClaims(claims, clientIp, requestId);
    } catch (error) {
      if (error instanceof AuthenticationError) {
        throw new HttpError(401, 'UNAUTHENTICATED', error.message, {
          'www-authenticate': `Bearer error="invalid_token", error_description="${error.reason.toLowerCase()}"`,
        }, { reason: error.reason });
      }
      log.error({ err: error, requestId }, 'token revocation check failed');
      throw new HttpError(503, 'SERVICE_UNAVAILABLE', 'Authentication is temporarily unavailable; retry shortly');
    }
  };

  const serveApollo = async (req: IncomingMessage, res: ServerResponse, requestId: string, url: URL): Promise<void> => {
    const method = req.method ?? 'GET';
    let body: unknown = undefined;
    if (method === 'POST') {
      const raw = await readBody(req, limits.maxBodyBytes);
      const contentType = req.headers['content-type'] ?? '';
      if (/^application\/(graphql-response\+)?json\b/i.test(contentType)) {
        try {
          body = raw === '' ? {} : JSON.parse(raw);
        } catch {
          throw new HttpError(400, 'BAD_REQUEST', 'The request body is not valid JSON');
        }
      } else {
        body = raw; // Apollo refuses it (CSRF prevention / unsupported content type)
      }
    }

    const caller = await callerOf(req, requestId);

    const headers = new HeaderMap();
    for (const [key, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
    }
    const response = await apollo.executeHTTPGraphQLRequest({
      httpGraphQLRequest: { method, headers, search: url.search, body },
      context: async () => ({ caller, requestId }),
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

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const requestId = requestIdOf(req);
    res.setHeader('x-request-id', requestId);
    const url = new URL(req.url ?? '/', 'http://gateway');
    const method = req.method ?? 'GET';
    if (url.pathname.startsWith(WEBHOOK_PATH_PREFIX)) {
      if (!proxyWebhook) return sendGraphQLError(res, 404, 'NOT_FOUND', 'Webhooks are not served by this gateway');
      return proxyWebhook(req, res);
    }
    applyCors(req, res);
    if (url.pathname === CONTACT_UPLOAD_PATH && method !== 'OPTIONS') {
      if (!proxyUpload) return sendGraphQLError(res, 404, 'NOT_FOUND', 'Uploads are not served by this gateway');
      const caller = await callerOf(req, requestId);
      if (caller.kind !== 'user') return sendGraphQLError(res, 401, 'UNAUTHENTICATED', 'Sign in first: uploads need a bearer token');
      return proxyUpload(req, res, { [CALLER_HEADER]: signCaller(caller, options.internalSecret) });
    }
    if (method === 'OPTIONS') {
      res.writeHead(204).end();
      return;
    }
    const wantsHtml = (req.headers.accept ?? '').includes('text/html');
    switch (url.pathname) {
      case '/graphql':
        if (method !== 'GET' && method !== 'POST') {
          throw new HttpError(405, 'METHOD_NOT_ALLOWED', '/graphql accepts GET and POST', { allow: 'GET, POST' });
        }
        return serveApollo(req, res, requestId, url);
      case '/':
        if (method === 'GET' && wantsHtml) return serveApollo(req, res, requestId, new URL('/graphql', url));
        return sendJson(res, 200, { graphql: '/graphql', subscriptions: '/graphql (graphql-ws)', graphiql: '/graphiql', health: '/healthz', readiness: '/readyz' });
      case '/graphiql': {
        // ~9 MB of inlined GraphiQL, rendered and compressed once.
        graphiqlPage ??= (() => {
          const html = Buffer.from(renderGraphiQLPage({ endpoint: '/graphql' }));
          return { html, gzip: gzipSync(html) };
        })();
        const gzip = /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));
        res.writeHead(200, {
          'content-type': 'text/html; charset=utf-8',
          'cache-control': 'no-cache',
          vary: 'accept-encoding',
          ...(gzip ? { 'content-encoding': 'gzip' } : {}),
        });
        res.end(gzip ? graphiqlPage.gzip : graphiqlPage.html);
        return;
      }
      case '/healthz':
        return sendJson(res, 200, { status: 'ok' });
      case '/readyz': {
        const report = await checkReadiness({
          ...readinessChecks,
          supergraph: async () => {
            if (!apiSchema) throw new Error('supergraph not loaded');
          },
        });
        return sendJson(res, report.status === 'ready' ? 200 : 503, report, { 'cache-control': 'no-store' });
      }
      default:
        return sendGraphQLError(res, 404, 'NOT_FOUND', `Nothing at ${url.pathname}; the API is at /graphql`);
    }
  };

  const server = options.server ?? new Server();
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    handle(req, res).catch((error: unknown) => {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      if (error instanceof HttpError) {
        if (error.status === 413) res.setHeader('connection', 'close');
        sendGraphQLError(res, error.status, error.code, error.message, { headers: error.headers, extensions: error.extensions });
        return;
      }
      log.error({ err: error }, 'gateway request failed');
      sendGraphQLError(res, 500, 'INTERNAL_SERVER_ERROR', 'Internal server error');
    });
  });
  server.keepAliveTimeout = 65_000;

  const subscriptionFields = options.subscriptionFields ?? SUBSCRIPTION_FIELDS;
  let kafkaEventSource: KafkaEventSource | undefined;
  const buildEventSource = (): EventSource => {
    const redisSource = new RedisEventSource(options.redis, { queueSize: limits.subscriptionQueueSize, log: log.child({ component: 'events' }) });
    const kafkaTopics = [...new Set(Object.values(subscriptionFields).filter((spec) => spec.source === 'kafka').map((spec) => spec.topic))];
    if (kafkaTopics.length === 0) return redisSource;
    const kafkaSource: EventSource = options.kafka
      ? (kafkaEventSource = new KafkaEventSource({
          kafka: options.kafka,
          topics: kafkaTopics,
          queueSize: limits.subscriptionQueueSize,
          log: log.child({ component: 'events' }),
        }))
      : new UnavailableEventSource('this gateway has no Kafka configured');
    return new RoutingEventSource(new Map(kafkaTopics.map((topic) => [topic, kafkaSource])), redisSource);
  };
  const eventSource = options.eventSource ?? buildEventSource();
  // Join the consumer group now, so the first subscriber does not wait for it (failures are
  // retried by the first subscribe).
  kafkaEventSource?.start().catch((error: unknown) => log.warn({ err: error }, 'subscription consumer not started yet; retrying on first subscribe'));
  const proxyUpload = options.uploads
    ? createProxy({
        upstream: options.uploads.upstream,
        maxBodyBytes: options.uploads.maxBodyBytes ?? DEFAULT_UPLOAD_BYTES,
        timeoutMs: 120_000,
        clientIp: (req) => clientIpOf(req, options.trustProxy ?? false),
        log,
      })
    : undefined;
  const proxyWebhook = options.webhooks
    ? createProxy({
        upstream: options.webhooks.upstream,
        maxBodyBytes: limits.maxBodyBytes,
        clientIp: (req) => clientIpOf(req, options.trustProxy ?? false),
        log,
      })
    : undefined;
  const subscribe = createSubscriptionBridge({
    eventSource,
    fields: subscriptionFields,
    runAsCaller,
    authenticator,
    log: log.child({ component: 'subscriptions' }),
  });
  const subscriptions = attachSubscriptionServer({
    httpServer: server,
    path: '/graphql',
    getSchema: () => apiSchema,
    authenticator,
    subscribe,
    runAsCaller,
    validationRules: [depthLimitRule(limits.maxDepth)],
    checkCost,
    clientIp: (req) => clientIpOf(req, options.trustProxy ?? false),
    maxPayloadBytes: limits.maxBodyBytes,
    maxSubscriptionsPerConnection: limits.maxSubscriptionsPerConnection,
    isProduction,
    log: log.child({ component: 'subscriptions' }),
  });

  const host = options.host ?? '127.0.0.1';
  if (!server.listening) {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  }
  const { port } = server.address() as AddressInfo;
  const displayHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  const base = `http://${displayHost}:${port}`;

  return {
    url: `${base}/graphql`,
    wsUrl: `ws://${displayHost}:${port}/graphql`,
    graphiqlUrl: `${base}/graphiql`,
    kafkaSubscriptions: (topic) => ({
      listening: kafkaEventSource?.listenerCount(topic) ?? 0,
      started: kafkaEventSource?.subscriptionsStarted(topic) ?? 0,
    }),
    close: async () => {
      await subscriptions.close();
      await eventSource.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await apollo.stop();
    },
  };
}
