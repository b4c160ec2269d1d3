import { buildSchema, getOperationAST, parse } from 'graphql';
import { buildEntityQuery, rootFieldOf } from './entity-query';

const schema = buildSchema(`
  type Query { team(id: ID!): Team }
  type Team { id: ID!  name: String!  members(first: Int): [Member!]! }
  type Member { role: String! }
  type TeamChange { kind: String!  teamId: ID!  team: Team }
  type Subscription { teamChanged(teamId: ID): TeamChange! }
`);

const entity = { queryField: 'team', keyArgument: 'id', key: () => 'x' };

function build(query: string) {
  const document = parse(query);
  const operation = getOperationAST(document)!;
  return buildEntityQuery(schema, document, operation, rootFieldOf(document, operation)!, 'team', entity);
}

describe('buildEntityQuery', () => {
  it("keeps the client's aliases, and asks for __typename everywhere", () => {
    expect(build('subscription { teamChanged { kind t: team { n: name } } }')).toEqual({
      field: 'team',
      query: 'query SubscriptionEntity($__entityKey: ID!) {\n  t: team(id: $__entityKey) {\n    n: name\n    __typename\n  }\n}',
      variables: [],
    });
  });

  it('carries the fragments and variables the selection uses, and only those', () => {
    const result = build(`
      subscription($id: ID, $n: Int) { teamChanged(teamId: $id) { ...Change } }
      fragment Change on TeamChange { kind team { ...TeamFields } }
      fragment TeamFields on Team { name members(first: $n) { role } }
    `);
    expect(result?.variables).toEqual(['n']);
    expect(result?.query).toContain('query SubscriptionEntity($__entityKey: ID!, $n: Int)');
    expect(result?.query).toContain('team: team(id: $__entityKey) {\n    ...TeamFields');
    expect(result?.query).toContain('fragment TeamFields on Team');
    expect(result?.query).not.toContain('fragment Change');
  });

  it('needs no query when the entity is not selected', () => {
    expect(build('subscription { teamChanged { kind teamId } }')).toBeNull();
  });
});
