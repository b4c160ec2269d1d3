import { badUserInput } from '@switchboard/subgraph-kit';
import { checkPasswordStrength } from './password-policy';

/** Input rules shared by every mutation; each failure names the field a client should mark. */

const EMAIL_PATTERN = /^[^\s@"(),:;<>[\\\]]+@[^\s@"(),:;<>[\\\]]+\.[^\s@"(),:;<>[\\\].]{2,}$/u;

/** Trimmed, lower-cased email, or BAD_USER_INPUT on `field`. */
export function normalizeEmail(raw: string, field = 'email'): string {
  const email = raw.trim().toLowerCase();
  const [local, domain] = email.split('@');
  if (
    email.length > 254 ||
    !EMAIL_PATTERN.test(email) ||
    !local ||
    local.length > 64 ||
    !domain ||
    domain.startsWith('.') ||
    domain.includes('..')
  ) {
    throw badUserInput('Enter a valid email address, like name@example.com', field);
  }
  return email;
}

/** A display name: trimmed, 1–100 characters, no control characters. */
export function normalizeName(raw: string, field = 'name', what = 'Name'): string {
  const name = raw.trim().replace(/\s+/gu, ' ');
  if (name.length === 0) throw badUserInput(`${what} cannot be empty`, field);
  if ([...name].length > 100) throw badUserInput(`${what} must be at most 100 characters`, field);
  if (/\p{Cc}/u.test(name)) throw badUserInput(`${what} contains invalid characters`, field);
  return name;
}

/** BAD_USER_INPUT on `field` (with the weakness as `reason`) when the password is too weak. */
export function assertStrongPassword(password: string, email: string | undefined, field = 'password'): void {
  const verdict = checkPasswordStrength(password, email);
  if (verdict) throw badUserInput(verdict.message, field, { reason: verdict.weakness });
}

