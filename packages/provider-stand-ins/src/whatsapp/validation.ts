// Checks a Cloud API send the way the live API does (lenient where it is lenient: `recipient_type`
// and `template.language.policy` are optional there, though Meta's OpenAPI file requires them).
import type { HttpResponse } from '../http';
import { graphError } from './errors';

export type TemplateStatus = 'APPROVED' | 'PENDING' | 'REJECTED' | 'PAUSED' | 'DISABLED';
export type TemplateCategory = 'MARKETING' | 'UTILITY' | 'AUTHENTICATION';

/** A message template the stand-in knows; sends of unknown templates are accepted unless `strictTemplates`. */
export interface TemplateDefinition {
  id?: string;
  name: string;
  language: string;
  status: TemplateStatus;
  category?: TemplateCategory;
  /** Number of `{{n}}` variables in the body; when set, a send with another count fails with 132000. */
  bodyParameters?: number;
}

export interface ValidatedSend {
  to: string;
  waId: string;
  type: string;
  template?: { name: string; language: string; bodyParameterCount: number; category?: TemplateCategory };
  /** Free-form = not a template: only allowed inside the 24-hour customer-service window. */
  freeForm: boolean;
}

const TYPES = ['audio', 'contacts', 'document', 'image', 'interactive', 'location', 'reaction', 'sticker', 'template', 'text', 'video'];
const MEDIA_TYPES = new Set(['audio', 'document', 'image', 'sticker', 'video']);

const invalid = (message: string, details?: string): HttpResponse =>
  graphError(400, 100, message, details === undefined ? {} : { details });

export function validateSend(
  input: unknown,
  findTemplate: (name: string, language: string) => TemplateDefinition | undefined,
  hasTemplateNamed: (name: string) => boolean,
  strictTemplates: boolean,
): { ok: true; send: ValidatedSend } | { ok: false; response: HttpResponse } {
  const fail = (response: HttpResponse) => ({ ok: false as const, response });
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return fail(invalid('(#100) Invalid parameter', 'The request body must be a JSON object.'));
  }
  const body = input as Record<string, unknown>;
  if (body.messaging_product === undefined) return fail(invalid('(#100) The parameter messaging_product is required.'));
  if (body.messaging_product !== 'whatsapp') {
    return fail(invalid(`(#100) Param messaging_product must be one of {WHATSAPP} - got "${String(body.messaging_product)}".`));
  }
  if (body.recipient_type !== undefined && body.recipient_type !== 'individual' && body.recipient_type !== 'group') {
    return fail(invalid(`(#100) Param recipient_type must be one of {INDIVIDUAL, GROUP} - got "${String(body.recipient_type)}".`));
  }
  if (body.to === undefined || body.to === '') return fail(invalid('(#100) The parameter to is required.'));
  if (typeof body.to !== 'string') return fail(invalid('(#100) Param to must be a string.'));
  const waId = body.to.replace(/[\s\-()+]/g, '');
  if (!/^\d{7,15}$/.test(waId)) {
    return fail(invalid('(#100) Invalid parameter', `Recipient "${body.to}" is not a valid WhatsApp phone number.`));
  }
  const type = body.type === undefined ? 'text' : body.type;
  if (typeof type !== 'string' || !TYPES.includes(type)) {
    return fail(
      invalid(`(#100) Param type must be one of {${TYPES.map((t) => t.toUpperCase()).join(', ')}} - got "${String(type)}".`),
    );
  }
  const content = body[type];
  if (typeof content !== 'object' || content === null) return fail(invalid(`(#100) The parameter ${type} is required.`));
  const object = content as Record<string, unknown>;

  if (type === 'text') {
    if (typeof object.body !== 'string' || object.body === '') {
      return fail(invalid("(#100) The parameter text['body'] is required."));
    }
    if (object.body.length > 4096) return fail(invalid("(#100) Param text['body'] must be at most 4096 characters long."));
    if (object.preview_url !== undefined && typeof object.preview_url !== 'boolean') {
      return fail(invalid("(#100) Param text['preview_url'] must be a boolean."));
    }
  }

  if (MEDIA_TYPES.has(type)) {
    const hasId = typeof object.id === 'string' && object.id !== '';
    const hasLink = typeof object.link === 'string' && object.link !== '';
    if (!hasId && !hasLink) {
      return fail(invalid('(#100) Invalid parameter', `Either ${type}['id'] or ${type}['link'] must be provided.`));
    }
    if (hasLink && !isHttpUrl(object.link as string)) return fail(invalid(`(#100) Param ${type}['link'] is not a valid URI.`));
    if (object.caption !== undefined && (type === 'audio' || type === 'sticker')) {
      return fail(invalid('(#100) Invalid parameter', `Caption is not supported for ${type} messages.`));
    }
  }

  let template: ValidatedSend['template'];
  if (type === 'template') {
    if (typeof object.name !== 'string' || object.name === '') {
      return fail(invalid("(#100) The parameter template['name'] is required."));
    }
    const language = object.language as Record<string, unknown> | undefined;
    if (typeof language?.code !== 'string' || language.code === '') {
      return fail(invalid("(#100) The parameter template['language']['code'] is required."));
    }
    if (language.policy !== undefined && language.policy !== 'deterministic') {
      return fail(invalid(`(#100) Param template['language']['policy'] must be one of {DETERMINISTIC} - got "${String(language.policy)}".`));
    }
    if (object.components !== undefined && !Array.isArray(object.components)) {
      return fail(invalid("(#100) Param template['components'] must be an array."));
    }
    const components = (object.components ?? []) as Array<Record<string, unknown>>;
    const bodyComponent = components.find((component) => component?.type === 'body');
    const bodyParameterCount = Array.isArray(bodyComponent?.parameters) ? bodyComponent.parameters.length : 0;
    const known = findTemplate(object.name, language.code);
    if (known === undefined && (strictTemplates || hasTemplateNamed(object.name))) {
      return fail(graphError(404, 132001, '(#132001) Template name does not exist in the translation', {
        details: `template name (${object.name}) does not exist in ${language.code}`,
      }));
    }
    if (known !== undefined) {
      if (known.status === 'PAUSED') return fail(graphError(400, 132015, '(#132015) Template is Paused', { details: `Template ${known.name} is paused due to low quality.` }));
      if (known.status === 'DISABLED') return fail(graphError(400, 132016, '(#132016) Template is disabled', { details: `Template ${known.name} has been disabled.` }));
      if (known.status !== 'APPROVED') {
        return fail(graphError(404, 132001, '(#132001) Template name does not exist in the translation', {
          details: `template name (${known.name}) does not exist in ${known.language} (status ${known.status})`,
        }));
      }
      if (known.bodyParameters !== undefined && known.bodyParameters !== bodyParameterCount) {
        return fail(graphError(400, 132000, '(#132000) Number of parameters does not match the expected number of params', {
          details: `body: number of localizable_params (${bodyParameterCount}) does not match the expected number of params (${known.bodyParameters})`,
        }));
      }
    }
    template = { name: object.name, language: language.code, bodyParameterCount, category: known?.category };
  }

  return { ok: true, send: { to: body.to, waId, type, template, freeForm: type !== 'template' } };
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}
