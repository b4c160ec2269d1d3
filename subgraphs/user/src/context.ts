import type DataLoader from 'dataloader';
import type { Caller } from '@switchboard/auth';
import type { Membership, Organization, User } from '@switchboard/db';
import type { BaseContext } from '@switchboard/subgraph-kit';
import type { AccountService } from './domain/account-service';
import type { OrganizationService } from './domain/organization-service';
import type { Viewer } from './domain/models';
import type { SessionService } from './domain/session-service';

/** Services live as long as the subgraph; loaders are per request. */
export interface UserServices {
  accounts: AccountService;
  organizations: OrganizationService;
  sessions: SessionService;
}

export interface UserLoaders {
  user: DataLoader<string, User | null>;
  organization: DataLoader<string, Organization | null>;
  /** Keyed by `${organizationId}:${userId}`. */
  membership: DataLoader<string, Membership | null>;
  /** Every membership of a user. */
  membershipsOfUser: DataLoader<string, Membership[]>;
}

export interface UserContext extends BaseContext {
  services: UserServices;
  loaders: UserLoaders;
}

/** The viewer a signed-in caller brings; null for anonymous requests. */
export function viewerOf(caller: Caller): Viewer | null {
  return caller.kind === 'user' ? { userId: caller.userId, organizationId: caller.organizationId } : null;
}

export function membershipKey(organizationId: string, userId: string): string {
  return `${organizationId}:${userId}`;
}
