import { GraphQLError } from 'graphql';

/**
 * Errors a user can fix. Each carries a stable `extensions.code` (and the offending `field` where
 * there is one) so clients branch on codes, never on messages. Anything else thrown in a resolver
 * is unexpected: it is logged and masked as INTERNAL_SERVER_ERROR.
 */
export function userError(
  code: string,
  message: string,
  extra: Record<string, unknown> = {},
): GraphQLError {
  return new GraphQLError(message, { extensions: { code, ...extra } });
}

export const badUserInput = (message: string, field?: string, extra: Record<string, unknown> = {}) =>
  userError('BAD_USER_INPUT', message, field ? { field, ...extra } : extra);

/** Also used for ids of other organizations: existence elsewhere is never revealed. */
export const notFound = (entity: string, id?: string) =>
  userError('NOT_FOUND', id ? `${entity} ${id} not found` : `${entity} not found`, { entity });

export const forbidden = (message = 'You are not allowed to do this') => userError('FORBIDDEN', message);

export const unauthenticated = (message = 'Sign in first') => userError('UNAUTHENTICATED', message);

export const conflict = (message: string, extra: Record<string, unknown> = {}) =>
  userError('CONFLICT', message, extra);

export const tooManyRequests = (message: string, retryAfterSeconds: number) =>
  userError('TOO_MANY_REQUESTS', message, { retryAfterSeconds });

/** Codes that are safe to show as they are. */
export const PUBLIC_CODES = new Set([
  'BAD_USER_INPUT',
  'NOT_FOUND',
  'FORBIDDEN',
  'UNAUTHENTICATED',
  'CONFLICT',
  'TOO_MANY_REQUESTS',
  'GRAPHQL_VALIDATION_FAILED',
  'GRAPHQL_PARSE_FAILED',
  'BAD_REQUEST',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  'OPERATION_RESOLUTION_FAILURE',
  // Domain codes clients branch on.
  'TEMPLATE_NOT_APPROVED',
  'INVALID_RECIPIENT',
  'OPTED_OUT',
  'WINDOW_CLOSED',
  'IDEMPOTENCY_KEY_REUSED',
  'PROVIDER_ERROR',
]);
