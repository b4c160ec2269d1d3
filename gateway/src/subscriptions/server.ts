import type { IncomingMessage, Server } from 'node:http';
import { randomUUID } from 'node:crypto';
import {
  GraphQLError,
  getOperationAST,
  parse,
  print,
  specifiedRules,
  validate,
  type DocumentNode,
  type ExecutionArgs,
  type ExecutionResult,
  type GraphQLSchema,
  type ValidationRule,
} from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import type { AccessTokenClaims, AuthenticatedCaller } from '@switchboard/auth';
import type { Logger } from '@switchboard/config';
import { AuthenticationError, callerOfClaims, type Authenticator } from '../auth';
import { CLOSE_FORBIDDEN, CLOSE_UNAUTHORIZED, type RunAsCaller, type SubscriberContext } from './bridge';

interface ConnectionState {
  caller?: AuthenticatedCaller;
  claims?: AccessTokenClaims;
}

export interface SubscriptionServerOptions {
  httpServer: Server;
  path: string;
  /** The supergraph's API schema, as last loaded by the gateway. */
  getSchema(): GraphQLSchema | undefined;
  authenticator: Authenticator;
  subscribe(args: ExecutionArgs): Promise<AsyncIterableIterator<ExecutionResult> | ExecutionResult>;
  /** Queries and mutations sent over the socket run through the gateway like HTTP ones. */
  runAsCaller: RunAsCaller;
  validationRules: readonly ValidationRule[];
  /** Returns an error when the operation is too costly. */
  checkCost(schema: GraphQLSchema, document: DocumentNode, variables: Record<string, unknown>, operationName?: string): GraphQLError | null;
  clientIp(request: IncomingMessage): string;
  maxPayloadBytes: number;
  maxSubscriptionsPerConnection: number;
  isProduction: boolean;
  log: Logger;
}

function withCode(error: GraphQLError, code: string): GraphQLError {
  return new GraphQLError(error.message, {
    nodes: error.nodes,
    extensions: { ...error.extensions, code: error.extensions.code ?? code },
  });
}

function authorizationOf(params: Readonly<Record<string, unknown>> | undefined): string | undefined {
  if (!params) return undefined;
  for (const [name, value] of Object.entries(params)) {
    if (name.toLowerCase() === 'authorization' && typeof value === 'string') return value;
  }
  return undefined;
}

/**
 * graphql-ws on the gateway's HTTP server and path. Connections authenticate once with
 * `connectionParams.authorization` ("Bearer <access token>", same checks as HTTP): a missing or bad
 * token closes the socket with 4401, a revoked one with 4403.
 */
export function attachSubscriptionServer(options: SubscriptionServerOptions): { close(): Promise<void> } {
  const { log, authenticator } = options;
  const wsServer = new WebSocketServer({ server: options.httpServer, path: options.path, maxPayload: options.maxPayloadBytes });

  const disposable = useServer<Record<string, unknown>, { state: ConnectionState }>(
    {
      isProd: options.isProduction,
      onConnect: async (ctx) => {
        const socket = ctx.extra.socket;
        const authorization = authorizationOf(ctx.connectionParams);
        if (!authorization) {
          socket.close(CLOSE_UNAUTHORIZED, 'Missing access token: send connectionParams.authorization "Bearer <token>"');
          return false;
        }
        try {
          const claims = await authenticator.authenticate(authorization);
          if (!claims) throw new AuthenticationError('MALFORMED', 'Missing access token');
          const caller = callerOfClaims(claims, options.clientIp(ctx.extra.request), `ws-${randomUUID()}`);
          (ctx.extra as { state?: ConnectionState }).state = { caller, claims };
          return true;
        } catch (error) {
          if (error instanceof AuthenticationError) {
            socket.close(error.reason === 'REVOKED' ? CLOSE_FORBIDDEN : CLOSE_UNAUTHORIZED, error.message.slice(0, 120));
            return false;
          }
          log.error({ err: error }, 'could not authenticate a WebSocket connection');
          socket.close(1011, 'Authentication is unavailable; retry later');
          return false;
        }
      },
      onSubscribe: (ctx, _id, payload) => {
        const state = (ctx.extra as { state?: ConnectionState }).state;
        if (!state?.caller || !state.claims) return [new GraphQLError('Not authenticated', { extensions: { code: 'UNAUTHENTICATED' } })];
        if (Object.keys(ctx.subscriptions).length > options.maxSubscriptionsPerConnection) {
          return [
            new GraphQLError(`At most ${options.maxSubscriptionsPerConnection} operations may run on one connection`, {
              extensions: { code: 'TOO_MANY_REQUESTS' },
            }),
          ];
        }
        const schema = options.getSchema();
        if (!schema) return [new GraphQLError('The gateway is still loading its schema', { extensions: { code: 'SERVICE_UNAVAILABLE' } })];
        let document: DocumentNode;
        try {
          document = parse(payload.query);
        } catch (error) {
          return [withCode(error as GraphQLError, 'GRAPHQL_PARSE_FAILED')];
        }
        const errors = validate(schema, document, [...specifiedRules, ...options.validationRules]);
        if (errors.length > 0) return errors.map((error) => withCode(error, 'GRAPHQL_VALIDATION_FAILED'));
        const variables = (payload.variables ?? {}) as Record<string, unknown>;
        const operationName = payload.operationName ?? undefined;
        const costError = options.checkCost(schema, document, variables, operationName);
        if (costError) return [costError];
        if (!getOperationAST(document, operationName)) {
          return [new GraphQLError('Unable to identify the operation', { extensions: { code: 'BAD_REQUEST' } })];
        }
        const context: SubscriberContext = {
          caller: state.caller,
          claims: state.claims,
          closeConnection: (code, reason) => ctx.extra.socket.close(code, reason),
        };
        return { schema, document, operationName, variableValues: variables, contextValue: context };
      },
      subscribe: (args) => options.subscribe(args),
      execute: async (args) => {
        const context = args.contextValue as SubscriberContext;
        const result = await options.runAsCaller(
          context.caller,
          print(args.document),
          (args.variableValues ?? {}) as Record<string, unknown>,
          args.operationName ?? undefined,
        );
        return {
          data: result.data ?? null,
          ...(result.errors
            ? { errors: result.errors.map((e) => new GraphQLError(e.message, { path: e.path, extensions: e.extensions })) }
            : {}),
        };
      },
      onError: (_ctx, _id, _payload, errors) => {
        log.debug({ errors: errors.map((e) => e.message) }, 'subscription operation refused');
      },
    },
    wsServer,
  );

  return {
    close: async () => {
      for (const client of wsServer.clients) client.terminate();
      await disposable.dispose();
    },
  };
}
