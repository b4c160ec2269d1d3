import { compareVariableNames, findPositionalGaps, parsePlaceholders, substitute } from './placeholders';

describe('parsePlaceholders', () => {
  it('splits named placeholders from text and lists names once, in order', () => {
    const parsed = parsePlaceholders('Hi {{first_name}}, {{ last_name }} and {{first_name}}', 'named');
    expect(parsed.problems).toEqual([]);
    expect(parsed.names).toEqual(['first_name', 'last_name']);
    expect(parsed.parts.map((p) => (p.kind === 'text' ? p.value : `<${p.name}>`))).toEqual([
      'Hi ',
      '<first_name>',
      ', ',
      '<last_name>',
      ' and ',
      '<first_name>',
    ]);
  });

  it('accepts positional placeholders for WhatsApp', () => {
    expect(parsePlaceholders('{{1}} and {{12}}', 'positional')).toMatchObject({ names: ['1', '12'], problems: [] });
  });

  it('refuses named placeholders in WhatsApp text, with a hint', () => {
    expect(parsePlaceholders('Hi {{name}}', 'positional').problems).toEqual([
      'WhatsApp placeholders are positional: use {{1}}, {{2}} … instead of {{name}}',
    ]);
  });

  it('refuses positional placeholders in email/SMS text, with a hint', () => {
    expect(parsePlaceholders('Hi {{1}}', 'named').problems[0]).toMatch(/named: use a name like \{\{first_name\}\}/);
  });

  it('refuses {{0}}, leading zeros and malformed names', () => {
    expect(parsePlaceholders('{{0}}', 'positional').problems).toHaveLength(1);
    expect(parsePlaceholders('{{01}}', 'positional').problems).toHaveLength(1);
    expect(parsePlaceholders('{{first name}}', 'named').problems).toHaveLength(1);
    expect(parsePlaceholders('{{}}', 'named').problems).toHaveLength(1);
  });

  it('reports an unclosed placeholder with its position', () => {
    expect(parsePlaceholders('Hello {{name', 'named').problems).toEqual(['"{{" at character 7 is never closed with "}}"']);
    expect(parsePlaceholders('a {{b {{c}}', 'named').problems[0]).toMatch(/character 3 is never closed/);
  });

  it('leaves single braces and text without placeholders alone', () => {
    const parsed = parsePlaceholders('a { b } c}} d', 'named');
    expect(parsed.problems).toEqual([]);
    expect(parsed.parts).toEqual([{ kind: 'text', value: 'a { b } c}} d' }]);
  });
});

describe('findPositionalGaps', () => {
  it('finds no gap in 1..n', () => expect(findPositionalGaps(['2', '1', '3'])).toEqual([]));
  it('names each missing number', () => expect(findPositionalGaps(['1', '3', '6'])).toEqual([2, 4, 5]));
  it('counts from 1', () => expect(findPositionalGaps(['2'])).toEqual([1]));
  it('is empty without placeholders', () => expect(findPositionalGaps([])).toEqual([]));
});

describe('substitute', () => {
  it('replaces placeholders and keeps text as is', () => {
    const { parts } = parsePlaceholders('Hi {{a}}, {{b}}!', 'named');
    expect(substitute(parts, (p) => p.name.toUpperCase())).toBe('Hi A, B!');
  });
});

describe('compareVariableNames', () => {
  it('orders numbers numerically', () => expect(['10', '2', '1'].sort(compareVariableNames)).toEqual(['1', '2', '10']));
});
