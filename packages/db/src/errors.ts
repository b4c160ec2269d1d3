/**
 * A failure the caller can act on (bad URL, PostgreSQL unreachable, broken migration…): the CLI
 * prints its message alone, without a stack trace.
 */
export class DatabaseError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DatabaseError';
  }
}

const CONNECTION_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ECONNRESET']);

/** Turns a pg/network error met while reaching `target` into a DatabaseError with a clear message. */
export function connectionError(error: unknown, target: string): DatabaseError {
  if (error instanceof DatabaseError) return error;
  const err = error as { code?: string; message?: string; errors?: { code?: string }[] };
  const code = err.code ?? err.errors?.[0]?.code;
  if (code && CONNECTION_CODES.has(code)) {
    const hint = code === 'ENOTFOUND' || code === 'EAI_AGAIN' ? 'unknown host' : 'is the server running?';
    return new DatabaseError(`Cannot reach PostgreSQL at ${target} (${code}: ${hint})`, { cause: error });
  }
  if (code === '28P01' || code === '28000') {
    return new DatabaseError(`PostgreSQL refused the credentials for ${target}: ${err.message}`, { cause: error });
  }
  if (code === '3D000') {
    return new DatabaseError(`Database does not exist at ${target}: ${err.message}`, { cause: error });
  }
  return new DatabaseError(`PostgreSQL error at ${target}: ${err.message ?? String(error)}`, { cause: error });
}
