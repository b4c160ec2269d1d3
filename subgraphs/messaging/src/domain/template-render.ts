/**
 * Renders a template version (as the `template.changed` event carries it into the projection) with
 * a sender's variable values, for sending.
 *
 * Why not the template subgraph's renderer: `@switchboard/subgraph-template` exports only its
 * subgraph factory and services (Prisma store, Redis cache) from its package entry, not its pure
 * `renderContent`, and reaching into another workspace's `src/` is off limits. This is the small
 * subset sending needs: named `{{first_name}}` placeholders (email, SMS) and positional `{{1}}`
 * ones (WhatsApp), every placeholder must have a value, HTML-escaped values in email HTML, and
 * WhatsApp's parameter rules. WhatsApp sends only the parameters: the approved text is WhatsApp's.
 */

export type TemplateChannel = 'EMAIL' | 'SMS' | 'WHATSAPP';

export type TemplateContent =
  | { channel: 'EMAIL'; subject: string; html: string; text: string | null }
  | { channel: 'SMS'; body: string }
  | {
      channel: 'WHATSAPP';
      category: string;
      header: { format: 'TEXT'; text: string } | null;
      body: string;
      footer: string | null;
      buttons: { type: string; text: string; url: string | null; phoneNumber: string | null }[];
    };

export interface DeclaredVariable {
  name: string;
  type: string;
}

export interface RenderableTemplate {
  name: string;
  language: string | null;
  content: TemplateContent;
  variables: readonly DeclaredVariable[];
}

export type RenderedContent =
  | { channel: 'EMAIL'; subject: string; html: string; text: string | null }
  | { channel: 'SMS'; body: string }
  | {
      channel: 'WHATSAPP';
      name: string;
      language: string;
      headerParameters: string[];
      bodyParameters: string[];
      /** What the recipient will read (header, body, footer), for the message's `body`. */
      preview: string;
    };

export interface InvalidVariable {
  name: string;
  reason: string;
}

export type RenderResult =
  | { ok: true; rendered: RenderedContent }
  | { ok: false; message: string; missing: string[]; invalid: InvalidVariable[] };

const PLACEHOLDER = /\{\{\s*([^{}]*?)\s*\}\}/gu;

/** Distinct placeholder names in a text, in order of appearance. */
export function placeholderNames(text: string | null | undefined): string[] {
  if (!text) return [];
  const names: string[] = [];
  for (const match of text.matchAll(PLACEHOLDER)) {
    const name = match[1]!;
    if (!names.includes(name)) names.push(name);
  }
  return names;
}

function fill(text: string, value: (name: string) => string): string {
  return text.replace(PLACEHOLDER, (_whole, name: string) => value(name));
}

const byPosition = (a: string, b: string) => Number(a) - Number(b);

const escapeHtml = (value: string) =>
  value.replace(/&/gu, '&amp;').replace(/</gu, '&lt;').replace(/>/gu, '&gt;').replace(/"/gu, '&quot;').replace(/'/gu, '&#39;');

/** Values as text, by name; null when `raw` is not an object (or, for WhatsApp, a list). */
function normalizeValues(raw: unknown, positional: boolean): { values: Map<string, string>; invalid: InvalidVariable[] } | null {
  const entries: [string, unknown][] = [];
  if (raw === null || raw === undefined) {
    // No variables at all.
  } else if (Array.isArray(raw)) {
    if (!positional) return null;
    raw.forEach((value, index) => entries.push([String(index + 1), value]));
  } else if (typeof raw === 'object') {
    entries.push(...Object.entries(raw as Record<string, unknown>));
  } else {
    return null;
  }
  const values = new Map<string, string>();
  const invalid: InvalidVariable[] = [];
  for (const [name, value] of entries) {
    if (value === null || value === undefined) continue;
    if (typeof value === 'string') values.set(name, value);
    else if ((typeof value === 'number' && Number.isFinite(value)) || typeof value === 'boolean') values.set(name, String(value));
    else invalid.push({ name, reason: 'must be text or a number' });
  }
  return { values, invalid };
}

function requiredNames(template: RenderableTemplate): string[] {
  const { content } = template;
  const fromContent =
    content.channel === 'EMAIL'
      ? [content.subject, content.html, content.text].flatMap(placeholderNames)
      : content.channel === 'SMS'
        ? placeholderNames(content.body)
        : [content.header?.text, content.body].flatMap(placeholderNames);
  const names = [...template.variables.map((v) => v.name), ...fromContent];
  return [...new Set(names)];
}

export function renderTemplate(template: RenderableTemplate, rawValues: unknown): RenderResult {
  const positional = template.content.channel === 'WHATSAPP';
  const normalized = normalizeValues(rawValues, positional);
  if (!normalized) {
    return {
      ok: false,
      message: positional
        ? 'variables must be an object such as {"1": "Ann"} or a list such as ["Ann"]'
        : 'variables must be an object such as {"first_name": "Ann"}',
      missing: [],
      invalid: [],
    };
  }
  const { values, invalid } = normalized;
  const required = requiredNames(template);
  const missing = required.filter((name) => (values.get(name) ?? '').trim() === '' && !invalid.some((i) => i.name === name));
  if (positional) {
    for (const name of required) {
      const value = values.get(name);
      if (value === undefined) continue;
      if (/[\n\r\t]/u.test(value)) invalid.push({ name, reason: 'WhatsApp parameters cannot contain line breaks or tabs' });
      else if (/ {5,}/u.test(value)) invalid.push({ name, reason: 'WhatsApp parameters cannot contain more than 4 consecutive spaces' });
      else if (value.length > 1024) invalid.push({ name, reason: 'WhatsApp parameters are at most 1024 characters' });
    }
  }
  const relevantInvalid = invalid.filter((i) => required.includes(i.name));
  if (missing.length > 0 || relevantInvalid.length > 0) {
    const parts = [];
    if (missing.length > 0) parts.push(`missing template variables: ${missing.join(', ')}`);
    if (relevantInvalid.length > 0) parts.push(relevantInvalid.map((i) => `variable ${i.name} ${i.reason}`).join('; '));
    return { ok: false, message: `Cannot render the template: ${parts.join('; ')}`, missing, invalid: relevantInvalid };
  }

  const value = (name: string) => values.get(name) ?? '';
  const { content } = template;
  switch (content.channel) {
    case 'EMAIL':
      return {
        ok: true,
        rendered: {
          channel: 'EMAIL',
          // A header cannot carry a line break (header injection).
          subject: fill(content.subject, (name) => value(name).replace(/[\r\n]+/gu, ' ')),
          html: fill(content.html, (name) => escapeHtml(value(name))),
          text: content.text === null ? null : fill(content.text, value),
        },
      };
    case 'SMS':
      return { ok: true, rendered: { channel: 'SMS', body: fill(content.body, value) } };
    case 'WHATSAPP': {
      const header = content.header ? fill(content.header.text, value) : null;
      const preview = [header, fill(content.body, value), content.footer].filter((part): part is string => Boolean(part)).join('\n\n');
      return {
        ok: true,
        rendered: {
          channel: 'WHATSAPP',
          name: template.name,
          language: template.language ?? 'en',
          headerParameters: placeholderNames(content.header?.text).sort(byPosition).map(value),
          bodyParameters: placeholderNames(content.body).sort(byPosition).map(value),
          preview,
        },
      };
    }
  }
}
