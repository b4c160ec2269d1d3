/**
 * The messaging domain's shapes. Records are the stored rows (the store maps Prisma onto them);
 * GraphQL types map onto these through codegen's mappers.
 */
import type {
  Message,
  MessageStatusChange,
  MessagingContactProjection,
  MessagingTemplateProjection,
  Sender,
} from '@switchboard/db';
import type { MessageStatus } from './status-machine';

export type { MessageStatus } from './status-machine';
export type Channel = 'EMAIL' | 'SMS' | 'WHATSAPP';
export type Direction = 'OUTBOUND' | 'INBOUND';
export type StatusSource = 'API' | 'WORKER' | 'WEBHOOK' | 'SYSTEM';
export type ConsentStatus = 'OPTED_IN' | 'OPTED_OUT' | 'UNKNOWN';
export type SenderKind = 'SMS_NUMBER' | 'WHATSAPP_NUMBER' | 'EMAIL_ADDRESS';
export type SenderProvider = 'TWILIO' | 'META_WHATSAPP' | 'SMTP';

export type MessageRecord = Message;
export type StatusEntryRecord = MessageStatusChange;
export type SenderRecord = Sender;
export type ContactProjectionRecord = MessagingContactProjection;
export type TemplateProjectionRecord = MessagingTemplateProjection;

export interface MessagePage {
  edges: { cursor: string; node: MessageRecord }[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

export interface SendMessageResult {
  message: MessageRecord;
}

/** Entities of other subgraphs, by key. */
export interface ContactReference {
  id: string;
}
export interface TemplateReference {
  id: string;
}

export interface MessageFilter {
  channel?: Channel | null;
  status?: MessageStatus | null;
  direction?: Direction | null;
  contactId?: string | null;
  from?: Date | null;
  to?: Date | null;
}

/** The sender kind each channel sends from. */
export const SENDER_KIND_OF_CHANNEL: Record<Channel, SenderKind> = {
  EMAIL: 'EMAIL_ADDRESS',
  SMS: 'SMS_NUMBER',
  WHATSAPP: 'WHATSAPP_NUMBER',
};

/** Identifies a conversation without the inbox: our sender and the contact's address. */
export function conversationKey(senderId: string, counterpartAddress: string): string {
  return `${senderId}:${counterpartAddress}`;
}
