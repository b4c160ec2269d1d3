import type { CountryCode } from 'libphonenumber-js/max';
import { describeEmailRejection, normalizeEmail } from './email';
import { describePhoneRejection, normalizePhone } from './phone';

/**
 * Field rules shared by createContact / updateContact and by each imported row. Each check returns
 * the normalised value or a problem naming the field and a stable reason, so the API can answer
 * BAD_USER_INPUT and an import can record the row's error without aborting the others.
 */
export interface FieldProblem {
  field: string;
  reason: string;
  message: string;
}

export type Checked<T> = { ok: true; value: T } | { ok: false; problem: FieldProblem };

export const CHANNELS = ['EMAIL', 'SMS', 'WHATSAPP'] as const;
export type ConsentChannel = (typeof CHANNELS)[number];
export const CONSENT_STATUSES = ['OPTED_IN', 'OPTED_OUT', 'UNKNOWN'] as const;
export type ConsentStatus = (typeof CONSENT_STATUSES)[number];

export interface ConsentChange {
  status: ConsentStatus;
  source: string;
}

export const LIMITS = {
  nameLength: 200,
  tagLength: 50,
  tagsPerContact: 50,
  attributesBytes: 8 * 1024,
  consentSourceLength: 100,
} as const;

const ok = <T>(value: T): Checked<T> => ({ ok: true, value });
const problem = (field: string, reason: string, message: string): Checked<never> => ({
  ok: false,
  problem: { field, reason, message },
});

export function checkName(input: unknown, field = 'name'): Checked<string> {
  if (typeof input !== 'string') return problem(field, 'REQUIRED', 'Name is required');
  const name = input.trim().replace(/\s+/g, ' ');
  if (name.length === 0) return problem(field, 'REQUIRED', 'Name is required');
  if (name.length > LIMITS.nameLength) {
    return problem(field, 'TOO_LONG', `Name is longer than ${LIMITS.nameLength} characters`);
  }
  return ok(name);
}

/** The sort key of a name: lower case, accents removed (`Émile` sorts with `emile`). */
export function sortKeyOf(name: string): string {
  return name.normalize('NFKD').replace(/\p{M}+/gu, '').toLowerCase();
}

/**
 * What search matches for a contact: its sort name, email and phone digits (no `+`), separated by
 * U+001F so a term never matches across two fields.
 */
export function searchTextOf(contact: { sortName: string; email: string | null; phone: string | null }): string {
  return [contact.sortName, contact.email ?? '', contact.phone ? contact.phone.replace(/\D/g, '') : ''].join('\u001f');
}

export function checkPhone(input: string, defaultCountry: CountryCode | undefined, field = 'phone'): Checked<string> {
  const result = normalizePhone(input, defaultCountry);
  return result.ok ? ok(result.e164) : problem(field, result.reason, describePhoneRejection(result.reason));
}

export function checkEmail(input: string, field = 'email'): Checked<string> {
  const result = normalizeEmail(input);
  return result.ok ? ok(result.email) : problem(field, result.reason, describeEmailRejection(result.reason));
}

/**
 * A WhatsApp id is the number in international form without the `+` (`447911123456`). Spaces,
 * dashes, brackets and a leading `+` are accepted and dropped; the digits must form a valid number.
 */
export function checkWhatsappId(input: string, field = 'whatsappId'): Checked<string> {
  const text = input.trim();
  if (!/^\+?[\d\s().-]+$/.test(text)) {
    return problem(field, 'NOT_A_NUMBER', 'WhatsApp id must be the international phone number (NOT_A_NUMBER)');
  }
  const digits = text.replace(/\D/g, '');
  const result = normalizePhone(`+${digits}`);
  if (!result.ok) return problem(field, result.reason, `WhatsApp id: ${describePhoneRejection(result.reason)}`);
  return ok(result.e164.slice(1));
}

/** Trimmed, lower-cased, de-duplicated tags, in first-seen order. */
export function checkTags(input: readonly unknown[], field = 'tags'): Checked<string[]> {
  const tags: string[] = [];
  for (const raw of input) {
    if (typeof raw !== 'string') return problem(field, 'INVALID_TAG', 'Tags must be strings');
    const tag = raw.trim().toLowerCase();
    if (tag.length === 0) continue;
    if (tag.length > LIMITS.tagLength) {
      return problem(field, 'TOO_LONG', `A tag is longer than ${LIMITS.tagLength} characters`);
    }
    if (!tags.includes(tag)) tags.push(tag);
  }
  if (tags.length > LIMITS.tagsPerContact) {
    return problem(field, 'TOO_MANY', `A contact has at most ${LIMITS.tagsPerContact} tags`);
  }
  return ok(tags);
}

/** A JSON object of at most 8 KB once serialised. */
export function checkAttributes(input: unknown, field = 'attributes'): Checked<Record<string, unknown>> {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    return problem(field, 'NOT_AN_OBJECT', 'Attributes must be a JSON object');
  }
  const bytes = Buffer.byteLength(JSON.stringify(input), 'utf8');
  if (bytes > LIMITS.attributesBytes) {
    return problem(
      field,
      'TOO_LARGE',
      `Attributes take ${bytes} bytes as JSON; the limit is ${LIMITS.attributesBytes} bytes`,
    );
  }
  return ok(input as Record<string, unknown>);
}

export function checkConsentSource(input: string | null | undefined, fallback: string, field = 'source'): Checked<string> {
  const source = (input ?? '').trim();
  if (source.length === 0) return ok(fallback);
  if (source.length > LIMITS.consentSourceLength) {
    return problem(field, 'TOO_LONG', `Consent source is longer than ${LIMITS.consentSourceLength} characters`);
  }
  return ok(source);
}

export function isConsentStatus(value: unknown): value is ConsentStatus {
  return typeof value === 'string' && (CONSENT_STATUSES as readonly string[]).includes(value);
}

export function isChannel(value: unknown): value is ConsentChannel {
  return typeof value === 'string' && (CHANNELS as readonly string[]).includes(value);
}
