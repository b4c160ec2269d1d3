import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gql } from 'graphql-tag';
import type { SubgraphDefinition, SubgraphDeps } from '@switchboard/subgraph-kit';
import type { InboxContext } from './context';
import { resolvers } from './resolvers';

export const typeDefs = gql(readFileSync(join(__dirname, '..', 'schema.graphql'), 'utf8'));

/** The inbox subgraph (Conversation entity only, until its issue lands). */
export function inboxSubgraph(_deps: SubgraphDeps): SubgraphDefinition<InboxContext> {
  return {
    name: 'inbox',
    typeDefs,
    resolvers,
    createContext: (caller, log) => ({ caller, log }),
  };
}
