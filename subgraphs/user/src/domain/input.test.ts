import { GraphQLError } from 'graphql';
import { assertStrongPassword, normalizeEmail, normalizeName } from './input';

function errorOf(fn: () => unknown): GraphQLError {
  try {
    fn();
  } catch (error) {
    return error as GraphQLError;
  }
  throw new Error('expected an error');
}

describe('input rules', () => {
  it('normalizes emails', () => {
    expect(normalizeEmail('  Alice.Smith+tag@Example.COM ')).toBe('alice.smith+tag@example.com');
  });

  it.each(['', 'alice', 'alice@', '@example.com', 'alice@example', 'a b@example.com', 'alice@@example.com', 'alice@.example.com', 'alice@example..com', `${'a'.repeat(65)}@example.com`])(
    'refuses the malformed email %j with field email',
    (email) => {
      const error = errorOf(() => normalizeEmail(email));
      expect(error.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'email' });
    },
  );

  it('trims names and refuses empty or oversized ones', () => {
    expect(normalizeName('  Ada   Lovelace ')).toBe('Ada Lovelace');
    expect(errorOf(() => normalizeName('   ')).extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'name' });
    expect(errorOf(() => normalizeName('x'.repeat(101), 'organizationName')).extensions).toMatchObject({
      field: 'organizationName',
    });
  });

  it('reports a weak password on the password field with the reason', () => {
    const error = errorOf(() => assertStrongPassword('tooshort', 'a@example.com'));
    expect(error.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'password', reason: 'TOO_SHORT' });
    expect(error.message).toMatch(/at least 10 characters/);
  });
});
