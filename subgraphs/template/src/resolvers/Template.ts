import { isSendable } from '../domain/approval';
import { whatsAppDefinition } from '../domain/render';
import { analyzeSms } from '../domain/sms-encoding';
import type {
  RenderedTemplateResolvers,
  SmsTemplateContentResolvers,
  TemplateContentResolvers,
  TemplateResolvers,
  TemplateStatusChangeResolvers,
  TemplateVersionResolvers,
  WhatsAppTemplateContentResolvers,
} from '../__generated__/resolvers-types';
import { contentParent, versionParent } from './parents';

export const Template: TemplateResolvers = {
  /** Other subgraphs' references; another organization's id resolves to null. */
  __resolveReference: (reference, context) => context.templateReferences?.load(reference.id) ?? null,
  sendable: (template) => isSendable(template),
  content: (template) => contentParent(template.latest.content, template.latest.variables, template),
  variables: (template) => template.latest.variables,
  latestVersion: (template) => versionParent(template.latest, template),
  activeVersion: (template) => (template.active ? versionParent(template.active, template) : null),
  versions: async (template, _args, context) =>
    (await context.templates.versions(template)).map((version) => versionParent(version, template)),
};

export const TemplateVersion: TemplateVersionResolvers = {
  content: (version) => contentParent(version.content, version.variables, version.template),
  statusHistory: (version, _args, context) => context.templates.statusHistory(version),
};

export const TemplateStatusChange: TemplateStatusChangeResolvers = {
  from: (change) => change.fromStatus,
  to: (change) => change.toStatus,
  changedByUserId: (change) => change.changedById,
  changedAt: (change) => change.createdAt,
};

export const TemplateContent: TemplateContentResolvers = {
  __resolveType: (content) =>
    content.channel === 'EMAIL' ? 'EmailTemplateContent' : content.channel === 'SMS' ? 'SmsTemplateContent' : 'WhatsAppTemplateContent',
};

export const SmsTemplateContent: SmsTemplateContentResolvers = {
  encoding: (content) => analyzeSms(content.preview).encoding,
  segments: (content) => analyzeSms(content.preview).segments,
  units: (content) => analyzeSms(content.preview).units,
  nonGsmCharacters: (content) => analyzeSms(content.preview).nonGsmCharacters,
};

export const WhatsAppTemplateContent: WhatsAppTemplateContentResolvers = {
  providerDefinition: (content) => whatsAppDefinition(content.subject),
};

export const RenderedTemplate: RenderedTemplateResolvers = {
  __resolveType: (rendered) =>
    rendered.channel === 'EMAIL' ? 'RenderedEmail' : rendered.channel === 'SMS' ? 'RenderedSms' : 'RenderedWhatsApp',
};
