/**
 * The template domain's own types. Resolvers map GraphQL shapes onto these, the store maps
 * database rows onto these; nothing here knows about either.
 */

export type Channel = 'EMAIL' | 'SMS' | 'WHATSAPP';

/**
 * ACTIVE: email and SMS templates (no provider approval). The rest is WhatsApp's approval
 * lifecycle (see approval.ts).
 */
export type TemplateStatus = 'ACTIVE' | 'DRAFT' | 'PENDING' | 'APPROVED' | 'REJECTED' | 'PAUSED' | 'DISABLED';

export type WhatsAppCategory = 'MARKETING' | 'UTILITY' | 'AUTHENTICATION';
export type WhatsAppButtonType = 'QUICK_REPLY' | 'URL' | 'PHONE_NUMBER';

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

export interface EmailContent {
  channel: 'EMAIL';
  subject: string;
  html: string;
  /** Plain-text alternative; null when the template has none. */
  text: string | null;
}

export interface SmsContent {
  channel: 'SMS';
  body: string;
}

export interface WhatsAppHeader {
  format: 'TEXT';
  text: string;
}

export interface WhatsAppButton {
  type: WhatsAppButtonType;
  text: string;
  /** URL buttons: the link, optionally ending with one placeholder (`https://x.test/o/{{1}}`). */
  url: string | null;
  /** PHONE_NUMBER buttons: E.164. */
  phoneNumber: string | null;
}

export interface WhatsAppContent {
  channel: 'WHATSAPP';
  category: WhatsAppCategory;
  header: WhatsAppHeader | null;
  body: string;
  footer: string | null;
  buttons: WhatsAppButton[];
}

export type TemplateContent = EmailContent | SmsContent | WhatsAppContent;

export const VARIABLE_TYPES = ['STRING', 'NUMBER', 'DATE', 'CURRENCY', 'URL', 'EMAIL', 'PHONE_NUMBER'] as const;
export type VariableType = (typeof VARIABLE_TYPES)[number];

export interface VariableDeclaration {
  /** `first_name` for email/SMS, `1`, `2` … for WhatsApp. */
  name: string;
  type: VariableType;
  /** A value that renders (WhatsApp needs one per variable before submission). */
  example: JsonValue | null;
  description: string | null;
}

export interface TemplateRecord {
  id: string;
  organizationId: string;
  channel: Channel;
  name: string;
  /** WhatsApp language code (`en_US`); null for email and SMS. */
  language: string | null;
  /** Status of the latest version. */
  status: TemplateStatus;
  latestVersionId: string;
  /** The version used to send (approved WhatsApp version, current email/SMS version). */
  activeVersionId: string | null;
  createdById: string;
  archivedAt: Date | null;
  createdAt: Date;
  /** Strictly increasing per template: every write sets it past the previous value. */
  updatedAt: Date;
  /** WhatsApp's id of the template, learned from its first status report. */
  providerTemplateId: string | null;
  /** When the last provider status report applied was reported (older ones are stale). */
  providerStatusAt: Date | null;
}

export interface TemplateVersionRecord {
  id: string;
  templateId: string;
  organizationId: string;
  version: number;
  status: TemplateStatus;
  /** Why the version was rejected, paused or disabled. */
  statusReason: string | null;
  content: TemplateContent;
  variables: VariableDeclaration[];
  submittedAt: Date | null;
  /** Set when a newer version became the active one. */
  supersededAt: Date | null;
  createdById: string;
  createdAt: Date;
  updatedAt: Date;
}

/** A template with the two versions nearly every read needs. */
export interface TemplateView extends TemplateRecord {
  latest: TemplateVersionRecord;
  active: TemplateVersionRecord | null;
}

export interface TemplateStatusChangeRecord {
  id: string;
  versionId: string;
  fromStatus: TemplateStatus | null;
  toStatus: TemplateStatus;
  reason: string | null;
  /** The user who made the change; null when the provider reported it. */
  changedById: string | null;
  createdAt: Date;
}

/** A problem with a user's input, named by its path in the input (`whatsapp.buttons[1].url`). */
export interface InputIssue {
  field: string;
  message: string;
}
