export { startSubgraphServer, type SubgraphDefinition, type SubgraphRoute, type RunningSubgraph } from './server';
export { badUserInput, conflict, forbidden, notFound, unauthenticated, userError, tooManyRequests } from './errors';
export { requireUser, requireRole, type BaseContext } from './context';
export { createEntityLoader } from './entity-loader';
export { type SubgraphDeps, type SystemSettings, revocationKeys } from './deps';
export { DateTimeScalar, JSONScalar } from './scalars';
