import { buildSchema, getOperationAST, parse, validate } from 'graphql';
import { operationCost } from './cost';
import { depthLimitRule } from './depth-limit';

const schema = buildSchema(`
  type Query { me: User!  teams: [Team!]!  contacts(first: Int, after: String): ContactConnection!  node(id: ID!): Node }
  interface Node { id: ID! }
  type User implements Node { id: ID!  name: String!  teams: [Team!]! }
  type Team implements Node { id: ID!  name: String!  members(first: Int): [User!]! }
  type ContactConnection { edges: [ContactEdge!]!  totalCount: Int! }
  type ContactEdge { node: Contact! }
  type Contact { id: ID!  name: String! }
`);

function cost(query: string, variables: Record<string, unknown> = {}) {
  const document = parse(query);
  return operationCost(schema, document, getOperationAST(document)!, variables);
}

describe('operationCost', () => {
  it('counts fields and multiplies what a list selects by the default list size', () => {
    expect(cost('{ me { id name } }')).toBe(3);
    // teams (1) + 10 × (id + name)
    expect(cost('{ teams { id name } }')).toBe(21);
  });

  it('uses page-size arguments, literal or from variables (or their defaults)', () => {
    expect(cost('{ teams { members(first: 3) { id } } }')).toBe(1 + 10 * (1 + 3 * 1));
    expect(cost('query($n: Int) { teams { members(first: $n) { id } } }', { n: 50 })).toBe(1 + 10 * (1 + 50));
    expect(cost('query($n: Int = 2) { teams { members(first: $n) { id } } }')).toBe(1 + 10 * (1 + 2));
  });

  it('multiplies a connection once: its edges list is not multiplied again', () => {
    // contacts(first: 20) → 20 × (edges + node + id + name + totalCount)
    expect(cost('{ contacts(first: 20) { totalCount edges { node { id name } } } }')).toBe(1 + 20 * 5);
  });

  it('follows fragments and inline fragments, and leaves introspection free', () => {
    expect(cost('{ me { ...F } } fragment F on User { id teams { id } }')).toBe(1 + 1 + 1 + 10);
    expect(cost('{ node(id: "1") { id ... on Team { name } } }')).toBe(3);
    expect(cost('{ __schema { types { name fields { name } } } }')).toBe(0);
  });
});

describe('depthLimitRule', () => {
  const errorsFor = (query: string, max: number) => validate(schema, parse(query), [depthLimitRule(max)]);

  it('allows the limit and refuses one level more, with a clear message and code', () => {
    const query = '{ me { teams { members { teams { id } } } } }'; // depth 5
    expect(errorsFor(query, 5)).toEqual([]);
    const [error] = errorsFor(query, 4);
    expect(error?.message).toBe('The operation is 5 levels deep; the limit is 4');
    expect(error?.extensions).toMatchObject({ code: 'QUERY_TOO_DEEP', depth: 5, maxDepth: 4 });
  });

  it('counts through fragments and ignores introspection', () => {
    expect(errorsFor('query Q { me { ...F } } fragment F on User { teams { members { id } } }', 3)[0]?.message).toBe(
      'Operation "Q" is 4 levels deep; the limit is 3',
    );
    expect(errorsFor('{ __schema { types { fields { type { ofType { ofType { name } } } } } } }', 2)).toEqual([]);
  });
});
