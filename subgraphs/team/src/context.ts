import type { AuthenticatedCaller } from '@switchboard/auth';
import { requireUser, type BaseContext } from '@switchboard/subgraph-kit';
import type { TeamService } from './domain/team-service';
import type { TeamLoaders } from './loaders';

export interface TeamContext extends BaseContext {
  teams: TeamService;
  /** Null for anonymous callers, who may read nothing here. */
  loaders: TeamLoaders | null;
}

/** The signed-in caller and their organization's loaders; UNAUTHENTICATED otherwise. */
export function reader(context: TeamContext): { caller: AuthenticatedCaller; loaders: TeamLoaders } {
  const caller = requireUser(context);
  if (!context.loaders) throw new Error('loaders missing for a signed-in caller');
  return { caller, loaders: context.loaders };
}
