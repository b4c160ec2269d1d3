import { parsePhoneNumberFromString } from 'libphonenumber-js/max';

/**
 * Addresses of the three channels: phone numbers in E.164 (SMS, WhatsApp) and email addresses.
 * Recipients are checked strictly (a number must be valid for its country, with full metadata);
 * our own sender numbers only need to be possible numbers (test and fictional ranges are fine).
 */

export type Channel = 'EMAIL' | 'SMS' | 'WHATSAPP';

export type AddressResult = { ok: true; address: string } | { ok: false; reason: string };

const EMAIL = /^[^\s@<>()[\]\\,;:"]{1,64}@[^\s@<>()[\]\\,;:"_]+\.[^\s@<>()[\]\\,;:"_]{2,}$/u;
const MAX_EMAIL_LENGTH = 320;

export function normalizeEmail(input: string): AddressResult {
  const value = input.trim().toLowerCase();
  if (value.length > MAX_EMAIL_LENGTH || !EMAIL.test(value) || value.includes('..')) {
    return { ok: false, reason: 'is not a valid email address' };
  }
  return { ok: true, address: value };
}

/**
 * A phone number written in international form (`+447911123456`, spaces and dashes allowed) →
 * E.164. `strict`: the number must be valid for its country, not merely of a possible length.
 */
export function normalizePhone(input: string, strict: boolean): AddressResult {
  const key = `${strict ? 's' : 'p'}${input}`;
  const known = phoneResults.get(key);
  if (known) return known;
  const result = parsePhone(input, strict);
  if (phoneResults.size >= PHONE_RESULTS_MAX) phoneResults.delete(phoneResults.keys().next().value!);
  phoneResults.set(key, Object.freeze(result));
  return result;
}

/**
 * Results of normalizePhone by input: parsing with full metadata costs about 0.15 ms, and the same
 * numbers come back all the time (every provider callback names our sender's number). Bounded:
 * the oldest entry goes first.
 */
const phoneResults = new Map<string, AddressResult>();
const PHONE_RESULTS_MAX = 5_000;

function parsePhone(input: string, strict: boolean): AddressResult {
  const value = input.trim().replace(/^whatsapp:/u, '');
  if (!value.startsWith('+') || value.length > 32) {
    return { ok: false, reason: 'must be an international number in E.164 form, like +447911123456' };
  }
  const parsed = parsePhoneNumberFromString(value);
  if (!parsed) return { ok: false, reason: 'is not a phone number' };
  if (strict ? !parsed.isValid() : !parsed.isPossible()) {
    return { ok: false, reason: 'is not a valid phone number for its country' };
  }
  return { ok: true, address: parsed.number };
}

/** A recipient's address for the channel: E.164 for SMS and WhatsApp, an email address for EMAIL. */
export function normalizeRecipient(channel: Channel, input: string): AddressResult {
  return channel === 'EMAIL' ? normalizeEmail(input) : normalizePhone(input, true);
}

/** `+447911123456` → `+44…56`, `ann@example.com` → `a…@example.com`: for logs, never the full address. */
export function maskAddress(address: string | null | undefined): string {
  if (!address) return '';
  const at = address.indexOf('@');
  if (at > 0) return `${address[0]}…${address.slice(at)}`;
  return address.length <= 5 ? '…' : `${address.slice(0, 3)}…${address.slice(-2)}`;
}
