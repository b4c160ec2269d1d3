import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import type { Logger } from '@switchboard/config';
import { QUERY_TOO_COSTLY } from './limits/cost';
import { QUERY_TOO_DEEP } from './limits/depth-limit';

/** Codes the gateway itself answers with; shown as they are. */
const GATEWAY_CODES = new Set([
  'GRAPHQL_VALIDATION_FAILED',
  'GRAPHQL_PARSE_FAILED',
  'BAD_REQUEST',
  'BAD_USER_INPUT',
  'UNAUTHENTICATED',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  'OPERATION_RESOLUTION_FAILURE',
  'PAYLOAD_TOO_LARGE',
  QUERY_TOO_DEEP,
  QUERY_TOO_COSTLY,
]);

/** Codes a subgraph sets on transport-level failures; never a user's business. */
const TRANSPORT_CODES = new Set(['INTERNAL_SERVER_ERROR', 'DOWNSTREAM_SERVICE_ERROR']);

/** Extension keys never shown to clients. */
const HIDDEN_EXTENSIONS = new Set(['stacktrace', 'exception', 'serviceName', 'response', 'http']);

function originalOf(error: unknown): unknown {
  return error instanceof GraphQLError ? (error.originalError ?? error) : error;
}

/**
 * Shapes every error the gateway answers with. Users see stable codes and messages they can act
 * on; errors of subgraphs keep their `extensions.code` (subgraphs already masked their own
 * internals); anything unexpected — including transport failures that would leak subgraph URLs —
 * is logged and answered as INTERNAL_SERVER_ERROR. Never a stack trace.
 */
export function formatGatewayError(log: Logger) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    let code = formatted.extensions?.code;
    // Apollo reports every validation-rule error as GRAPHQL_VALIDATION_FAILED; restore our limit codes.
    const original = originalOf(error);
    if (code === 'GRAPHQL_VALIDATION_FAILED' && original instanceof GraphQLError) {
      const originalCode = original.extensions.code;
      if (originalCode === QUERY_TOO_DEEP || originalCode === QUERY_TOO_COSTLY) code = originalCode;
    }
    const fromSubgraph = typeof formatted.extensions?.serviceName === 'string';
    const isTransportFailure = formatted.extensions?.response !== undefined;
    const safe =
      typeof code === 'string' &&
      ((GATEWAY_CODES.has(code) && !fromSubgraph) || (fromSubgraph && !isTransportFailure && !TRANSPORT_CODES.has(code)));
    if (safe) {
      const extensions: Record<string, unknown> = {};
      for (const [key, value] of Object.entries(formatted.extensions ?? {})) {
        if (!HIDDEN_EXTENSIONS.has(key)) extensions[key] = value;
      }
      extensions.code = code;
      return { ...formatted, extensions };
    }
    if (!(fromSubgraph && code === 'INTERNAL_SERVER_ERROR' && !isTransportFailure)) {
      log.error({ err: original, code, path: formatted.path, message: formatted.message }, 'unexpected gateway error');
    }
    return {
      message: 'Internal server error',
      ...(formatted.path ? { path: formatted.path } : {}),
      ...(formatted.locations ? { locations: formatted.locations } : {}),
      extensions: { code: 'INTERNAL_SERVER_ERROR' },
    };
  };
}
