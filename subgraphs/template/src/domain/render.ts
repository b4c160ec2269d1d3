/**
 * Rendering a template version with a caller's variable values: email (subject, HTML with
 * context-aware escaping, text), SMS (body + encoding + segments), WhatsApp (a preview of the
 * message and the `template` object the Cloud API takes, with parameters per component).
 */
import { compileHtml, renderHtmlValue } from './html-context';
import { parsePlaceholders, substitute, compareVariableNames, type PlaceholderStyle } from './placeholders';
import { analyzeSms, type SmsAnalysis } from './sms-encoding';
import type { EmailContent, JsonValue, SmsContent, TemplateContent, VariableDeclaration, WhatsAppButtonType, WhatsAppCategory, WhatsAppContent } from './types';
import { checkValue, checkVariables, intlLocale, normalizeValues, type CheckedValue, type MistypedVariable } from './variables';

export interface RenderedEmail {
  channel: 'EMAIL';
  subject: string;
  html: string;
  text: string | null;
}

export interface RenderedSms extends SmsAnalysis {
  channel: 'SMS';
  body: string;
}

export interface RenderedWhatsAppButton {
  type: WhatsAppButtonType;
  text: string;
  url: string | null;
  phoneNumber: string | null;
}

export interface RenderedWhatsApp {
  channel: 'WHATSAPP';
  name: string;
  language: string;
  category: WhatsAppCategory;
  header: string | null;
  body: string;
  footer: string | null;
  buttons: RenderedWhatsAppButton[];
  /** `template.components` of a Cloud API send request. */
  components: JsonValue[];
  /** The whole `template` object of a Cloud API send request. */
  cloudApiTemplate: JsonValue;
}

export type RenderedContent = RenderedEmail | RenderedSms | RenderedWhatsApp;

export type RenderFailure =
  | { kind: 'notAnObject'; message: string }
  | { kind: 'variables'; missing: string[]; extra: string[]; mistyped: MistypedVariable[] };

export type RenderResult = { ok: true; rendered: RenderedContent } | { ok: false; failure: RenderFailure };

export interface RenderSubject {
  /** Template name and language: WhatsApp sends refer to the approved template by both. */
  name: string;
  language: string | null;
  content: TemplateContent;
  variables: readonly VariableDeclaration[];
}

const failVariables = (missing: string[], extra: string[], mistyped: MistypedVariable[]): RenderResult => ({
  ok: false,
  failure: { kind: 'variables', missing, extra, mistyped },
});

/** WhatsApp refuses parameters with line breaks, tabs or more than 4 consecutive spaces. */
function whatsAppParameterRule(urlVariables: ReadonlySet<string>) {
  return (name: string, value: CheckedValue): string | null => {
    if (/[\n\r\t]/.test(value.text)) return 'WhatsApp parameters cannot contain line breaks or tabs';
    if (/ {5,}/.test(value.text)) return 'WhatsApp parameters cannot contain more than 4 consecutive spaces';
    if (urlVariables.has(name) && /\s/.test(value.text)) return 'the end of a button URL cannot contain spaces';
    return null;
  };
}

export function renderContent(subject: RenderSubject, rawValues: unknown): RenderResult {
  const style: PlaceholderStyle = subject.content.channel === 'WHATSAPP' ? 'positional' : 'named';
  const values = normalizeValues(rawValues, style);
  if (!values) {
    return {
      ok: false,
      failure: {
        kind: 'notAnObject',
        message:
          style === 'positional'
            ? 'variables must be an object such as {"1": "Ann"} or a list such as ["Ann"]'
            : 'variables must be an object such as {"first_name": "Ann"}',
      },
    };
  }
  switch (subject.content.channel) {
    case 'EMAIL':
      return renderEmail(subject.content, subject.variables, values);
    case 'SMS':
      return renderSms(subject.content, subject.variables, values);
    case 'WHATSAPP':
      return renderWhatsApp(subject, subject.content, values);
  }
}

function renderEmail(content: EmailContent, declarations: readonly VariableDeclaration[], values: Record<string, unknown>): RenderResult {
  const checked = checkVariables(declarations, values);
  if (!checked.ok) return failVariables(checked.missing, checked.extra, checked.mistyped);
  const value = (name: string) => checked.values.get(name)?.text ?? '';
  const typeOf = new Map(declarations.map((d) => [d.name, d.type]));

  // A header cannot carry a line break: it would start a new header (header injection).
  const subject = substitute(parsePlaceholders(content.subject, 'named').parts, (p) => value(p.name).replace(/[\r\n]+/g, ' '));

  const mistyped: MistypedVariable[] = [];
  let html = '';
  for (const part of compileHtml(content.html).parts) {
    if (part.kind === 'text') {
      html += part.value;
      continue;
    }
    const result = renderHtmlValue(part.context, value(part.name));
    if (result.ok) html += result.html;
    else if (!mistyped.some((m) => m.name === part.name)) {
      mistyped.push({ name: part.name, expected: typeOf.get(part.name) ?? 'STRING', reason: result.reason });
    }
  }
  if (mistyped.length > 0) return failVariables([], [], mistyped);

  const text = content.text === null ? null : substitute(parsePlaceholders(content.text, 'named').parts, (p) => value(p.name));
  return { ok: true, rendered: { channel: 'EMAIL', subject, html, text } };
}

function renderSms(content: SmsContent, declarations: readonly VariableDeclaration[], values: Record<string, unknown>): RenderResult {
  const checked = checkVariables(declarations, values);
  if (!checked.ok) return failVariables(checked.missing, checked.extra, checked.mistyped);
  const body = substitute(parsePlaceholders(content.body, 'named').parts, (p) => checked.values.get(p.name)?.text ?? '');
  return { ok: true, rendered: { channel: 'SMS', body, ...analyzeSms(body) } };
}

/** Distinct positional names of a text, ascending: the order of that component's parameters. */
function componentVariables(text: string): string[] {
  return [...parsePlaceholders(text, 'positional').names].sort(compareVariableNames);
}

function renderWhatsApp(subject: RenderSubject, content: WhatsAppContent, values: Record<string, unknown>): RenderResult {
  const urlVariables = new Set(content.buttons.flatMap((b) => (b.url ? componentVariables(b.url) : [])));
  const checked = checkVariables(subject.variables, values, {
    locale: intlLocale(subject.language),
    extraRule: whatsAppParameterRule(urlVariables),
  });
  if (!checked.ok) return failVariables(checked.missing, checked.extra, checked.mistyped);
  const valueOf = (name: string): CheckedValue => checked.values.get(name) ?? { text: '' };
  const fill = (text: string) => substitute(parsePlaceholders(text, 'positional').parts, (p) => valueOf(p.name).text);
  const textParameter = (name: string): JsonValue => ({ type: 'text', text: valueOf(name).text });

  const components: JsonValue[] = [];
  if (content.header) {
    const names = componentVariables(content.header.text);
    if (names.length > 0) components.push({ type: 'header', parameters: names.map(textParameter) });
  }
  const bodyNames = componentVariables(content.body);
  if (bodyNames.length > 0) {
    components.push({
      type: 'body',
      parameters: bodyNames.map((name): JsonValue => {
        const value = valueOf(name);
        return value.currency
          ? { type: 'currency', currency: { fallback_value: value.text, code: value.currency.code, amount_1000: value.currency.amount1000 } }
          : { type: 'text', text: value.text };
      }),
    });
  }
  content.buttons.forEach((button, index) => {
    const names = button.url ? componentVariables(button.url) : [];
    if (names.length > 0) {
      components.push({ type: 'button', sub_type: 'url', index: String(index), parameters: names.map(textParameter) });
    }
  });

  const language = subject.language ?? 'en';
  return {
    ok: true,
    rendered: {
      channel: 'WHATSAPP',
      name: subject.name,
      language,
      category: content.category,
      header: content.header ? fill(content.header.text) : null,
      body: fill(content.body),
      footer: content.footer,
      buttons: content.buttons.map((b) => ({ type: b.type, text: b.text, url: b.url ? fill(b.url) : null, phoneNumber: b.phoneNumber })),
      components,
      cloudApiTemplate: { name: subject.name, language: { policy: 'deterministic', code: language }, components },
    },
  };
}

/**
 * The template as WhatsApp's `message_templates` endpoint takes it, for submission by the
 * provider integration. WhatsApp numbers placeholders per component, so each component's
 * placeholders are renumbered from {{1}} in ascending order — the same order `renderContent`
 * gives their parameters. Examples come from the declared variables.
 */
export function whatsAppDefinition(subject: RenderSubject & { content: WhatsAppContent }): JsonValue {
  const { content } = subject;
  const examples = new Map(subject.variables.map((d) => [d.name, d.example]));
  const exampleText = (name: string) => {
    const example = examples.get(name);
    if (example === null || example === undefined) return null;
    if (typeof example === 'object' && !Array.isArray(example)) {
      const amount = (example as Record<string, JsonValue>).amount;
      const currency = (example as Record<string, JsonValue>).currency;
      return `${String(currency)} ${String(amount)}`;
    }
    return String(example);
  };
  const renumber = (text: string) => {
    const names = componentVariables(text);
    const parts = parsePlaceholders(text, 'positional').parts;
    const local = substitute(parts, (p) => `{{${names.indexOf(p.name) + 1}}}`);
    const sample = names.map(exampleText);
    return { text: local, names, sample: sample.every((s) => s !== null) ? (sample as string[]) : null };
  };

  const components: JsonValue[] = [];
  if (content.header) {
    const header = renumber(content.header.text);
    components.push({
      type: 'HEADER',
      format: 'TEXT',
      text: header.text,
      ...(header.names.length > 0 && header.sample ? { example: { header_text: header.sample } } : {}),
    });
  }
  const body = renumber(content.body);
  components.push({
    type: 'BODY',
    text: body.text,
    ...(body.names.length > 0 && body.sample ? { example: { body_text: [body.sample] } } : {}),
  });
  if (content.footer) components.push({ type: 'FOOTER', text: content.footer });
  if (content.buttons.length > 0) {
    components.push({
      type: 'BUTTONS',
      buttons: content.buttons.map((button): JsonValue => {
        if (button.type === 'URL' && button.url) {
          const url = renumber(button.url);
          const full = url.names.length > 0 && url.sample ? substitute(parsePlaceholders(button.url, 'positional').parts, () => url.sample![0]!) : null;
          return { type: 'URL', text: button.text, url: url.text, ...(full ? { example: [full] } : {}) };
        }
        if (button.type === 'PHONE_NUMBER') return { type: 'PHONE_NUMBER', text: button.text, phone_number: button.phoneNumber };
        return { type: 'QUICK_REPLY', text: button.text };
      }),
    });
  }
  return {
    name: subject.name,
    language: subject.language,
    category: content.category,
    components,
  };
}

/**
 * An SMS body with each placeholder replaced by its variable's example (or removed when it has
 * none): what the template's encoding and segment count are measured on, since the braces of
 * `{{code}}` are never sent (and would count as GSM extension characters).
 */
export function smsPreview(body: string, variables: readonly VariableDeclaration[]): string {
  const declarations = new Map(variables.map((d) => [d.name, d]));
  return substitute(parsePlaceholders(body, 'named').parts, (part) => {
    const declaration = declarations.get(part.name);
    if (!declaration || declaration.example === null) return '';
    const checked = checkValue(declaration.type, declaration.example);
    return checked.ok ? checked.value.text : '';
  });
}
