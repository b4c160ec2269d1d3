import type { VariableDeclaration } from './types';
import { checkValue, checkVariables, intlLocale, normalizeValues, validateDeclarations } from './variables';

const declare = (name: string, type: VariableDeclaration['type'] = 'STRING'): VariableDeclaration => ({
  name,
  type,
  example: null,
  description: null,
});

describe('checkValue', () => {
  it.each([
    ['STRING', 'Ann', 'Ann'],
    ['NUMBER', 12.5, '12.5'],
    ['NUMBER', '0012', null],
    ['NUMBER', ' 42 ', '42'],
    ['NUMBER', 'abc', null],
    ['NUMBER', Number.NaN, null],
    ['STRING', 42, null],
    ['STRING', '   ', null],
    ['URL', 'https://example.test/a?b=1', 'https://example.test/a?b=1'],
    ['URL', 'javascript:alert(1)', null],
    ['URL', 'example.test', null],
    ['EMAIL', 'ann@example.test', 'ann@example.test'],
    ['EMAIL', 'ann@', null],
    ['PHONE_NUMBER', '+14155550100', '+14155550100'],
    ['PHONE_NUMBER', '4155550100', null],
    ['DATE', '2026-03-01', 'March 1, 2026'],
    ['DATE', '2026-03-01T23:30:00+02:00', 'March 1, 2026'],
    ['DATE', '2026-02-30', null],
    ['DATE', 'tomorrow', null],
    ['CURRENCY', { amount: 12.5, currency: 'EUR' }, '€12.50'],
    ['CURRENCY', { amount: '1000', currency: 'USD' }, '$1,000.00'],
    ['CURRENCY', { amount: 1, currency: 'XYZ' }, null],
    ['CURRENCY', 12.5, null],
  ] as const)('%s %j → %j', (type, value, text) => {
    const result = checkValue(type, value);
    if (text === null) expect(result.ok).toBe(false);
    else expect(result).toMatchObject({ ok: true, value: { text } });
  });

  it('formats currency and dates in the given locale with plain spaces (no UCS-2 surprise in SMS)', () => {
    const euro = checkValue('CURRENCY', { amount: 12.5, currency: 'EUR' }, 'de-DE');
    expect(euro).toEqual({ ok: true, value: { text: '12,50 €', currency: { code: 'EUR', amount1000: 12500 } } });
    expect(checkValue('DATE', '2026-03-01', 'fr-FR')).toMatchObject({ ok: true, value: { text: '1 mars 2026' } });
  });

  it('explains the mismatch', () => {
    expect(checkValue('STRING', 42)).toEqual({ ok: false, reason: 'expected a string, got a number' });
    expect(checkValue('NUMBER', [1])).toEqual({ ok: false, reason: 'expected a number, got a list' });
  });
});

describe('intlLocale', () => {
  it('maps WhatsApp codes to Intl tags', () => {
    expect(intlLocale('en_US')).toBe('en-US');
    expect(intlLocale('pt_BR')).toBe('pt-BR');
    expect(intlLocale(null)).toBe('en');
    expect(intlLocale('!!')).toBe('en');
  });
});

describe('checkVariables', () => {
  const declarations = [declare('first_name'), declare('total', 'NUMBER'), declare('link', 'URL')];

  it('accepts exactly the declared variables', () => {
    const result = checkVariables(declarations, { first_name: 'Ann', total: 3, link: 'https://x.test' });
    expect(result.ok).toBe(true);
    if (result.ok) expect(result.values.get('total')).toEqual({ text: '3' });
  });

  it('names every missing, extra and mistyped variable at once', () => {
    expect(checkVariables(declarations, { total: 'lots', link: null, nickname: 'A', zeta: 1 })).toEqual({
      ok: false,
      missing: ['first_name', 'link'],
      extra: ['nickname', 'zeta'],
      mistyped: [{ name: 'total', expected: 'NUMBER', reason: 'expected a number, got a string' }],
    });
  });

  it('applies a channel rule on top of the type', () => {
    const result = checkVariables([declare('1')], { '1': 'a\nb' }, { extraRule: (_n, v) => (v.text.includes('\n') ? 'no line breaks' : null) });
    expect(result).toEqual({ ok: false, missing: [], extra: [], mistyped: [{ name: '1', expected: 'STRING', reason: 'no line breaks' }] });
  });

  it('does not treat inherited object properties as values', () => {
    expect(checkVariables([declare('constructor')], {})).toMatchObject({ ok: false, missing: ['constructor'] });
  });
});

describe('normalizeValues', () => {
  it('accepts a list for positional templates only', () => {
    expect(normalizeValues(['Ann', 'A-1'], 'positional')).toEqual({ '1': 'Ann', '2': 'A-1' });
    expect(normalizeValues(['Ann'], 'named')).toBeNull();
  });
  it('refuses scalars', () => {
    expect(normalizeValues('Ann', 'named')).toBeNull();
    expect(normalizeValues(null, 'named')).toBeNull();
  });
});

describe('validateDeclarations', () => {
  it('sorts declarations and defaults the type to STRING', () => {
    const { declarations, issues } = validateDeclarations([{ name: '2' }, { name: '1', type: 'NUMBER', example: 3 }], 'positional');
    expect(issues).toEqual([]);
    expect(declarations).toEqual([
      { name: '1', type: 'NUMBER', example: 3, description: null },
      { name: '2', type: 'STRING', example: null, description: null },
    ]);
  });

  it('names bad names, duplicates and examples that do not fit the type', () => {
    const { issues } = validateDeclarations(
      [{ name: 'first name' }, { name: 'a' }, { name: 'a' }, { name: 'total', type: 'NUMBER', example: 'many' }],
      'named',
    );
    expect(issues.map((i) => i.field)).toEqual(['variables[0].name', 'variables[2].name', 'variables[3].example']);
    expect(issues[2]?.message).toBe('Example for "total" is not a valid NUMBER: expected a number, got a string');
  });

  it('requires numbers for WhatsApp variables', () => {
    expect(validateDeclarations([{ name: 'first_name' }], 'positional').issues[0]?.message).toMatch(/numbered/);
  });
});
