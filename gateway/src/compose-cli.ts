/**
 * `npm run compose`: composes the supergraph from every `subgraphs/<name>/schema.graphql` and writes
 * `gateway/supergraph.graphql`. Routing URLs follow the default port convention unless
 * SUBGRAPH_URLS overrides them. Exits 1 listing every composition error.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { ConfigError, env, loadConfig } from '@switchboard/config';
import { CompositionError, SUBGRAPH_NAMES, composeSupergraph, readSubgraphSchemaFile } from './compose';
import { defaultSubgraphUrls, parseSubgraphUrls } from './subgraph-urls';

const configSchema = z.object({
  SUBGRAPH_HOST: z.string().min(1).default('127.0.0.1'),
  SUBGRAPH_PORT_BASE: env.port(4001),
  SUBGRAPH_URLS: z.string().optional(),
  SUPERGRAPH_FILE: z.string().optional(),
});

function main(): void {
  const repoRoot = join(__dirname, '..', '..');
  let config: z.infer<typeof configSchema>;
  let overrides: Record<string, string>;
  try {
    config = loadConfig(configSchema);
    overrides = parseSubgraphUrls(config.SUBGRAPH_URLS);
  } catch (error) {
    console.error(error instanceof ConfigError ? error.message : `Invalid SUBGRAPH_URLS: ${(error as Error).message}`);
    process.exit(1);
  }
  const urls = { ...defaultSubgraphUrls(config.SUBGRAPH_HOST, config.SUBGRAPH_PORT_BASE), ...overrides };
  const output = config.SUPERGRAPH_FILE ?? join(repoRoot, 'gateway', 'supergraph.graphql');
  try {
    const supergraph = composeSupergraph(
      SUBGRAPH_NAMES.map((name) => ({ name, url: urls[name] as string, typeDefs: readSubgraphSchemaFile(repoRoot, name) })),
    );
    writeFileSync(output, supergraph);
    console.warn(`Composed ${SUBGRAPH_NAMES.length} subgraphs into ${output}`);
  } catch (error) {
    if (error instanceof CompositionError) {
      console.error('Supergraph composition failed:');
      for (const problem of error.problems) console.error(`  - ${problem}`);
    } else {
      console.error(`Supergraph composition failed: ${(error as Error).message}`);
    }
    process.exit(1);
  }
}

main();
