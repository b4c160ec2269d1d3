import { roleAtLeast, type AuthenticatedCaller, type Caller, type Role } from '@switchboard/auth';
import type { Logger } from '@switchboard/config';
import { forbidden, unauthenticated } from './errors';

/** What every subgraph's resolver context has; subgraphs extend it with their services. */
export interface BaseContext {
  caller: Caller;
  log: Logger;
}

export function requireUser(context: BaseContext): AuthenticatedCaller {
  if (context.caller.kind !== 'user') throw unauthenticated();
  return context.caller;
}

/** Returns the caller when their role in the current organization is at least `minimum`. */
export function requireRole(context: BaseContext, minimum: Role): AuthenticatedCaller {
  const caller = requireUser(context);
  if (!roleAtLeast(caller.role, minimum)) {
    throw forbidden(`This needs the ${minimum} role or higher; you are ${caller.role}`);
  }
  return caller;
}
