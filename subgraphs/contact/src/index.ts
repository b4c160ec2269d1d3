import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gql } from 'graphql-tag';
import type { SubgraphDefinition } from '@switchboard/subgraph-kit';
import type { ContactContext } from './context';
import { resolvers } from './resolvers';

export const typeDefs = gql(readFileSync(join(__dirname, '..', 'schema.graphql'), 'utf8'));

/** The contact subgraph (Contact entity only, until its issue lands). */
export function contactSubgraph(): SubgraphDefinition<ContactContext> {
  return {
    name: 'contact',
    typeDefs,
    resolvers,
    createContext: (caller, log) => ({ caller, log }),
  };
}
