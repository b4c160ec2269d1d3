import {
  GraphQLError,
  buildSchema,
  defaultFieldResolver,
  execute,
  getArgumentValues,
  getOperationAST,
  getVariableValues,
  printSchema,
  type ExecutionArgs,
  type ExecutionResult,
  type GraphQLFieldResolver,
  type GraphQLFormattedError,
  type GraphQLSchema,
} from 'graphql';
import type { z } from 'zod';
import type { AccessTokenClaims, AuthenticatedCaller } from '@switchboard/auth';
import type { Logger } from '@switchboard/config';
import { AuthenticationError, type Authenticator } from '../auth';
import { QueueOverflowError } from './bounded-queue';
import { buildEntityQuery, ENTITY_KEY_VARIABLE, rootFieldOf, type EntityQuery } from './entity-query';
import type { EventSource } from './event-source';
import type { SubscriptionFieldSpec } from './fields';

/** Runs an operation through the gateway (limits, query planning, subgraphs) as `caller`. */
export type RunAsCaller = (
  caller: AuthenticatedCaller,
  query: string,
  variables: Record<string, unknown>,
  operationName?: string,
) => Promise<{ data?: Record<string, unknown> | null; errors?: readonly GraphQLFormattedError[] }>;

/** The execution context of one WebSocket connection. */
export interface SubscriberContext {
  caller: AuthenticatedCaller;
  claims: AccessTokenClaims;
  /** Ends the whole connection (revoked session, slow consumer). */
  closeConnection(code: number, reason: string): void;
}

export const CLOSE_UNAUTHORIZED = 4401;
export const CLOSE_FORBIDDEN = 4403;
/** Standard "try again later": the client fell behind; graphql-ws clients reconnect. */
export const CLOSE_TOO_SLOW = 1013;

/**
 * How long a subscriber's session check stands: events within it are not checked again. Revocation
 * (logout, a membership change) closes a subscription at its first event after at most this long,
 * and a busy subscriber costs one Redis round trip a second instead of one per event.
 */
const SESSION_CHECK_MS = 1_000;

/** The change object handed to the replayed selection: plain values plus entities by response key. */
class ChangeSource {
  constructor(
    readonly values: Record<string, unknown>,
    readonly entityFields: ReadonlySet<string>,
    readonly entities: Record<string, unknown>,
  ) {}
}

/**
 * The API schema as Apollo Server holds it has every field's resolver wrapped for its plugins
 * (those wrappers ignore a custom fieldResolver). Events are replayed on a plain copy.
 */
const plainSchemas = new WeakMap<GraphQLSchema, GraphQLSchema>();
function plainSchemaOf(schema: GraphQLSchema): GraphQLSchema {
  let plain = plainSchemas.get(schema);
  if (!plain) {
    plain = buildSchema(printSchema(schema));
    plainSchemas.set(schema, plain);
  }
  return plain;
}

/**
 * Each event object is handed to every subscriber of its topic: its parse against a field's
 * schema is kept with it, so a hundred subscribers cost one parse per event, not a hundred.
 */
const parsedEvents = new WeakMap<object, Map<z.ZodType, z.ZodSafeParseResult<unknown>>>();
function parseOnce<E>(schema: z.ZodType<E>, value: unknown): z.ZodSafeParseResult<E> {
  if (value === null || typeof value !== 'object') return schema.safeParse(value);
  let bySchema = parsedEvents.get(value);
  if (!bySchema) {
    bySchema = new Map();
    parsedEvents.set(value, bySchema);
  }
  let parsed = bySchema.get(schema);
  if (!parsed) {
    parsed = schema.safeParse(value);
    bySchema.set(schema, parsed);
  }
  return parsed as z.ZodSafeParseResult<E>;
}

function markResolved(value: unknown, marks: WeakSet<object>): void {
  if (value === null || typeof value !== 'object') return;
  if (!Array.isArray(value)) marks.add(value);
  for (const child of Object.values(value)) markResolved(child, marks);
}

function toGraphQLError(error: GraphQLFormattedError, prefix: readonly (string | number)[]): GraphQLError {
  return new GraphQLError(error.message, {
    path: error.path ? [...prefix, ...error.path] : undefined,
    extensions: error.extensions,
  });
}

/**
 * Serves root subscription fields from events. Per event: parse it, keep it only for the
 * subscriber's organization and arguments, re-check that the subscriber's session still stands
 * (at most once a second),
 * load the selected entities through the gateway as the subscriber, and replay the client's
 * selection over the result (aliases, fragments, __typename all as in a normal response).
 */
export function createSubscriptionBridge(deps: {
  eventSource: EventSource;
  fields: Record<string, SubscriptionFieldSpec<unknown>>;
  runAsCaller: RunAsCaller;
  authenticator: Authenticator;
  log: Logger;
}) {
  const { eventSource, fields, runAsCaller, authenticator, log } = deps;

  return async function subscribe(args: ExecutionArgs): Promise<AsyncIterableIterator<ExecutionResult> | ExecutionResult> {
    const { document } = args;
    const schema = plainSchemaOf(args.schema);
    const context = args.contextValue as SubscriberContext;
    const operation = getOperationAST(document, args.operationName);
    const subscriptionType = schema.getSubscriptionType();
    const rootField = operation ? rootFieldOf(document, operation) : undefined;
    if (!operation || !subscriptionType || !rootField) {
      return { errors: [new GraphQLError('Unable to identify the subscription operation')] };
    }
    const fieldName = rootField.name.value;
    const responseKey = rootField.alias?.value ?? fieldName;
    const spec = fields[fieldName];
    const fieldDef = subscriptionType.getFields()[fieldName];
    if (!spec || !fieldDef) {
      return { errors: [new GraphQLError(`Subscription field "${fieldName}" is not served by this gateway`)] };
    }
    const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], (args.variableValues ?? {}) as Record<string, unknown>);
    if (coerced.errors) return { errors: coerced.errors };
    const fieldArgs = getArgumentValues(fieldDef, rootField, coerced.coerced);
    const rawVariables = (args.variableValues ?? {}) as Record<string, unknown>;

    const entityQueries: (EntityQuery & { entity: SubscriptionFieldSpec<unknown>['entities'][string] })[] = [];
    for (const [name, entity] of Object.entries(spec.entities)) {
      const query = buildEntityQuery(schema, document, operation, rootField, name, entity);
      if (query) entityQueries.push({ ...query, entity });
    }
    const entityFields = new Set(Object.keys(spec.entities));
    const { caller, claims } = context;
    const subscriptionLog = log.child({ subscription: fieldName, userId: caller.userId });

    let source: AsyncIterableIterator<unknown>;
    try {
      source = await eventSource.subscribe(spec.topic, { organizationId: caller.organizationId });
    } catch (error) {
      subscriptionLog.error({ err: error, topic: spec.topic }, 'could not listen for events');
      return {
        errors: [new GraphQLError('Subscription events are unavailable right now; retry shortly', { extensions: { code: 'SERVICE_UNAVAILABLE' } })],
      };
    }

    const resolveEvent = async (event: unknown): Promise<ExecutionResult> => {
      const entities: Record<string, unknown> = {};
      const errors: GraphQLError[] = [];
      await Promise.all(
        entityQueries.map(async (entityQuery) => {
          const key = entityQuery.entity.key(event);
          if (key === null) return; // nothing to load: every alias of the field resolves to null
          const variables: Record<string, unknown> = { [ENTITY_KEY_VARIABLE]: key };
          for (const name of entityQuery.variables) variables[name] = rawVariables[name];
          const result = await runAsCaller(caller, entityQuery.query, variables);
          Object.assign(entities, result.data ?? {});
          for (const error of result.errors ?? []) {
            if (error.extensions?.code === 'NOT_FOUND') continue; // gone (or no longer visible): null
            errors.push(toGraphQLError(error, [responseKey]));
          }
        }),
      );
      const marks = new WeakSet<object>();
      markResolved(entities, marks);
      const change = new ChangeSource(spec.values(event), entityFields, entities);
      const fieldResolver: GraphQLFieldResolver<unknown, unknown> = (parent, fieldArgs, fieldContext, info) => {
        if (info.parentType === subscriptionType) return change;
        if (parent instanceof ChangeSource) {
          return parent.entityFields.has(info.fieldName) ? (parent.entities[info.path.key] ?? null) : parent.values[info.fieldName];
        }
        if (parent !== null && typeof parent === 'object' && marks.has(parent)) {
          return (parent as Record<string, unknown>)[info.path.key as string];
        }
        return defaultFieldResolver(parent, fieldArgs, fieldContext, info);
      };
      const result = (await execute({ ...args, schema, rootValue: {}, fieldResolver })) as ExecutionResult;
      const allErrors = [...errors, ...(result.errors ?? [])];
      return allErrors.length > 0 ? { data: result.data, errors: allErrors } : { data: result.data };
    };

    let sessionCheckedAt = -Infinity;
    let finished = false;
    const finish = async () => {
      finished = true;
      await source.return?.();
    };

    const iterator: AsyncIterableIterator<ExecutionResult> = {
      async next(): Promise<IteratorResult<ExecutionResult>> {
        while (!finished) {
          let item: IteratorResult<unknown>;
          try {
            item = await source.next();
          } catch (error) {
            await finish();
            if (error instanceof QueueOverflowError) {
              subscriptionLog.warn({ capacity: error.capacity }, 'dropping a subscriber that fell behind');
              context.closeConnection(CLOSE_TOO_SLOW, 'Subscriber too slow; reconnect');
              return { value: undefined, done: true };
            }
            throw error;
          }
          if (item.done) break;
          const parsed = parseOnce(spec.event, item.value);
          if (!parsed.success) {
            subscriptionLog.warn({ topic: spec.topic, issues: parsed.error.issues.length }, 'skipped a malformed event');
            continue;
          }
          const event = parsed.data;
          if (spec.organizationId(event) !== caller.organizationId) continue;
          if (!spec.matches(event, fieldArgs)) continue;
          try {
            const now = Date.now();
            if (now - sessionCheckedAt >= SESSION_CHECK_MS) {
              await authenticator.assertStillValid(claims);
              sessionCheckedAt = now;
            }
          } catch (error) {
            await finish();
            if (error instanceof AuthenticationError) {
              const code = error.reason === 'REVOKED' ? CLOSE_FORBIDDEN : CLOSE_UNAUTHORIZED;
              context.closeConnection(code, error.message.slice(0, 120));
              return { value: undefined, done: true };
            }
            throw error;
          }
          if (finished) break;
          return { value: await resolveEvent(event), done: false };
        }
        return { value: undefined, done: true };
      },
      async return(): Promise<IteratorResult<ExecutionResult>> {
        await finish();
        return { value: undefined, done: true };
      },
      async throw(error?: unknown): Promise<IteratorResult<ExecutionResult>> {
        await finish();
        throw error;
      },
      [Symbol.asyncIterator]() {
        return this;
      },
    };
    return iterator;
  };
}
