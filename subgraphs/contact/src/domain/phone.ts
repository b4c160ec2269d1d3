import {
  isSupportedCountry,
  parsePhoneNumberWithError,
  ParseError,
  validatePhoneNumberLength,
  type CountryCode,
} from 'libphonenumber-js/max';

/** Why a phone number was refused — libphonenumber-js's own reasons, plus INVALID_NUMBER. */
export type PhoneRejection =
  | 'INVALID_COUNTRY'
  | 'NOT_A_NUMBER'
  | 'TOO_SHORT'
  | 'TOO_LONG'
  | 'INVALID_LENGTH'
  | 'INVALID_NUMBER';

export type PhoneResult = { ok: true; e164: string } | { ok: false; reason: PhoneRejection };

const MAX_INPUT_LENGTH = 64;

const REASON_TEXT: Record<PhoneRejection, string> = {
  INVALID_COUNTRY: 'has no country code and no (valid) default country was given',
  NOT_A_NUMBER: 'is not a phone number',
  TOO_SHORT: 'is too short',
  TOO_LONG: 'is too long',
  INVALID_LENGTH: 'has a length that no number of its country has',
  INVALID_NUMBER: 'is not a valid number for its country',
};

/** A short human sentence for a rejection (never includes the number itself). */
export function describePhoneRejection(reason: PhoneRejection): string {
  return `Phone number ${REASON_TEXT[reason]} (${reason})`;
}

/** Upper-cases and checks an ISO 3166-1 alpha-2 country code; undefined when not supported. */
export function parseCountry(code: string | null | undefined): CountryCode | undefined {
  if (!code) return undefined;
  const upper = code.trim().toUpperCase();
  return isSupportedCountry(upper) ? upper : undefined;
}

/**
 * Normalises a phone number to E.164 (`+447911123456`). Numbers without a `+` country prefix need
 * `defaultCountry`. Full metadata is used, so numbers that merely have a plausible length but no
 * valid pattern in their country (unassigned ranges) are refused as INVALID_NUMBER.
 */
export function normalizePhone(input: string, defaultCountry?: CountryCode): PhoneResult {
  const text = input.trim();
  if (text.length === 0 || text.length > MAX_INPUT_LENGTH) {
    return { ok: false, reason: text.length === 0 ? 'NOT_A_NUMBER' : 'TOO_LONG' };
  }
  let parsed;
  try {
    parsed = parsePhoneNumberWithError(text, defaultCountry ? { defaultCountry } : undefined);
  } catch (error) {
    if (error instanceof ParseError) return { ok: false, reason: toRejection(error.message) };
    throw error;
  }
  if (parsed.isValid()) return { ok: true, e164: parsed.number };
  const lengthProblem = validatePhoneNumberLength(text, defaultCountry ? { defaultCountry } : undefined);
  return { ok: false, reason: lengthProblem ?? 'INVALID_NUMBER' };
}

function toRejection(message: string): PhoneRejection {
  switch (message) {
    case 'INVALID_COUNTRY':
    case 'NOT_A_NUMBER':
    case 'TOO_SHORT':
    case 'TOO_LONG':
    case 'INVALID_LENGTH':
      return message;
    default:
      return 'NOT_A_NUMBER';
  }
}

/** `+447911123456` → `+44…56`, for logs: a number is never logged in full. */
export function maskPhone(e164: string): string {
  return e164.length <= 4 ? '••••' : `${e164.slice(0, 3)}…${e164.slice(-2)}`;
}
