import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gql } from 'graphql-tag';
import { createEntityLoader, type SubgraphDefinition, type SubgraphDeps } from '@switchboard/subgraph-kit';
import type { TemplateContext } from './context';
import { TemplateService } from './domain/template-service';
import { resolvers } from './resolvers';
import { TemplateCache } from './store/template-cache';
import { TemplateStore } from './store/template-store';

export const typeDefs = gql(readFileSync(join(__dirname, '..', 'schema.graphql'), 'utf8'));

export interface TemplateSubgraphOptions {
  /** Cache templates by id in Redis (default true). Off only to measure what the cache buys. */
  cache?: boolean;
  /** Seconds a cached template lives at most (default 300); writes drop it at once anyway. */
  cacheTtlSeconds?: number;
}

/** Builds the service over the given dependencies (also used by the benchmark and tests). */
export function createTemplateService(deps: SubgraphDeps, options: TemplateSubgraphOptions = {}): TemplateService {
  const log = deps.log.child({ subgraph: 'template' });
  const cache = options.cache === false ? null : new TemplateCache(deps.redis, log, options.cacheTtlSeconds);
  return new TemplateService(new TemplateStore(deps.prisma), cache, log);
}

/** The template subgraph: email, SMS and WhatsApp templates, rendering and WhatsApp approval. */
export function templateSubgraph(deps: SubgraphDeps, options: TemplateSubgraphOptions = {}): SubgraphDefinition<TemplateContext> {
  const templates = createTemplateService(deps, options);
  return {
    name: 'template',
    typeDefs,
    resolvers,
    createContext: (caller, log) => ({
      caller,
      log,
      templates,
      templateReferences:
        caller.kind === 'user'
          ? createEntityLoader((ids) => templates.findMany(caller.organizationId, ids))
          : null,
    }),
  };
}

export { TemplateService, PROVIDER_STATUS_CONSUMER } from './domain/template-service';
export { TemplateCache } from './store/template-cache';
export type { Actor, RenderOutcome } from './domain/template-service';
export { startTemplateConsumers, type StartTemplateConsumersOptions, type TemplateConsumers } from './consumers';
export { templateChangedPayload } from './domain/events';
export type { ProviderStatusOutcome, ProviderStatusReport } from './domain/provider-status';
/** The pure renderer for sending (no database): see src/domain/render-for-send.ts. */
export { renderForSend, describeRenderFailure, type SendableTemplateVersion } from './domain/render-for-send';
export type { RenderResult, RenderFailure, RenderedContent, RenderedEmail, RenderedSms, RenderedWhatsApp } from './domain/render';
export type { TemplateContent, VariableDeclaration, VariableType } from './domain/types';
