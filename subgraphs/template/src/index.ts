import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gql } from 'graphql-tag';
import type { SubgraphDefinition } from '@switchboard/subgraph-kit';
import type { TemplateContext } from './context';
import { resolvers } from './resolvers';

export const typeDefs = gql(readFileSync(join(__dirname, '..', 'schema.graphql'), 'utf8'));

/** The template subgraph (Template entity only, until its issue lands). */
export function templateSubgraph(): SubgraphDefinition<TemplateContext> {
  return {
    name: 'template',
    typeDefs,
    resolvers,
    createContext: (caller, log) => ({ caller, log }),
  };
}
