/** Why a message could not be read (or written) against the event catalog. */
export type UnreadableReason =
  /** No value at all (a tombstone or an empty message). */
  | 'EMPTY'
  /** The value is not JSON. */
  | 'INVALID_JSON'
  /** The envelope (id, type, version, organizationId, occurredAt, traceId) is malformed. */
  | 'INVALID_ENVELOPE'
  /** The type is not in the catalog. */
  | 'UNKNOWN_TYPE'
  /** The type is known, but not in this version. */
  | 'UNKNOWN_VERSION'
  /** The payload violates the type's schema. */
  | 'INVALID_PAYLOAD';

/** One schema problem: where and what, never the offending value (it may be personal data). */
export interface EventIssue {
  path: string;
  message: string;
}

/**
 * A message that does not match the catalog. Consumers park it (they never crash on it);
 * producers treat it as a bug in the code that built the event. Carries no payload values.
 */
export class UnreadableEventError extends Error {
  override readonly name = 'UnreadableEventError';

  constructor(
    readonly reason: UnreadableReason,
    message: string,
    readonly details: { type?: string; version?: number; eventId?: string; issues?: EventIssue[] } = {},
  ) {
    super(message);
  }
}

export function isUnreadableEventError(error: unknown): error is UnreadableEventError {
  return error instanceof UnreadableEventError;
}
