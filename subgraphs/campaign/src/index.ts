import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gql } from 'graphql-tag';
import type { SubgraphDefinition, SubgraphDeps } from '@switchboard/subgraph-kit';
import type { CampaignContext } from './context';
import { resolvers } from './resolvers';

export const typeDefs = gql(readFileSync(join(__dirname, '..', 'schema.graphql'), 'utf8'));

/** The campaign subgraph (Campaign entity only, until its issue lands). */
export function campaignSubgraph(_deps: SubgraphDeps): SubgraphDefinition<CampaignContext> {
  return {
    name: 'campaign',
    typeDefs,
    resolvers,
    createContext: (caller, log) => ({ caller, log }),
  };
}
