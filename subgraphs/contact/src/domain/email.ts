/** Why an email address was refused. */
export type EmailRejection = 'INVALID_EMAIL' | 'TOO_LONG';

export type EmailResult = { ok: true; email: string } | { ok: false; reason: EmailRejection };

const MAX_LENGTH = 254; // RFC 5321 path limit
const MAX_LOCAL_LENGTH = 64;
// Unquoted local part (RFC 5322 atext and dots) — quoted local parts are not accepted.
const LOCAL_PART = /^[a-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;
const DOMAIN_LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const TOP_LEVEL = /^(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})$/;

/**
 * Trims, lower-cases and checks an email address: `local@domain.tld` with a dotted domain of
 * valid labels. Addresses are compared in lower case, so `Ann@Example.com` and `ann@example.com`
 * are the same contact.
 */
export function normalizeEmail(input: string): EmailResult {
  const email = input.trim().toLowerCase();
  if (email.length > MAX_LENGTH) return { ok: false, reason: 'TOO_LONG' };
  const at = email.lastIndexOf('@');
  if (at <= 0 || at === email.length - 1) return { ok: false, reason: 'INVALID_EMAIL' };
  const local = email.slice(0, at);
  const domain = email.slice(at + 1);
  if (local.length > MAX_LOCAL_LENGTH) return { ok: false, reason: 'TOO_LONG' };
  if (!LOCAL_PART.test(local)) return { ok: false, reason: 'INVALID_EMAIL' };
  const labels = domain.split('.');
  if (labels.length < 2) return { ok: false, reason: 'INVALID_EMAIL' };
  if (!labels.every((label) => DOMAIN_LABEL.test(label))) return { ok: false, reason: 'INVALID_EMAIL' };
  if (!TOP_LEVEL.test(labels[labels.length - 1] ?? '')) return { ok: false, reason: 'INVALID_EMAIL' };
  return { ok: true, email };
}

export function describeEmailRejection(reason: EmailRejection): string {
  return reason === 'TOO_LONG'
    ? 'Email address is too long (TOO_LONG)'
    : 'Email address is not valid (INVALID_EMAIL)';
}

/** `ann.lee@example.com` → `a…@example.com`, for logs. */
export function maskEmail(email: string): string {
  const at = email.lastIndexOf('@');
  return at <= 0 ? '…' : `${email[0]}…${email.slice(at)}`;
}
