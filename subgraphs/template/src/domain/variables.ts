/**
 * Declared template variables: their types, how a value of each type is checked and turned
 * into text, and the comparison of a render call's values against the declaration.
 */
import type { PlaceholderStyle } from './placeholders';
import { compareVariableNames } from './placeholders';
import { VARIABLE_TYPES, type InputIssue, type JsonValue, type VariableDeclaration, type VariableType } from './types';

export interface CheckedValue {
  /** The value as it appears in the message. */
  text: string;
  /** CURRENCY values: what the WhatsApp Cloud API's `currency` parameter needs. */
  currency?: { code: string; amount1000: number };
}

export type ValueCheck = { ok: true; value: CheckedValue } | { ok: false; reason: string };

export interface MistypedVariable {
  name: string;
  expected: VariableType;
  reason: string;
}

export type VariablesCheck =
  | { ok: true; values: Map<string, CheckedValue> }
  | { ok: false; missing: string[]; extra: string[]; mistyped: MistypedVariable[] };

export const MAX_VARIABLES = 100;
const MAX_STRING_LENGTH = 4096;
const NAMED = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
const POSITIONAL = /^[1-9][0-9]{0,2}$/;
const EMAIL = /^[^\s@<>"'(),;:]+@[^\s@<>"'(),;:]+\.[^\s@<>"'(),;:]+$/;
const E164 = /^\+[1-9][0-9]{6,14}$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2}))?$/;
const DECIMAL = /^-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?$/;

let currencies: Set<string> | undefined;
function isCurrencyCode(code: string): boolean {
  currencies ??= new Set(Intl.supportedValuesOf('currency'));
  return currencies.has(code);
}

/** `en_US` (WhatsApp) → `en-US` (Intl); anything Intl does not know falls back to English. */
export function intlLocale(language: string | null | undefined): string {
  const tag = (language ?? 'en').replace('_', '-');
  try {
    return Intl.getCanonicalLocales(tag)[0] ?? 'en';
  } catch {
    return 'en';
  }
}

// Intl puts no-break spaces in some locales ("12,50 €"): they would force UCS-2 in an SMS.
const plainSpaces = (text: string) => text.replace(/[\u00a0\u202f]/g, ' ');

function checkNumber(value: unknown): number | null {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value === 'string' && DECIMAL.test(value.trim())) return Number(value.trim());
  return null;
}

/** Checks one value against its declared type and renders it as text. */
export function checkValue(type: VariableType, value: unknown, locale = 'en'): ValueCheck {
  switch (type) {
    case 'STRING': {
      if (typeof value !== 'string') return { ok: false, reason: `expected a string, got ${kindOf(value)}` };
      if (value.trim() === '') return { ok: false, reason: 'expected a non-empty string' };
      if (value.length > MAX_STRING_LENGTH) return { ok: false, reason: `longer than ${MAX_STRING_LENGTH} characters` };
      return { ok: true, value: { text: value } };
    }
    case 'NUMBER': {
      const number = checkNumber(value);
      if (number === null) return { ok: false, reason: `expected a number, got ${kindOf(value)}` };
      return { ok: true, value: { text: typeof value === 'string' ? value.trim() : String(number) } };
    }
    case 'DATE': {
      const match = typeof value === 'string' ? DATE.exec(value) : null;
      if (!match) return { ok: false, reason: 'expected an ISO 8601 date (2026-03-01) or date-time' };
      const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
      const date = new Date(Date.UTC(year, month - 1, day));
      if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) {
        return { ok: false, reason: `${String(value).slice(0, 10)} is not a calendar date` };
      }
      if (String(value).length > 10 && Number.isNaN(Date.parse(String(value)))) {
        return { ok: false, reason: 'expected an ISO 8601 date-time' };
      }
      const text = new Intl.DateTimeFormat(locale, { dateStyle: 'long', timeZone: 'UTC' }).format(date);
      return { ok: true, value: { text: plainSpaces(text) } };
    }
    case 'CURRENCY': {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        return { ok: false, reason: 'expected { "amount": 12.5, "currency": "EUR" }' };
      }
      const { amount, currency } = value as Record<string, unknown>;
      const number = checkNumber(amount);
      if (number === null) return { ok: false, reason: 'amount must be a number' };
      if (typeof currency !== 'string' || !isCurrencyCode(currency)) {
        return { ok: false, reason: 'currency must be an ISO 4217 code such as EUR or USD' };
      }
      const amount1000 = Math.round(number * 1000);
      if (!Number.isSafeInteger(amount1000) || Math.abs(amount1000) > 2_147_483_647) {
        return { ok: false, reason: 'amount is too large' };
      }
      const text = new Intl.NumberFormat(locale, { style: 'currency', currency }).format(number);
      return { ok: true, value: { text: plainSpaces(text), currency: { code: currency, amount1000 } } };
    }
    case 'URL': {
      if (typeof value !== 'string') return { ok: false, reason: `expected a URL string, got ${kindOf(value)}` };
      if (value.length > 2000 || /\s/.test(value)) return { ok: false, reason: 'expected an http(s) URL without spaces' };
      let url: URL;
      try {
        url = new URL(value);
      } catch {
        return { ok: false, reason: 'expected an absolute http(s) URL' };
      }
      if (url.protocol !== 'https:' && url.protocol !== 'http:') {
        return { ok: false, reason: 'expected an http or https URL' };
      }
      return { ok: true, value: { text: value } };
    }
    case 'EMAIL': {
      if (typeof value !== 'string' || value.length > 254 || !EMAIL.test(value)) {
        return { ok: false, reason: 'expected an email address' };
      }
      return { ok: true, value: { text: value } };
    }
    case 'PHONE_NUMBER': {
      if (typeof value !== 'string' || !E164.test(value)) {
        return { ok: false, reason: 'expected an E.164 phone number such as +14155550100' };
      }
      return { ok: true, value: { text: value } };
    }
  }
}

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

export interface DeclarationInput {
  name: string;
  type?: VariableType | null;
  example?: unknown;
  description?: string | null;
}

/** Checks declarations on their own (names, duplicates, examples); placeholders are checked elsewhere. */
export function validateDeclarations(
  inputs: readonly DeclarationInput[],
  style: PlaceholderStyle,
  locale = 'en',
): { declarations: VariableDeclaration[]; issues: InputIssue[] } {
  const issues: InputIssue[] = [];
  const declarations: VariableDeclaration[] = [];
  if (inputs.length > MAX_VARIABLES) {
    issues.push({ field: 'variables', message: `A template declares at most ${MAX_VARIABLES} variables` });
  }
  const seen = new Set<string>();
  inputs.forEach((input, index) => {
    const field = `variables[${index}]`;
    const name = input.name.trim();
    const type: VariableType = input.type ?? 'STRING';
    if (style === 'positional' ? !POSITIONAL.test(name) : !NAMED.test(name)) {
      issues.push({
        field: `${field}.name`,
        message:
          style === 'positional'
            ? `WhatsApp variables are numbered: "${name}" should be 1, 2, 3 …`
            : `Variable name "${name}" must start with a letter or _ and use letters, digits and _ (max 64)`,
      });
    }
    if (seen.has(name)) issues.push({ field: `${field}.name`, message: `Variable "${name}" is declared twice` });
    seen.add(name);
    if (!(VARIABLE_TYPES as readonly string[]).includes(type)) {
      issues.push({ field: `${field}.type`, message: `Unknown variable type ${String(type)}` });
    }
    let example: JsonValue | null = null;
    if (input.example !== undefined && input.example !== null) {
      const checked = checkValue(type, input.example, locale);
      if (!checked.ok) {
        issues.push({ field: `${field}.example`, message: `Example for "${name}" is not a valid ${type}: ${checked.reason}` });
      }
      example = input.example as JsonValue;
    }
    const description = input.description?.trim() || null;
    if (description && description.length > 500) {
      issues.push({ field: `${field}.description`, message: 'Description is longer than 500 characters' });
    }
    declarations.push({ name, type, example, description });
  });
  declarations.sort((a, b) => compareVariableNames(a.name, b.name));
  return { declarations, issues };
}

/**
 * The values of a render call as a name → value map. WhatsApp callers may also pass a list
 * (`["Ann", "A-12"]` is `{"1": "Ann", "2": "A-12"}`). Returns null when it is neither.
 */
export function normalizeValues(values: unknown, style: PlaceholderStyle): Record<string, unknown> | null {
  if (Array.isArray(values)) {
    if (style !== 'positional') return null;
    return Object.fromEntries(values.map((value, index) => [String(index + 1), value]));
  }
  if (typeof values !== 'object' || values === null) return null;
  return values as Record<string, unknown>;
}

/**
 * Compares values with the declaration: every declared variable present (null counts as
 * missing) and of its type, nothing undeclared. `extraRule` adds channel rules on a checked
 * value (WhatsApp parameters cannot contain line breaks, for example).
 */
export function checkVariables(
  declarations: readonly VariableDeclaration[],
  values: Record<string, unknown>,
  options: { locale?: string; extraRule?: (name: string, value: CheckedValue) => string | null } = {},
): VariablesCheck {
  const missing: string[] = [];
  const mistyped: MistypedVariable[] = [];
  const checked = new Map<string, CheckedValue>();
  const declared = new Set(declarations.map((d) => d.name));
  for (const declaration of declarations) {
    const value = Object.hasOwn(values, declaration.name) ? values[declaration.name] : undefined;
    if (value === undefined || value === null) {
      missing.push(declaration.name);
      continue;
    }
    const result = checkValue(declaration.type, value, options.locale);
    if (!result.ok) {
      mistyped.push({ name: declaration.name, expected: declaration.type, reason: result.reason });
      continue;
    }
    const problem = options.extraRule?.(declaration.name, result.value);
    if (problem) {
      mistyped.push({ name: declaration.name, expected: declaration.type, reason: problem });
      continue;
    }
    checked.set(declaration.name, result.value);
  }
  const extra = Object.keys(values)
    .filter((name) => !declared.has(name))
    .sort(compareVariableNames);
  if (missing.length || extra.length || mistyped.length) return { ok: false, missing, extra, mistyped };
  return { ok: true, values: checked };
}

/** The declaration's examples as render values (null when one has no example). */
export function exampleValues(declarations: readonly VariableDeclaration[]): Record<string, unknown> {
  return Object.fromEntries(declarations.map((d) => [d.name, d.example]));
}
