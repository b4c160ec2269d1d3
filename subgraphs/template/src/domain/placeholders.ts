/**
 * Placeholder parsing. Email and SMS templates use named placeholders (`{{first_name}}`);
 * WhatsApp templates use positional ones (`{{1}}`), numbered across the whole template (header,
 * body, URL buttons) — the same number is the same value — with no gap from 1 to n.
 */

export type PlaceholderStyle = 'named' | 'positional';

export interface TextPart {
  kind: 'text';
  value: string;
}

export interface PlaceholderPart {
  kind: 'placeholder';
  /** The variable's name: `first_name`, or `1` for positional placeholders. */
  name: string;
  /** Offset of `{{` in the source text. */
  start: number;
  /** Offset just past `}}`. */
  end: number;
}

export type TemplatePart = TextPart | PlaceholderPart;

export interface ParsedText {
  parts: TemplatePart[];
  /** Distinct names in order of first appearance. */
  names: string[];
  problems: string[];
}

const NAMED = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
const POSITIONAL = /^[1-9][0-9]{0,2}$/;

function describe(raw: string): string {
  return raw.length > 40 ? `${raw.slice(0, 37)}...` : raw;
}

/** Splits `text` into literal text and placeholders, reporting malformed placeholders. */
export function parsePlaceholders(text: string, style: PlaceholderStyle): ParsedText {
  const parts: TemplatePart[] = [];
  const names: string[] = [];
  const problems: string[] = [];
  let cursor = 0;
  let literalStart = 0;
  while (cursor < text.length) {
    const open = text.indexOf('{{', cursor);
    if (open === -1) break;
    const close = text.indexOf('}}', open + 2);
    if (close === -1) {
      problems.push(`"{{" at character ${open + 1} is never closed with "}}"`);
      break;
    }
    const raw = text.slice(open, close + 2);
    const inner = text.slice(open + 2, close);
    if (inner.includes('{')) {
      problems.push(`"{{" at character ${open + 1} is never closed with "}}" before the next "{"`);
      cursor = open + 2;
      continue;
    }
    const name = inner.trim();
    if (style === 'positional') {
      if (!POSITIONAL.test(name)) {
        problems.push(
          NAMED.test(name)
            ? `WhatsApp placeholders are positional: use {{1}}, {{2}} … instead of ${describe(raw)}`
            : `${describe(raw)} is not a valid placeholder: use {{1}}, {{2}} …`,
        );
      }
    } else if (!NAMED.test(name)) {
      problems.push(
        POSITIONAL.test(name)
          ? `Email and SMS placeholders are named: use a name like {{first_name}} instead of ${describe(raw)}`
          : `${describe(raw)} is not a valid placeholder: names use letters, digits and _ (like {{first_name}})`,
      );
    }
    if (open > literalStart) parts.push({ kind: 'text', value: text.slice(literalStart, open) });
    parts.push({ kind: 'placeholder', name, start: open, end: close + 2 });
    if (!names.includes(name)) names.push(name);
    cursor = close + 2;
    literalStart = cursor;
  }
  if (literalStart < text.length) parts.push({ kind: 'text', value: text.slice(literalStart) });
  return { parts, names, problems };
}

/** Numbers missing from 1..max among positional names (`['1','3']` → `[2]`). */
export function findPositionalGaps(names: Iterable<string>): number[] {
  const present = new Set<number>();
  for (const name of names) {
    const n = Number(name);
    if (Number.isInteger(n) && n > 0) present.add(n);
  }
  const max = Math.max(0, ...present);
  const gaps: number[] = [];
  for (let n = 1; n <= max; n += 1) if (!present.has(n)) gaps.push(n);
  return gaps;
}

/** Replaces each placeholder by `valueOf(name)`; literal text passes through untouched. */
export function substitute(parts: readonly TemplatePart[], valueOf: (part: PlaceholderPart) => string): string {
  let out = '';
  for (const part of parts) out += part.kind === 'text' ? part.value : valueOf(part);
  return out;
}

/** Sorts positional names numerically and everything else alphabetically (stable output). */
export function compareVariableNames(a: string, b: string): number {
  const na = Number(a);
  const nb = Number(b);
  if (Number.isInteger(na) && Number.isInteger(nb)) return na - nb;
  return a.localeCompare(b);
}
