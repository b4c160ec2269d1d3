import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gql } from 'graphql-tag';
import type { SubgraphDefinition, SubgraphDeps } from '@switchboard/subgraph-kit';
import type { MessagingContext } from './context';
import { resolvers } from './resolvers';

export const typeDefs = gql(readFileSync(join(__dirname, '..', 'schema.graphql'), 'utf8'));

/** The messaging subgraph (Message entity only, until its issue lands). */
export function messagingSubgraph(_deps: SubgraphDeps): SubgraphDefinition<MessagingContext> {
  return {
    name: 'messaging',
    typeDefs,
    resolvers,
    createContext: (caller, log) => ({ caller, log }),
  };
}
