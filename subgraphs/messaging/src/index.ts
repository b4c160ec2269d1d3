import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gql } from 'graphql-tag';
import type { SubgraphDefinition, SubgraphDeps } from '@switchboard/subgraph-kit';
import type { MessagingContext } from './context';
import { createLoaders } from './loaders';
import { resolvers } from './resolvers';
import { createMessagingRuntime, type MessagingOptions } from './services';
import { webhookRoutes } from './webhooks/routes';

export const typeDefs = gql(readFileSync(join(__dirname, '..', 'schema.graphql'), 'utf8'));

export type MessagingSubgraphOptions = MessagingOptions;

/**
 * The messaging subgraph: sendMessage (checks, then the message and its outbox event in one
 * transaction), messages and senders, and the provider webhooks as raw routes on its server.
 * Its Kafka consumers (statuses, contact and template projections) start separately:
 * `startMessagingConsumers` (./consumers).
 */
export function messagingSubgraph(deps: SubgraphDeps, options: MessagingSubgraphOptions = {}): SubgraphDefinition<MessagingContext> {
  const { store, services, webhookPublicUrl } = createMessagingRuntime(deps, options);
  const log = deps.log.child({ subgraph: 'messaging' });
  return {
    name: 'messaging',
    typeDefs,
    resolvers,
    createContext: (caller, requestLog) => ({
      caller,
      log: requestLog,
      services,
      loaders: caller.kind === 'user' ? createLoaders(store, caller.organizationId) : null,
    }),
    routes: webhookRoutes({
      store,
      senders: services.senders,
      statuses: services.statuses,
      inbound: services.inbound,
      publicUrl: webhookPublicUrl,
      accountAuthToken: options.twilio?.authToken ?? null,
      appSecret: options.whatsapp?.appSecret ?? null,
      verifyToken: options.whatsapp?.verifyToken ?? null,
      log,
    }),
  };
}

export { startMessagingConsumers, type MessagingConsumers, type StartMessagingConsumersOptions } from './consumers';
export { WEBHOOK_PATHS } from './webhooks/routes';
export type { MessagingOptions } from './services';
