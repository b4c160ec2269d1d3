import { describePhoneRejection, maskPhone, normalizePhone, parseCountry } from './phone';

describe('normalizePhone', () => {
  it.each([
    ['+44 20 7946 0000', undefined, '+442079460000'],
    ['+1 (202) 555-0100', undefined, '+12025550100'],
    ['020 7946 0000', 'GB', '+442079460000'],
    ['0049 30 123456', 'DE', '+4930123456'],
    ['06 12 34 56 78', 'FR', '+33612345678'],
    ['  +33612345678  ', undefined, '+33612345678'],
  ] as const)('normalises %s (default country %s) to E.164', (input, country, e164) => {
    expect(normalizePhone(input, country)).toEqual({ ok: true, e164 });
  });

  it.each([
    ['123', 'GB', 'TOO_SHORT'],
    ['020 7946 0000', undefined, 'INVALID_COUNTRY'],
    ['+999 1234567', undefined, 'INVALID_COUNTRY'],
    ['not a phone', 'GB', 'NOT_A_NUMBER'],
    ['', 'GB', 'NOT_A_NUMBER'],
    ['+1 202 555 01001', undefined, 'TOO_LONG'],
    ['+44 7700 9001234567890', undefined, 'TOO_LONG'],
    // Right length, but no such range in the country's numbering plan.
    ['+1 999 555 0100', undefined, 'INVALID_NUMBER'],
  ] as const)('rejects %s (default country %s) as %s', (input, country, reason) => {
    expect(normalizePhone(input, country)).toEqual({ ok: false, reason });
  });

  it('rejects absurdly long input without parsing it', () => {
    expect(normalizePhone('1'.repeat(1000), 'GB')).toEqual({ ok: false, reason: 'TOO_LONG' });
  });

  it('describes a rejection without the number', () => {
    expect(describePhoneRejection('TOO_SHORT')).toBe('Phone number is too short (TOO_SHORT)');
  });

  it('masks numbers for logs', () => {
    expect(maskPhone('+442079460000')).toBe('+44…00');
    expect(maskPhone('+442079460000')).not.toContain('7946');
  });
});

describe('parseCountry', () => {
  it('accepts ISO codes in any case and refuses unknown ones', () => {
    expect(parseCountry('gb')).toBe('GB');
    expect(parseCountry(' US ')).toBe('US');
    expect(parseCountry('XX')).toBeUndefined();
    expect(parseCountry('')).toBeUndefined();
    expect(parseCountry(null)).toBeUndefined();
  });
});
