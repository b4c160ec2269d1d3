/**
 * Context-aware escaping for HTML email templates.
 *
 * The template's HTML is written by the organization; variable values are not trusted (they
 * come from contacts, imports, API callers). A small HTML tokenizer finds where each
 * placeholder sits, so rendering escapes it for that place:
 * - text and quoted attribute values: `& < > " ' \`` become entities — a value cannot open a
 *   tag or leave its attribute;
 * - URL attributes (`href`, `src` …): a value that starts the URL must be http(s), mailto, tel
 *   or relative (no `javascript:`); a value inside a URL is percent-encoded;
 * - places that cannot be made safe by escaping are refused when the template is saved:
 *   inside `<script>`/`<style>`, event handlers (`onclick`), `style`/`srcdoc` attributes, tag or
 *   attribute names, unquoted attribute values.
 */
import { parsePlaceholders, type PlaceholderPart, type TextPart } from './placeholders';

export type HtmlContext =
  | { kind: 'text' }
  | { kind: 'attribute'; attribute: string }
  | { kind: 'url'; attribute: string; position: 'start' | 'inside' };

export interface HtmlPlaceholder extends PlaceholderPart {
  context: HtmlContext;
}

export type HtmlPart = TextPart | HtmlPlaceholder;

export interface CompiledHtml {
  parts: HtmlPart[];
  names: string[];
  problems: string[];
}

const URL_ATTRIBUTES = new Set([
  'href', 'src', 'action', 'formaction', 'cite', 'background', 'poster', 'longdesc', 'usemap',
  'manifest', 'data', 'codebase', 'srcset', 'xlink:href', 'ping', 'profile', 'lowsrc', 'dynsrc',
  'classid', 'archive',
]);
const UNSAFE_ATTRIBUTES = new Set(['style', 'srcdoc']);
const RAW_TEXT_ELEMENTS = new Set(['script', 'style', 'xmp', 'iframe', 'noembed', 'noframes', 'noscript', 'plaintext']);
const SAFE_SCHEMES = new Set(['http', 'https', 'mailto', 'tel']);

type State =
  | 'data'
  | 'tagName'
  | 'endTag'
  | 'beforeAttrName'
  | 'attrName'
  | 'afterAttrName'
  | 'beforeAttrValue'
  | 'attrValueDouble'
  | 'attrValueSingle'
  | 'attrValueUnquoted'
  | 'comment'
  | 'bogus'
  | 'rawText';

const isSpace = (c: string) => c === ' ' || c === '\n' || c === '\t' || c === '\r' || c === '\f';
const isLetter = (c: string | undefined) => c !== undefined && /[A-Za-z]/.test(c);

/** Finds every placeholder's HTML context; `problems` lists placeholders in unsafe places. */
export function compileHtml(html: string): CompiledHtml {
  const parsed = parsePlaceholders(html, 'named');
  const problems = [...parsed.problems];
  const placeholders = parsed.parts.filter((p): p is PlaceholderPart => p.kind === 'placeholder');
  const contexts = new Map<PlaceholderPart, HtmlContext>();

  let state = 'data' as State; // (endOfTag changes it too: no narrowing)
  let tagName = '';
  let attrName = '';
  let valueStart = 0;
  let valueHasPlaceholder = false;
  let rawTextElement = '';
  let next = 0; // index into placeholders

  const refuse = (part: PlaceholderPart, where: string) => {
    problems.push(`{{${part.name}}} cannot be placed ${where}`);
  };
  const endOfTag = () => {
    const name = tagName.toLowerCase();
    if (RAW_TEXT_ELEMENTS.has(name)) {
      rawTextElement = name;
      state = 'rawText';
    } else {
      state = 'data';
    }
  };

  let i = 0;
  while (i < html.length) {
    const part = placeholders[next];
    if (part && i === part.start) {
      next += 1;
      switch (state) {
        case 'data':
          // "<{{x}}" would let the value name a tag: "<" + "script".
          if (html[i - 1] === '<' || html.slice(i - 2, i) === '</') refuse(part, 'inside a tag name');
          else contexts.set(part, { kind: 'text' });
          break;
        case 'comment':
          contexts.set(part, { kind: 'text' });
          break;
        case 'rawText':
          refuse(part, `inside <${rawTextElement}>: its content cannot be escaped`);
          break;
        case 'tagName':
        case 'endTag':
          refuse(part, 'inside a tag name');
          break;
        case 'beforeAttrName':
        case 'attrName':
        case 'afterAttrName':
          refuse(part, 'as an attribute name');
          break;
        case 'beforeAttrValue':
        case 'attrValueUnquoted':
          refuse(part, `in the unquoted value of ${attrName || 'an attribute'}: put the value in quotes`);
          state = 'attrValueUnquoted';
          break;
        case 'bogus':
          refuse(part, 'inside a <! … > declaration');
          break;
        case 'attrValueDouble':
        case 'attrValueSingle': {
          const attribute = attrName.toLowerCase();
          if (attribute.startsWith('on')) refuse(part, `in the ${attribute} event handler`);
          else if (UNSAFE_ATTRIBUTES.has(attribute)) refuse(part, `in the ${attribute} attribute`);
          else if (URL_ATTRIBUTES.has(attribute)) {
            const atStart = !valueHasPlaceholder && html.slice(valueStart, i).trim() === '';
            contexts.set(part, { kind: 'url', attribute, position: atStart ? 'start' : 'inside' });
          } else {
            contexts.set(part, { kind: 'attribute', attribute });
          }
          valueHasPlaceholder = true;
          break;
        }
      }
      i = part.end;
      continue;
    }

    const c = html[i] as string;
    switch (state) {
      case 'data':
        if (c === '<') {
          if (html.startsWith('<!--[if', i)) {
            // Outlook conditional comment: its content is markup for Outlook; keep tokenizing it.
            const close = html.indexOf(']>', i);
            i = close === -1 ? html.length : close + 2;
            continue;
          }
          if (html.startsWith('<![endif]', i)) {
            const close = html.indexOf('>', i);
            i = close === -1 ? html.length : close + 1;
            continue;
          }
          if (html.startsWith('<!--', i)) {
            state = 'comment';
            i += 4;
            continue;
          }
          if (html[i + 1] === '!' || html[i + 1] === '?') {
            state = 'bogus';
            i += 2;
            continue;
          }
          if (html[i + 1] === '/' && isLetter(html[i + 2])) {
            state = 'endTag';
            i += 2;
            continue;
          }
          if (isLetter(html[i + 1])) {
            state = 'tagName';
            tagName = '';
            i += 1;
            continue;
          }
        }
        break;
      case 'comment':
        if (html.startsWith('-->', i)) {
          state = 'data';
          i += 3;
          continue;
        }
        break;
      case 'bogus':
      case 'endTag':
        if (c === '>') state = 'data';
        break;
      case 'rawText':
        if (c === '<' && html.slice(i + 2, i + 2 + rawTextElement.length).toLowerCase() === rawTextElement && html[i + 1] === '/') {
          state = 'endTag';
          i += 2 + rawTextElement.length;
          continue;
        }
        break;
      case 'tagName':
        if (isSpace(c) || c === '/') state = 'beforeAttrName';
        else if (c === '>') endOfTag();
        else tagName += c;
        break;
      case 'beforeAttrName':
        if (c === '>') endOfTag();
        else if (!isSpace(c) && c !== '/') {
          state = 'attrName';
          attrName = c;
        }
        break;
      case 'attrName':
        if (c === '=') state = 'beforeAttrValue';
        else if (isSpace(c)) state = 'afterAttrName';
        else if (c === '/') state = 'beforeAttrName';
        else if (c === '>') endOfTag();
        else attrName += c;
        break;
      case 'afterAttrName':
        if (c === '=') state = 'beforeAttrValue';
        else if (c === '>') endOfTag();
        else if (c === '/') state = 'beforeAttrName';
        else if (!isSpace(c)) {
          state = 'attrName';
          attrName = c;
        }
        break;
      case 'beforeAttrValue':
        if (c === '"' || c === "'") {
          state = c === '"' ? 'attrValueDouble' : 'attrValueSingle';
          valueStart = i + 1;
          valueHasPlaceholder = false;
        } else if (c === '>') endOfTag();
        else if (!isSpace(c)) state = 'attrValueUnquoted';
        break;
      case 'attrValueDouble':
        if (c === '"') state = 'beforeAttrName';
        break;
      case 'attrValueSingle':
        if (c === "'") state = 'beforeAttrName';
        break;
      case 'attrValueUnquoted':
        if (isSpace(c)) state = 'beforeAttrName';
        else if (c === '>') endOfTag();
        break;
    }
    i += 1;
  }

  const parts: HtmlPart[] = parsed.parts.map((part) =>
    part.kind === 'text' ? part : { ...part, context: contexts.get(part) ?? { kind: 'text' } },
  );
  return { parts, names: parsed.names, problems };
}

const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
  '`': '&#96;',
};

/** Escapes text for HTML element content and quoted attribute values alike. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"'`]/g, (c) => HTML_ESCAPES[c] as string);
}

/**
 * The scheme a browser would see in `value` at the start of a URL attribute, after it drops
 * leading/trailing spaces and control characters and removes tabs and newlines inside
 * (`java\tscript:` is `javascript:` to a browser). Null for relative URLs.
 */
export function urlScheme(value: string): string | null {
  // eslint-disable-next-line no-control-regex
  const normalized = value.replace(/^[\u0000-\u0020]+|[\u0000-\u0020]+$/g, '').replace(/[\t\n\r]/g, '');
  const match = /^([a-zA-Z][a-zA-Z0-9+.-]*):/.exec(normalized);
  return match ? (match[1] as string).toLowerCase() : null;
}

export function isSafeUrlStart(value: string): boolean {
  const scheme = urlScheme(value);
  return scheme === null || SAFE_SCHEMES.has(scheme);
}

/** Renders one value for its HTML context, or explains why it cannot be placed there. */
export function renderHtmlValue(context: HtmlContext, value: string): { ok: true; html: string } | { ok: false; reason: string } {
  if (context.kind === 'url') {
    if (context.position === 'start') {
      if (!isSafeUrlStart(value)) {
        return { ok: false, reason: `${context.attribute} needs an http, https, mailto or tel URL (or a relative one)` };
      }
      return { ok: true, html: escapeHtml(value) };
    }
    try {
      return { ok: true, html: escapeHtml(encodeURIComponent(value)) };
    } catch {
      return { ok: false, reason: 'contains characters that cannot be put in a URL' };
    }
  }
  return { ok: true, html: escapeHtml(value) };
}
