/**
 * Validation of a template as a user submits it (create, or update merged onto the current
 * version): per-channel content rules and the agreement between placeholders and declared
 * variables. Every problem is reported with the path of the input field it concerns.
 */
import { compileHtml } from './html-context';
import { findPositionalGaps, parsePlaceholders, type PlaceholderStyle } from './placeholders';
import type {
  Channel,
  EmailContent,
  InputIssue,
  SmsContent,
  TemplateContent,
  VariableDeclaration,
  WhatsAppButton,
  WhatsAppButtonType,
  WhatsAppCategory,
  WhatsAppContent,
} from './types';
import { intlLocale, validateDeclarations, type DeclarationInput } from './variables';

export interface EmailInput {
  subject: string;
  html: string;
  text?: string | null;
}

export interface SmsInput {
  body: string;
}

export interface WhatsAppInput {
  category: WhatsAppCategory;
  header?: { format?: 'TEXT' | null; text: string } | null;
  body: string;
  footer?: string | null;
  buttons?: ReadonlyArray<{ type: WhatsAppButtonType; text: string; url?: string | null; phoneNumber?: string | null }> | null;
}

export interface TemplateInput {
  channel: Channel;
  name: string;
  language?: string | null;
  variables: readonly DeclarationInput[];
  email?: EmailInput | null;
  sms?: SmsInput | null;
  whatsapp?: WhatsAppInput | null;
}

export interface ValidTemplate {
  name: string;
  language: string | null;
  content: TemplateContent;
  variables: VariableDeclaration[];
}

export type TemplateValidation = { ok: true; value: ValidTemplate } | { ok: false; issues: InputIssue[] };

export const LIMITS = {
  name: 100,
  whatsAppName: 512,
  subject: 255,
  html: 512 * 1024,
  text: 256 * 1024,
  smsBody: 1600,
  whatsAppHeader: 60,
  whatsAppBody: 1024,
  whatsAppFooter: 60,
  whatsAppButtons: 10,
  whatsAppButtonText: 25,
  whatsAppUrlButtons: 2,
  whatsAppPhoneButtons: 1,
  url: 2000,
} as const;

const WHATSAPP_NAME = /^[a-z0-9_]+$/;
const LANGUAGE = /^[a-z]{2,3}(?:_[A-Z]{2})?$/;
const E164 = /^\+[1-9][0-9]{6,14}$/;
const CHANNEL_FIELD = { EMAIL: 'email', SMS: 'sms', WHATSAPP: 'whatsapp' } as const;
/** "an EMAIL template", "an SMS template", "a WHATSAPP template". */
export const withArticle = (channel: Channel) => `${channel === 'WHATSAPP' ? 'a' : 'an'} ${channel}`;

/** Where each placeholder name was found, for messages like "{{x}} in email.subject". */
type Usage = Map<string, string[]>;

function use(usage: Usage, names: readonly string[], field: string) {
  for (const name of names) usage.set(name, [...(usage.get(name) ?? []), field]);
}

const capitalize = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

function validateEmail(input: EmailInput, issues: InputIssue[], usage: Usage): EmailContent {
  const subject = input.subject.trim();
  if (!subject) issues.push({ field: 'email.subject', message: 'Subject is required' });
  if (subject.length > LIMITS.subject) issues.push({ field: 'email.subject', message: `Subject is longer than ${LIMITS.subject} characters` });
  if (/[\r\n]/.test(subject)) issues.push({ field: 'email.subject', message: 'Subject must be a single line' });
  const subjectParsed = parsePlaceholders(subject, 'named');
  for (const problem of subjectParsed.problems) issues.push({ field: 'email.subject', message: problem });
  use(usage, subjectParsed.names, 'email.subject');

  const html = input.html;
  if (!html.trim()) issues.push({ field: 'email.html', message: 'HTML body is required' });
  if (html.length > LIMITS.html) issues.push({ field: 'email.html', message: `HTML body is larger than ${LIMITS.html / 1024} KB` });
  const compiled = compileHtml(html);
  for (const problem of compiled.problems) issues.push({ field: 'email.html', message: problem });
  use(usage, compiled.names, 'email.html');

  let text: string | null = null;
  if (input.text != null && input.text.trim() !== '') {
    text = input.text;
    if (text.length > LIMITS.text) issues.push({ field: 'email.text', message: `Text body is larger than ${LIMITS.text / 1024} KB` });
    const parsed = parsePlaceholders(text, 'named');
    for (const problem of parsed.problems) issues.push({ field: 'email.text', message: problem });
    use(usage, parsed.names, 'email.text');
  }
  return { channel: 'EMAIL', subject, html, text };
}

function validateSms(input: SmsInput, issues: InputIssue[], usage: Usage): SmsContent {
  const body = input.body;
  if (!body.trim()) issues.push({ field: 'sms.body', message: 'Body is required' });
  if (body.length > LIMITS.smsBody) issues.push({ field: 'sms.body', message: `Body is longer than ${LIMITS.smsBody} characters` });
  const parsed = parsePlaceholders(body, 'named');
  for (const problem of parsed.problems) issues.push({ field: 'sms.body', message: problem });
  use(usage, parsed.names, 'sms.body');
  return { channel: 'SMS', body };
}

function validateWhatsApp(input: WhatsAppInput, issues: InputIssue[], usage: Usage): WhatsAppContent {
  const authentication = input.category === 'AUTHENTICATION';

  let header: WhatsAppContent['header'] = null;
  if (input.header) {
    const text = input.header.text.trim();
    const field = 'whatsapp.header.text';
    if (authentication) issues.push({ field: 'whatsapp.header', message: 'AUTHENTICATION templates have no header' });
    if (!text) issues.push({ field, message: 'Header text is required (or leave the header out)' });
    if (text.length > LIMITS.whatsAppHeader) issues.push({ field, message: `Header is longer than ${LIMITS.whatsAppHeader} characters` });
    if (/[\r\n]/.test(text)) issues.push({ field, message: 'Header must be a single line' });
    const parsed = parsePlaceholders(text, 'positional');
    for (const problem of parsed.problems) issues.push({ field, message: problem });
    if (parsed.names.length > 1) {
      issues.push({ field, message: `A TEXT header has at most one variable; found ${parsed.names.map((n) => `{{${n}}}`).join(', ')}` });
    }
    use(usage, parsed.names, field);
    header = { format: 'TEXT', text };
  }

  const body = input.body.trim();
  const bodyField = 'whatsapp.body';
  if (!body) issues.push({ field: bodyField, message: 'Body is required' });
  if (body.length > LIMITS.whatsAppBody) issues.push({ field: bodyField, message: `Body is longer than ${LIMITS.whatsAppBody} characters` });
  const bodyParsed = parsePlaceholders(body, 'positional');
  for (const problem of bodyParsed.problems) issues.push({ field: bodyField, message: problem });
  use(usage, bodyParsed.names, bodyField);
  const first = bodyParsed.parts[0];
  const last = bodyParsed.parts[bodyParsed.parts.length - 1];
  if (authentication) {
    if (bodyParsed.names.length !== 1) {
      issues.push({ field: bodyField, message: 'An AUTHENTICATION body has exactly one variable: the code ({{1}})' });
    }
  } else if (first?.kind === 'placeholder' || last?.kind === 'placeholder') {
    issues.push({ field: bodyField, message: 'WhatsApp does not accept a body that starts or ends with a variable' });
  }

  let footer: string | null = null;
  if (input.footer != null && input.footer.trim() !== '') {
    footer = input.footer.trim();
    if (footer.length > LIMITS.whatsAppFooter) {
      issues.push({ field: 'whatsapp.footer', message: `Footer is longer than ${LIMITS.whatsAppFooter} characters` });
    }
    if (footer.includes('{{')) issues.push({ field: 'whatsapp.footer', message: 'A footer cannot contain variables' });
  }

  const buttons: WhatsAppButton[] = [];
  const inputs = input.buttons ?? [];
  if (inputs.length > LIMITS.whatsAppButtons) {
    issues.push({ field: 'whatsapp.buttons', message: `At most ${LIMITS.whatsAppButtons} buttons` });
  }
  inputs.forEach((button, index) => {
    const field = `whatsapp.buttons[${index}]`;
    const text = button.text.trim();
    if (!text) issues.push({ field: `${field}.text`, message: 'Button text is required' });
    if (text.length > LIMITS.whatsAppButtonText) {
      issues.push({ field: `${field}.text`, message: `Button text is longer than ${LIMITS.whatsAppButtonText} characters` });
    }
    if (text.includes('{{')) issues.push({ field: `${field}.text`, message: 'Button text cannot contain variables' });
    let url: string | null = null;
    let phoneNumber: string | null = null;
    if (button.type === 'URL') {
      url = button.url?.trim() ?? '';
      if (button.phoneNumber) issues.push({ field: `${field}.phoneNumber`, message: 'Only PHONE_NUMBER buttons have a phone number' });
      validateButtonUrl(url, `${field}.url`, issues, usage);
      if (authentication) issues.push({ field: `${field}.type`, message: 'AUTHENTICATION templates cannot have URL buttons' });
    } else if (button.type === 'PHONE_NUMBER') {
      phoneNumber = button.phoneNumber?.trim() ?? '';
      if (!E164.test(phoneNumber)) {
        issues.push({ field: `${field}.phoneNumber`, message: 'Phone number must be E.164, like +14155550100' });
      }
      if (button.url) issues.push({ field: `${field}.url`, message: 'Only URL buttons have a URL' });
      if (authentication) issues.push({ field: `${field}.type`, message: 'AUTHENTICATION templates cannot have phone buttons' });
    } else {
      if (button.url) issues.push({ field: `${field}.url`, message: 'Only URL buttons have a URL' });
      if (button.phoneNumber) issues.push({ field: `${field}.phoneNumber`, message: 'Only PHONE_NUMBER buttons have a phone number' });
    }
    buttons.push({ type: button.type, text, url, phoneNumber });
  });
  const count = (type: WhatsAppButtonType) => buttons.filter((b) => b.type === type).length;
  if (count('URL') > LIMITS.whatsAppUrlButtons) {
    issues.push({ field: 'whatsapp.buttons', message: `At most ${LIMITS.whatsAppUrlButtons} URL buttons` });
  }
  if (count('PHONE_NUMBER') > LIMITS.whatsAppPhoneButtons) {
    issues.push({ field: 'whatsapp.buttons', message: `At most ${LIMITS.whatsAppPhoneButtons} PHONE_NUMBER button` });
  }
  const quickReplies = buttons.flatMap((b, i) => (b.type === 'QUICK_REPLY' ? [i] : []));
  if (quickReplies.length > 0 && quickReplies[quickReplies.length - 1]! - quickReplies[0]! + 1 !== quickReplies.length) {
    issues.push({ field: 'whatsapp.buttons', message: 'QUICK_REPLY buttons must be next to each other (WhatsApp groups them)' });
  }

  const gaps = findPositionalGaps(usage.keys());
  if (gaps.length > 0) {
    const max = Math.max(...[...usage.keys()].map(Number).filter(Number.isInteger));
    issues.push({
      field: bodyParsed.names.length > 0 ? bodyField : 'whatsapp',
      message: `Placeholder ${gaps.map((n) => `{{${n}}}`).join(', ')} ${gaps.length === 1 ? 'is' : 'are'} missing: WhatsApp placeholders run from {{1}} to {{${max}}} with no gap`,
    });
  }
  return { channel: 'WHATSAPP', category: input.category, header, body, footer, buttons };
}

function validateButtonUrl(url: string, field: string, issues: InputIssue[], usage: Usage) {
  if (!url) {
    issues.push({ field, message: 'URL buttons need a URL' });
    return;
  }
  if (url.length > LIMITS.url) issues.push({ field, message: `URL is longer than ${LIMITS.url} characters` });
  const parsed = parsePlaceholders(url, 'positional');
  for (const problem of parsed.problems) issues.push({ field, message: problem });
  if (parsed.names.length > 1) issues.push({ field, message: 'A URL button has at most one variable' });
  const placeholders = parsed.parts.filter((p) => p.kind === 'placeholder');
  if (placeholders.length > 0 && parsed.parts[parsed.parts.length - 1]?.kind !== 'placeholder') {
    issues.push({ field, message: 'The variable of a URL button must be at the end of the URL' });
  }
  use(usage, parsed.names, field);
  const base = placeholders.length > 0 ? url.slice(0, placeholders[0]!.start) + 'x' : url;
  try {
    const parsedUrl = new URL(base);
    if (parsedUrl.protocol !== 'https:' && parsedUrl.protocol !== 'http:') {
      issues.push({ field, message: 'Button URL must start with https:// or http://' });
    }
  } catch {
    issues.push({ field, message: 'Button URL must be an absolute http(s) URL' });
  }
}

/** Checks that the placeholders used and the variables declared are the same set. */
function checkAgreement(usage: Usage, declarations: readonly DeclarationInput[], issues: InputIssue[]) {
  const declared = new Set(declarations.map((d) => d.name.trim()));
  for (const [name, fields] of usage) {
    if (!declared.has(name)) {
      issues.push({ field: 'variables', message: `{{${name}}} is used in ${fields.join(', ')} but not declared in variables` });
    }
  }
  declarations.forEach((declaration, index) => {
    const name = declaration.name.trim();
    if (!usage.has(name)) {
      issues.push({ field: `variables[${index}].name`, message: `Variable "${name}" is declared but no placeholder uses it` });
    }
  });
}

export function validateTemplateInput(input: TemplateInput): TemplateValidation {
  const issues: InputIssue[] = [];
  const usage: Usage = new Map();
  const channel = input.channel;
  const style: PlaceholderStyle = channel === 'WHATSAPP' ? 'positional' : 'named';

  const name = input.name.trim();
  if (channel === 'WHATSAPP') {
    if (!WHATSAPP_NAME.test(name)) {
      issues.push({ field: 'name', message: 'WhatsApp template names use only lowercase letters, digits and _ (like order_update)' });
    }
    if (name.length > LIMITS.whatsAppName) issues.push({ field: 'name', message: `Name is longer than ${LIMITS.whatsAppName} characters` });
  } else {
    if (!name) issues.push({ field: 'name', message: 'Name is required' });
    if (name.length > LIMITS.name) issues.push({ field: 'name', message: `Name is longer than ${LIMITS.name} characters` });
  }

  let language: string | null = null;
  if (channel === 'WHATSAPP') {
    language = input.language?.trim() ?? '';
    if (!LANGUAGE.test(language)) {
      issues.push({ field: 'language', message: 'WhatsApp templates need a language code such as en, en_US or pt_BR' });
    }
  } else if (input.language != null && input.language.trim() !== '') {
    issues.push({ field: 'language', message: 'Only WhatsApp templates have a language' });
  }

  for (const other of ['EMAIL', 'SMS', 'WHATSAPP'] as const) {
    if (other !== channel && input[CHANNEL_FIELD[other]] != null) {
      issues.push({ field: CHANNEL_FIELD[other], message: `This is ${withArticle(channel)} template: give its content in ${CHANNEL_FIELD[channel]}` });
    }
  }

  let content: TemplateContent | null = null;
  const field = CHANNEL_FIELD[channel];
  if (channel === 'EMAIL' && input.email) content = validateEmail(input.email, issues, usage);
  else if (channel === 'SMS' && input.sms) content = validateSms(input.sms, issues, usage);
  else if (channel === 'WHATSAPP' && input.whatsapp) content = validateWhatsApp(input.whatsapp, issues, usage);
  else issues.push({ field, message: `${capitalize(withArticle(channel))} template needs its content in ${field}` });

  const { declarations, issues: declarationIssues } = validateDeclarations(
    input.variables,
    style,
    intlLocale(channel === 'WHATSAPP' ? language : null),
  );
  issues.push(...declarationIssues);
  if (content) checkAgreement(usage, input.variables, issues);

  if (issues.length > 0 || !content) return { ok: false, issues };
  return { ok: true, value: { name, language, content, variables: declarations } };
}
