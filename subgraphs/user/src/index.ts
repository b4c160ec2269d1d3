import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gql } from 'graphql-tag';
import type { SubgraphDefinition, SubgraphDeps } from '@switchboard/subgraph-kit';
import type { UserContext, UserServices } from './context';
import { AccountService } from './domain/account-service';
import { LoginLimiter, type LoginLimits } from './domain/login-limiter';
import { OrganizationService } from './domain/organization-service';
import { AccessRevocation } from './domain/revocation';
import { SessionService } from './domain/session-service';
import { createLoaders } from './loaders';
import { resolvers } from './resolvers';
import { createUserStore } from './store';

export const typeDefs = gql(readFileSync(join(__dirname, '..', 'schema.graphql'), 'utf8'));

export interface UserSubgraphOptions {
  /** Failed sign-ins allowed per account and per IP (defaults: 5 and 20 per 15 minutes). */
  loginLimits?: LoginLimits;
}

/**
 * The user subgraph: accounts, organizations, memberships and invitations, and sessions
 * (sign-in, refresh-token rotation, logout, password reset).
 */
export function userSubgraph(deps: SubgraphDeps, options: UserSubgraphOptions = {}): SubgraphDefinition<UserContext> {
  const log = deps.log.child({ component: 'user' });
  const store = createUserStore(deps.prisma);
  const revocation = new AccessRevocation(deps.redis, deps.settings.accessTokenTtlSeconds);
  const limiter = new LoginLimiter(deps.redis, options.loginLimits);
  const sessions = new SessionService(store, revocation, deps.settings, log);
  const accounts = new AccountService(store, sessions, limiter, revocation, deps.settings, log);
  const organizations = new OrganizationService(store, sessions, accounts, revocation, deps.settings, log);
  const services: UserServices = { accounts, organizations, sessions };
  return {
    name: 'user',
    typeDefs,
    resolvers,
    createContext: (caller, requestLog) => ({ caller, log: requestLog, services, loaders: createLoaders(store) }),
  };
}
