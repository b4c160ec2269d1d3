import type { CountryCode } from 'libphonenumber-js/max';
import {
  CHANNELS,
  checkAttributes,
  checkEmail,
  checkName,
  checkPhone,
  checkTags,
  checkWhatsappId,
  type Checked,
  type ConsentChannel,
  type ConsentStatus,
  type FieldProblem,
} from './contact-fields';

/**
 * One import row, from a CSV record or a JSON object, checked the same way as createContact's
 * input. A row either becomes a candidate (normalised values) or a row error — never an exception.
 */
export interface ImportCandidate {
  /** 1-based data row. */
  row: number;
  /** CSV: the line where the row starts. */
  line: number | null;
  name: string;
  phone: string | null;
  email: string | null;
  whatsappId: string | null;
  /** null: the row says nothing about tags (an existing contact keeps its own). */
  tags: string[] | null;
  favourite: boolean | null;
  attributes: Record<string, unknown> | null;
  consent: Partial<Record<ConsentChannel, ConsentStatus>>;
}

export interface ImportRowError {
  row: number;
  line: number | null;
  field: string | null;
  reason: string;
  message: string;
}

export function rowError(row: number, line: number | null, problem: FieldProblem): ImportRowError {
  return { row, line, field: problem.field, reason: problem.reason, message: problem.message };
}

/** Values of a row before checks: strings from CSV, any JSON from rows. */
export interface RawImportRow {
  name?: unknown;
  firstName?: unknown;
  lastName?: unknown;
  phone?: unknown;
  email?: unknown;
  whatsappId?: unknown;
  tags?: unknown;
  favourite?: unknown;
  attributes?: Record<string, unknown>;
  consent?: Partial<Record<ConsentChannel, unknown>>;
}

type KnownColumn =
  | 'name'
  | 'firstName'
  | 'lastName'
  | 'phone'
  | 'email'
  | 'whatsappId'
  | 'tags'
  | 'favourite'
  | 'emailConsent'
  | 'smsConsent'
  | 'whatsappConsent';

const COLUMN_ALIASES: Record<KnownColumn, string[]> = {
  name: ['name', 'fullname', 'contactname', 'displayname'],
  firstName: ['firstname', 'givenname'],
  lastName: ['lastname', 'surname', 'familyname'],
  phone: ['phone', 'phonenumber', 'mobile', 'mobilenumber', 'mobilephone', 'msisdn', 'tel', 'telephone', 'cell'],
  email: ['email', 'emailaddress', 'mail'],
  whatsappId: ['whatsapp', 'whatsappid', 'waid', 'whatsappnumber'],
  tags: ['tags', 'tag', 'labels'],
  favourite: ['favourite', 'favorite', 'starred', 'isfavourite', 'isfavorite'],
  emailConsent: ['emailconsent'],
  smsConsent: ['smsconsent'],
  whatsappConsent: ['whatsappconsent'],
};

const ALIAS_TO_COLUMN = new Map<string, KnownColumn>(
  (Object.entries(COLUMN_ALIASES) as [KnownColumn, string[]][]).flatMap(([column, aliases]) =>
    aliases.map((alias) => [alias, column] as const),
  ),
);

const CONSENT_COLUMN: Record<'emailConsent' | 'smsConsent' | 'whatsappConsent', ConsentChannel> = {
  emailConsent: 'EMAIL',
  smsConsent: 'SMS',
  whatsappConsent: 'WHATSAPP',
};

export type CsvColumn = { kind: 'known'; column: KnownColumn } | { kind: 'attribute'; key: string };

export interface CsvHeader {
  columns: CsvColumn[];
}

const MAX_COLUMNS = 200;
const MAX_ATTRIBUTE_KEY = 100;

/** Reads the header record; a problem here is the whole file's (BAD_USER_INPUT on `csv`). */
export function readCsvHeader(fields: string[]): { ok: true; header: CsvHeader } | { ok: false; message: string } {
  if (fields.length > MAX_COLUMNS) return { ok: false, message: `The header has ${fields.length} columns; at most ${MAX_COLUMNS} are accepted` };
  const columns: CsvColumn[] = [];
  const seen = new Set<string>();
  for (const [i, raw] of fields.entries()) {
    const label = raw.trim();
    if (label.length === 0) return { ok: false, message: `Column ${i + 1} of the header has no name` };
    const normalised = label.toLowerCase().replace(/[^a-z0-9]/g, '');
    const known = ALIAS_TO_COLUMN.get(normalised);
    const identity = known ? `known:${known}` : `attribute:${label}`;
    if (seen.has(identity)) return { ok: false, message: `The header has the column "${label}" twice` };
    seen.add(identity);
    if (known) {
      columns.push({ kind: 'known', column: known });
    } else {
      if (label.length > MAX_ATTRIBUTE_KEY) return { ok: false, message: `Column ${i + 1}'s name is longer than ${MAX_ATTRIBUTE_KEY} characters` };
      columns.push({ kind: 'attribute', key: label });
    }
  }
  const has = (column: KnownColumn) => columns.some((c) => c.kind === 'known' && c.column === column);
  const missing: string[] = [];
  if (!has('name') && !has('firstName') && !has('lastName')) missing.push('name (or first name / last name)');
  if (!has('phone') && !has('email') && !has('whatsappId')) missing.push('phone, email or whatsapp id');
  if (missing.length > 0) {
    return { ok: false, message: `The header is missing required columns: ${missing.join('; ')}` };
  }
  return { ok: true, header: { columns } };
}

const fail = (problem: FieldProblem): Checked<never> => ({ ok: false, problem });

/** Maps a CSV record onto a raw row; a record with the wrong number of fields is a row error. */
export function csvRecordToRaw(header: CsvHeader, fields: string[]): Checked<RawImportRow> {
  if (fields.length !== header.columns.length) {
    return fail({
      field: 'csv',
      reason: 'COLUMN_COUNT',
      message: `Row has ${fields.length} columns; the header has ${header.columns.length}`,
    });
  }
  const raw: RawImportRow = {};
  for (const [i, column] of header.columns.entries()) {
    const value = (fields[i] ?? '').trim();
    if (value === '') continue;
    if (column.kind === 'attribute') {
      (raw.attributes ??= {})[column.key] = value;
      continue;
    }
    switch (column.column) {
      case 'emailConsent':
      case 'smsConsent':
      case 'whatsappConsent':
        (raw.consent ??= {})[CONSENT_COLUMN[column.column]] = value;
        break;
      case 'tags':
        raw.tags = value.split(/[;|,]/);
        break;
      default:
        raw[column.column] = value;
    }
  }
  return { ok: true, value: raw };
}

const JSON_KEYS = new Set(['name', 'firstName', 'lastName', 'phone', 'email', 'whatsappId', 'tags', 'favourite', 'attributes', 'consent']);

/** Checks the shape of one `rows` entry (a JSON object with CreateContactInput's keys). */
export function jsonRowToRaw(value: unknown): Checked<RawImportRow> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return fail({ field: 'row', reason: 'NOT_AN_OBJECT', message: 'Row is not a JSON object' });
  }
  const entries = Object.entries(value as Record<string, unknown>);
  const unknown = entries.find(([key]) => !JSON_KEYS.has(key));
  if (unknown) {
    const key = unknown[0].slice(0, 100);
    return fail({ field: key, reason: 'UNKNOWN_FIELD', message: `Unknown field "${key}" (custom values go in attributes)` });
  }
  const raw: RawImportRow = {};
  for (const [key, field] of entries) {
    if (field === null || field === undefined || field === '') continue;
    if (key === 'tags') {
      raw.tags = typeof field === 'string' ? field.split(/[;|,]/) : field;
    } else if (key === 'attributes') {
      const attributes = checkAttributes(field);
      if (!attributes.ok) return attributes;
      raw.attributes = attributes.value;
    } else if (key === 'consent') {
      if (typeof field !== 'object' || Array.isArray(field)) {
        return fail({ field: 'consent', reason: 'INVALID_CONSENT', message: 'consent must be an object such as { "SMS": "OPTED_IN" }' });
      }
      raw.consent = field as Partial<Record<ConsentChannel, unknown>>;
    } else {
      (raw as Record<string, unknown>)[key] = field;
    }
  }
  return { ok: true, value: raw };
}

function text(value: unknown): string | null {
  if (typeof value === 'string') return value.trim() === '' ? null : value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return null;
}

function parseBoolean(value: unknown): boolean | null | undefined {
  if (typeof value === 'boolean') return value;
  if (typeof value !== 'string') return undefined;
  const normalised = value.trim().toLowerCase();
  if (['true', 'yes', 'y', '1'].includes(normalised)) return true;
  if (['false', 'no', 'n', '0'].includes(normalised)) return false;
  return undefined;
}

function parseConsent(value: unknown): ConsentStatus | undefined {
  if (typeof value !== 'string') return undefined;
  const normalised = value.trim().toUpperCase().replace(/[\s-]+/g, '_');
  if (normalised === 'OPTED_IN' || normalised === 'OPTED_OUT' || normalised === 'UNKNOWN') return normalised;
  return undefined;
}

/** Applies the contact field rules to a raw row. */
export function checkImportRow(
  raw: RawImportRow,
  position: { row: number; line: number | null },
  defaultCountry: CountryCode | undefined,
): Checked<ImportCandidate> {
  const given = (value: unknown, field: string): Checked<string | null> => {
    if (value === undefined || value === null) return { ok: true, value: null };
    const asText = text(value);
    if (asText === null && !(typeof value === 'string')) {
      return fail({ field, reason: 'INVALID_TYPE', message: `${field} must be a string` });
    }
    return { ok: true, value: asText };
  };

  const nameParts = [raw.firstName, raw.lastName].map((part) => text(part)).filter((part): part is string => part !== null);
  const nameSource = text(raw.name) ?? (nameParts.length > 0 ? nameParts.join(' ') : raw.name);
  const name = checkName(nameSource);
  if (!name.ok) return name;

  const phoneText = given(raw.phone, 'phone');
  if (!phoneText.ok) return phoneText;
  const emailText = given(raw.email, 'email');
  if (!emailText.ok) return emailText;
  const whatsappText = given(raw.whatsappId, 'whatsappId');
  if (!whatsappText.ok) return whatsappText;
  if (phoneText.value === null && emailText.value === null && whatsappText.value === null) {
    return fail({ field: 'phone', reason: 'REQUIRED', message: 'A row needs a phone, an email or a WhatsApp id' });
  }

  let phone: string | null = null;
  if (phoneText.value !== null) {
    const checked = checkPhone(phoneText.value, defaultCountry);
    if (!checked.ok) return checked;
    phone = checked.value;
  }
  let email: string | null = null;
  if (emailText.value !== null) {
    const checked = checkEmail(emailText.value);
    if (!checked.ok) return checked;
    email = checked.value;
  }
  let whatsappId: string | null = null;
  if (whatsappText.value !== null) {
    const checked = checkWhatsappId(whatsappText.value);
    if (!checked.ok) return checked;
    whatsappId = checked.value;
  }

  let tags: string[] | null = null;
  if (raw.tags !== undefined) {
    if (!Array.isArray(raw.tags)) return fail({ field: 'tags', reason: 'INVALID_TAG', message: 'tags must be a list of strings' });
    const checked = checkTags(raw.tags);
    if (!checked.ok) return checked;
    tags = checked.value;
  }

  let favourite: boolean | null = null;
  if (raw.favourite !== undefined) {
    const parsed = parseBoolean(raw.favourite);
    if (parsed === undefined || parsed === null) {
      return fail({ field: 'favourite', reason: 'INVALID_BOOLEAN', message: 'favourite must be true or false (yes/no, 1/0)' });
    }
    favourite = parsed;
  }

  let attributes: Record<string, unknown> | null = null;
  if (raw.attributes !== undefined) {
    const checked = checkAttributes(raw.attributes);
    if (!checked.ok) return checked;
    attributes = checked.value;
  }

  const consent: Partial<Record<ConsentChannel, ConsentStatus>> = {};
  for (const [channel, value] of Object.entries(raw.consent ?? {})) {
    if (!(CHANNELS as readonly string[]).includes(channel)) {
      return fail({ field: 'consent', reason: 'INVALID_CHANNEL', message: 'consent channels are EMAIL, SMS and WHATSAPP' });
    }
    const status = parseConsent(value);
    if (!status) {
      return fail({
        field: `${channel.toLowerCase()}Consent`,
        reason: 'INVALID_CONSENT',
        message: 'consent must be OPTED_IN, OPTED_OUT or UNKNOWN',
      });
    }
    consent[channel as ConsentChannel] = status;
  }

  return {
    ok: true,
    value: { row: position.row, line: position.line, name: name.value, phone, email, whatsappId, tags, favourite, attributes, consent },
  };
}
