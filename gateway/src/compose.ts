import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { composeServices } from '@apollo/composition';
import { parse, type DocumentNode } from 'graphql';

/** The subgraphs of the supergraph, in the order their default ports are assigned (4001 …). */
export const SUBGRAPH_NAMES = ['user', 'team', 'contact', 'template', 'campaign', 'inbox', 'messaging'] as const;
export type SubgraphName = (typeof SUBGRAPH_NAMES)[number];

export interface SubgraphSchema {
  name: string;
  /** Where the gateway sends this subgraph's fetches (the routing URL written into the supergraph). */
  url: string;
  typeDefs: DocumentNode;
}

export class CompositionError extends Error {
  constructor(readonly problems: string[]) {
    super(`Supergraph composition failed:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'CompositionError';
  }
}

/** Composes the supergraph SDL (with join__ routing URLs) from subgraph schemas; throws CompositionError. */
export function composeSupergraph(subgraphs: readonly SubgraphSchema[]): string {
  const result = composeServices(subgraphs.map((s) => ({ name: s.name, url: s.url, typeDefs: s.typeDefs })));
  if (result.errors) throw new CompositionError(result.errors.map((error) => error.message));
  return result.supergraphSdl;
}

/** Reads `subgraphs/<name>/schema.graphql` under the repository root. */
export function readSubgraphSchemaFile(repoRoot: string, name: string): DocumentNode {
  const file = join(repoRoot, 'subgraphs', name, 'schema.graphql');
  return parse(readFileSync(file, 'utf8'));
}
