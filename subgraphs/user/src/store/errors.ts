import { Prisma } from '@switchboard/db';

/** A write refused by a unique constraint; the domain decides what that means for the user. */
export class UniqueViolationError extends Error {
  constructor(readonly fields: string[]) {
    super(`Unique constraint violated on ${fields.join(', ')}`);
    this.name = 'UniqueViolationError';
  }
}

/** Re-throws Prisma's unique violation (P2002) as a UniqueViolationError; anything else as is. */
export function translateUniqueViolation(error: unknown): never {
  if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002') {
    const meta = error.meta as { target?: unknown; driverAdapterError?: { cause?: { constraint?: { fields?: unknown } } } } | undefined;
    const target = meta?.target ?? meta?.driverAdapterError?.cause?.constraint?.fields;
    throw new UniqueViolationError(Array.isArray(target) ? target.map(String) : typeof target === 'string' ? [target] : []);
  }
  throw error;
}
