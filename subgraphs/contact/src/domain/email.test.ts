import { maskEmail, normalizeEmail } from './email';

describe('normalizeEmail', () => {
  it.each([
    ['ann@example.com', 'ann@example.com'],
    ['  Ann.Lee@Example.COM ', 'ann.lee@example.com'],
    ['first+tag@mail.example.co.uk', 'first+tag@mail.example.co.uk'],
    ["o'brien@example.ie", "o'brien@example.ie"],
    ['user@xn--bcher-kva.example', 'user@xn--bcher-kva.example'],
  ])('accepts %s as %s', (input, email) => {
    expect(normalizeEmail(input)).toEqual({ ok: true, email });
  });

  it.each([
    'plainaddress',
    '@example.com',
    'ann@',
    'ann@localhost',
    'ann@@example.com',
    'ann lee@example.com',
    'ann..lee@example.com',
    '.ann@example.com',
    'ann@-example.com',
    'ann@example..com',
    'ann@example.c',
    'ann@example.123',
  ])('rejects %s as INVALID_EMAIL', (input) => {
    expect(normalizeEmail(input)).toEqual({ ok: false, reason: 'INVALID_EMAIL' });
  });

  it('rejects over-long addresses as TOO_LONG', () => {
    expect(normalizeEmail(`${'a'.repeat(65)}@example.com`)).toEqual({ ok: false, reason: 'TOO_LONG' });
    expect(normalizeEmail(`ann@${'a'.repeat(250)}.com`)).toEqual({ ok: false, reason: 'TOO_LONG' });
  });

  it('masks addresses for logs', () => {
    expect(maskEmail('ann.lee@example.com')).toBe('a…@example.com');
  });
});
