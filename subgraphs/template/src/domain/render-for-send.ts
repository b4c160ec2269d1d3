/**
 * The renderer for sending, for any service that holds a template version — the template
 * subgraph itself, or a projection built from `template.changed` (`template.activeVersion` plus
 * the template's name and language). Pure: no database, no cache, no clock.
 *
 * Whether the version may be sent at all is its holder's decision (an APPROVED WhatsApp version,
 * the current email/SMS version: what `template.changed` carries as `activeVersion`); this checks
 * the values against the declared variables and renders them with the channel's rules.
 */
import { renderContent, type RenderFailure, type RenderResult } from './render';
import type { TemplateContent, VariableDeclaration, VariableType } from './types';

/** A template version as `template.changed` carries it, with its template's name and language. */
export interface SendableTemplateVersion {
  /** WhatsApp sends refer to the approved template by name and language. */
  name: string;
  /** WhatsApp language code (`en_US`); null for email and SMS. */
  language: string | null;
  content: TemplateContent;
  variables: readonly { name: string; type: VariableType; example?: unknown; description?: string | null }[];
}

/**
 * Renders `version` with `variables` (an object by name; WhatsApp also takes a list for
 * `{{1}}..{{n}}`): email (subject with line breaks flattened, HTML escaped for where each value
 * stands, text), SMS (body, encoding, segments), WhatsApp (preview and the Cloud API `template`
 * object). Missing, undeclared and mistyped values come back as `{ ok: false, failure }`.
 */
export function renderForSend(version: SendableTemplateVersion, variables: unknown): RenderResult {
  const declarations: VariableDeclaration[] = version.variables.map((v) => ({
    name: v.name,
    type: v.type,
    example: (v.example ?? null) as VariableDeclaration['example'],
    description: v.description ?? null,
  }));
  return renderContent({ name: version.name, language: version.language, content: version.content, variables: declarations }, variables);
}

/** One sentence for a render failure (no values in it: they may be personal data). */
export function describeRenderFailure(failure: RenderFailure): string {
  if (failure.kind === 'notAnObject') return failure.message;
  const parts: string[] = [];
  if (failure.missing.length) parts.push(`missing ${failure.missing.join(', ')}`);
  if (failure.extra.length) parts.push(`not declared by the template ${failure.extra.join(', ')}`);
  for (const m of failure.mistyped) parts.push(`${m.name} should be ${m.expected} (${m.reason})`);
  return `Variables do not match the template: ${parts.join('; ')}`;
}
