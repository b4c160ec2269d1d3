import { Prisma } from '@switchboard/db';

/** A write refused by a unique constraint; the domain decides what that means for the user. */
export class UniqueViolationError extends Error {
  constructor(readonly fields: string[]) {
    super(`Unique constraint violated on ${fields.join(', ') || 'a unique index'}`);
    this.name = 'UniqueViolationError';
  }
}

function fieldsOf(error: Prisma.PrismaClientKnownRequestError): string[] {
  const meta = error.meta as
    | { target?: unknown; driverAdapterError?: { cause?: { constraint?: { fields?: unknown; index?: unknown } } } }
    | undefined;
  const constraint = meta?.driverAdapterError?.cause?.constraint;
  const target = meta?.target ?? constraint?.fields ?? constraint?.index;
  return Array.isArray(target) ? target.map(String) : typeof target === 'string' ? [target] : [];
}

/** Re-throws Prisma's unique violation (P2002) as a UniqueViolationError; anything else as is. */
export function translateUniqueViolation(error: unknown): never {
  if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002') {
    throw new UniqueViolationError(fieldsOf(error));
  }
  throw error;
}

export function isUniqueViolation(error: unknown): error is UniqueViolationError {
  return error instanceof UniqueViolationError;
}

/** pg's unique violation (23505), from plain-SQL statements, as a UniqueViolationError naming the constraint; anything else as is. */
export function translatePgUniqueViolation(error: unknown): never {
  const e = error as { code?: string; constraint?: string } | null;
  if (e?.code === '23505') throw new UniqueViolationError(e.constraint ? [e.constraint] : []);
  throw error;
}
