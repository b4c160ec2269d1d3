import { checkPasswordStrength } from './password-policy';

describe('password policy', () => {
  it.each([
    ['short1!', undefined, 'TOO_SHORT'],
    ['abcdefghijkl', undefined, 'SINGLE_CHARACTER_CLASS'],
    ['ABCDEFGHIJKL', undefined, 'SINGLE_CHARACTER_CLASS'],
    ['12345678901234', undefined, 'SINGLE_CHARACTER_CLASS'],
    ['!!!!!!!!!!!!', undefined, 'SINGLE_CHARACTER_CLASS'],
    ['Password123', undefined, 'TOO_COMMON'],
    ['QWERTYUIOP1', undefined, 'TOO_COMMON'],
    ['x'.repeat(200) + 'Y'.repeat(57), undefined, 'TOO_LONG'],
    ['Hello-alice.smith-99', 'alice.smith@example.com', 'CONTAINS_EMAIL'],
    ['xxALICEyy12', 'alice@example.com', 'CONTAINS_EMAIL'],
  ])('refuses %j', (password, email, weakness) => {
    expect(checkPasswordStrength(password, email)).toMatchObject({ weakness, message: expect.any(String) });
  });

  it.each([
    ['Sunny meadow 42', 'alice@example.com'],
    ['correct-horse-battery', undefined],
    ['Зелёный чай 2024', undefined],
    ['abc+def-ghi1', 'al@example.com'], // a 2-letter local part is too short to match on
  ])('accepts %j', (password, email) => {
    expect(checkPasswordStrength(password, email)).toBeNull();
  });
});
