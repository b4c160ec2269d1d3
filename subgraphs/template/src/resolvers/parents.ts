/** Shapes resolvers hand to nested types (codegen mappers point here and to the domain types). */
import { smsPreview, type RenderSubject } from '../domain/render';
import type {
  SmsContent,
  TemplateContent,
  TemplateVersionRecord,
  TemplateView,
  VariableDeclaration,
  WhatsAppContent,
} from '../domain/types';

/** A version with the name and language of its template (WhatsApp definitions need both). */
export type VersionParent = TemplateVersionRecord & { template: Pick<TemplateView, 'name' | 'language'> };

export type WhatsAppContentParent = WhatsAppContent & { subject: RenderSubject & { content: WhatsAppContent } };

/** SMS content with the analysis of its example rendering. */
export type SmsContentParent = SmsContent & { preview: string };

export type ContentParent = Exclude<TemplateContent, WhatsAppContent | SmsContent> | SmsContentParent | WhatsAppContentParent;

export function versionParent(version: TemplateVersionRecord, template: Pick<TemplateView, 'name' | 'language'>): VersionParent {
  return { ...version, template: { name: template.name, language: template.language } };
}

export function contentParent(
  content: TemplateContent,
  variables: readonly VariableDeclaration[],
  template: Pick<TemplateView, 'name' | 'language'>,
): ContentParent {
  if (content.channel === 'EMAIL') return content;
  if (content.channel === 'SMS') return { ...content, preview: smsPreview(content.body, variables) };
  return { ...content, subject: { name: template.name, language: template.language, content, variables } };
}
