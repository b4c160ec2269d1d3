import { GraphQLError } from 'graphql';
import { parseTeamName, teamNameKey, TEAM_NAME_MAX_LENGTH } from './team-name';

function errorOf(fn: () => unknown): GraphQLError {
  try {
    fn();
  } catch (error) {
    if (error instanceof GraphQLError) return error;
    throw error;
  }
  throw new Error('expected a GraphQLError');
}

describe('team names', () => {
  it('trims and collapses whitespace', () => {
    expect(parseTeamName('  Support   Tier\t1 ')).toBe('Support Tier 1');
  });

  it('accepts 1 and 80 characters, counting an emoji once', () => {
    expect(parseTeamName('a')).toBe('a');
    expect(parseTeamName('x'.repeat(TEAM_NAME_MAX_LENGTH))).toHaveLength(80);
    expect(parseTeamName('🚀'.repeat(80))).toBe('🚀'.repeat(80));
  });

  it.each([
    ['empty', ''],
    ['only spaces', '   \t '],
    ['81 characters', 'x'.repeat(81)],
    ['81 characters after trimming', ` ${'y'.repeat(81)} `],
    ['a NUL byte', 'Sales\u0000'],
    ['a bell character', 'Sa\u0007les'],
  ])('refuses %s as BAD_USER_INPUT on the name field', (_case, raw) => {
    const error = errorOf(() => parseTeamName(raw));
    expect(error.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'name' });
  });

  it('says how long a too-long name is', () => {
    expect(errorOf(() => parseTeamName('z'.repeat(100))).message).toMatch(/at most 80 .*100/);
  });

  it('treats names differing only in letter case (and Unicode form) as the same name', () => {
    expect(teamNameKey('Sales EMEA')).toBe(teamNameKey('sales emea'));
    expect(teamNameKey('Équipe')).toBe(teamNameKey('e\u0301quipe'.normalize('NFD')));
    expect(teamNameKey('Sales')).not.toBe(teamNameKey('Sales 2'));
  });
});
