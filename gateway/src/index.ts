export { startGateway, DEFAULT_LIMITS, type GatewayOptions, type GatewayLimits, type RunningGateway } from './server';
export { composeSupergraph, readSubgraphSchemaFile, CompositionError, SUBGRAPH_NAMES, type SubgraphName, type SubgraphSchema } from './compose';
export { defaultSubgraphUrls, parseSubgraphUrls } from './subgraph-urls';
export { createAuthenticator, AuthenticationError, type Authenticator } from './auth';
export { type ReadinessCheck } from './readiness';
export { type EventSource } from './subscriptions/event-source';
export { RedisEventSource, eventChannel } from './subscriptions/redis-event-source';
export { SUBSCRIPTION_FIELDS, type SubscriptionFieldSpec } from './subscriptions/fields';
export { DEFAULT_COST_OPTIONS, type CostOptions } from './limits/cost';
