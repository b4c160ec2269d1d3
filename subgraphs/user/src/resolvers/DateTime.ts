import { GraphQLScalarType, Kind } from 'graphql';
import { badUserInput } from '@switchboard/subgraph-kit';

function parse(value: unknown): Date {
  const date = typeof value === 'string' ? new Date(value) : null;
  if (!date || Number.isNaN(date.getTime())) throw badUserInput('Expected an ISO-8601 date-time');
  return date;
}

/** ISO-8601 date-times (UTC, millisecond precision) as strings. */
export const DateTime = new GraphQLScalarType({
  name: 'DateTime',
  serialize: (value) => (value instanceof Date ? value : parse(value)).toISOString(),
  parseValue: parse,
  parseLiteral: (ast) => parse(ast.kind === Kind.STRING ? ast.value : null),
});
