import type { PrismaClient } from '@switchboard/db';
import { AccountStore } from './account-store';
import { OrganizationStore } from './organization-store';
import { SessionStore } from './session-store';

export { UniqueViolationError } from './errors';
export type { OutboxEvent } from './outbox';
export type { NewRefreshToken } from './session-store';
export type { MembershipChangeState, MembershipCursor } from './organization-store';
export type { AccountStore, OrganizationStore, SessionStore };

/** Everything the user subgraph keeps in PostgreSQL (schema "user"); the only code using Prisma. */
export interface UserStore {
  accounts: AccountStore;
  organizations: OrganizationStore;
  sessions: SessionStore;
}

export function createUserStore(prisma: PrismaClient): UserStore {
  const sessions = new SessionStore(prisma);
  return {
    sessions,
    accounts: new AccountStore(prisma, sessions),
    organizations: new OrganizationStore(prisma, sessions),
  };
}
