import { join } from 'node:path';
import { parse } from 'graphql';
import { CompositionError, SUBGRAPH_NAMES, composeSupergraph, readSubgraphSchemaFile } from './compose';

const link = 'extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])';

describe('composeSupergraph', () => {
  it("composes the repository's subgraph schemas", () => {
    const repoRoot = join(__dirname, '..', '..');
    const supergraph = composeSupergraph(
      SUBGRAPH_NAMES.map((name, index) => ({ name, url: `http://127.0.0.1:${4001 + index}/graphql`, typeDefs: readSubgraphSchemaFile(repoRoot, name) })),
    );
    expect(supergraph).toContain('USER @join__graph(name: "user", url: "http://127.0.0.1:4001/graphql")');
    expect(supergraph).toContain('teamChanged');
  });

  it('lists every composition error', () => {
    const a = parse(`${link}\ntype Query { a: Int }\ntype Thing @key(fields: "id") { id: ID! size: Int! }`);
    const b = parse(`${link}\ntype Query { b: Int }\ntype Thing @key(fields: "id") { id: ID! size: String! }`);
    expect.assertions(3);
    try {
      composeSupergraph([
        { name: 'a', url: 'http://a/graphql', typeDefs: a },
        { name: 'b', url: 'http://b/graphql', typeDefs: b },
      ]);
    } catch (error) {
      expect(error).toBeInstanceOf(CompositionError);
      expect((error as CompositionError).problems.length).toBeGreaterThan(0);
      expect((error as CompositionError).problems.join('\n')).toMatch(/Thing\.size/);
    }
  });
});
