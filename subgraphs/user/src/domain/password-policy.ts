/**
 * Weak-password rule. A password is refused, with a reason a person can act on, when it is
 * short, uses a single kind of character, is a well-known password, or contains the account's
 * email name. Length is bounded above so hashing cost stays predictable.
 */
export const PASSWORD_MIN_LENGTH = 10;
export const PASSWORD_MAX_LENGTH = 256;

export type PasswordWeakness = 'TOO_SHORT' | 'TOO_LONG' | 'SINGLE_CHARACTER_CLASS' | 'TOO_COMMON' | 'CONTAINS_EMAIL';

export interface PasswordVerdict {
  weakness: PasswordWeakness;
  message: string;
}

/** A small list of passwords attackers try first (all ≥ 10 characters, lower-cased). */
const COMMON_PASSWORDS = new Set([
  '1234567890',
  '12345678910',
  '123456789a',
  '1q2w3e4r5t',
  '1qaz2wsx3edc',
  'password1!',
  'password12',
  'password123',
  'password1234',
  'passw0rd123',
  'p@ssw0rd123',
  'qwerty1234',
  'qwerty12345',
  'qwertyuiop',
  'qwertyuiop1',
  'qwerty123!',
  'iloveyou123',
  'letmein123',
  'welcome123',
  'welcome1234',
  'changeme123',
  'administrator',
  'admin12345',
  'abc1234567',
  'abcd123456',
  'football123',
  'baseball123',
  'sunshine123',
  'princess123',
  'dragon12345',
  'monkey12345',
  'trustno1234',
  'superman123',
  'switchboard1',
  'switchboard123',
]);

function characterClasses(password: string): number {
  const classes = [/\p{Ll}/u, /\p{Lu}/u, /\p{Nd}/u, /[^\p{Ll}\p{Lu}\p{Nd}]/u];
  return classes.filter((pattern) => pattern.test(password)).length;
}

/** Returns why `password` is too weak for the account with `email`, or null when it is fine. */
export function checkPasswordStrength(password: string, email?: string): PasswordVerdict | null {
  const length = [...password].length;
  if (length < PASSWORD_MIN_LENGTH) {
    return { weakness: 'TOO_SHORT', message: `Password must be at least ${PASSWORD_MIN_LENGTH} characters long` };
  }
  if (length > PASSWORD_MAX_LENGTH) {
    return { weakness: 'TOO_LONG', message: `Password must be at most ${PASSWORD_MAX_LENGTH} characters long` };
  }
  if (characterClasses(password) < 2) {
    return {
      weakness: 'SINGLE_CHARACTER_CLASS',
      message: 'Password must mix at least two kinds of characters (lower case, upper case, digits, symbols)',
    };
  }
  if (COMMON_PASSWORDS.has(password.toLowerCase())) {
    return { weakness: 'TOO_COMMON', message: 'This password is too common; choose another one' };
  }
  const localPart = email?.split('@')[0]?.toLowerCase();
  if (localPart && localPart.length >= 3 && password.toLowerCase().includes(localPart)) {
    return { weakness: 'CONTAINS_EMAIL', message: 'Password must not contain your email address' };
  }
  return null;
}
