import { z } from 'zod';
import { defineEvent } from '../define-event';
import { channel, e164Phone, emailAddress, httpUrl, id, isoDateTime } from '../schema-helpers';

/*
 * The delivery pipeline (docs/architecture.md, "The send path"). Messaging writes a request to its
 * outbox; the channel worker consumes it, calls the provider and publishes message.status; webhooks
 * publish status changes and inbound messages. Bodies are personal data: never log payloads.
 */

/** What every outgoing message request carries, whatever the channel. */
const requestBase = {
  messageId: id,
  /** The inbox conversation, when the message belongs to one (null for a campaign's first touch, say). */
  conversationId: id.nullable(),
  contactId: id.nullable(),
  campaignId: id.nullable(),
  /** The template and version rendered into this message, if any (for reporting). */
  templateId: id.nullable(),
  templateVersionId: id.nullable(),
  /** Messaging's sender identity (email sender, phone number, WhatsApp number): rate limits and credentials. */
  senderId: id,
};

/**
 * Requests keep one conversation's messages in order; without a conversation, one recipient's.
 * The recipient is an address, so the key is too: keys are not logged.
 */
const requestKey = (p: { conversationId: string | null; recipient: string }): string => p.conversationId ?? p.recipient;

export const emailRequested = defineEvent({
  type: 'message.requested.email',
  version: 1,
  topic: 'message.requested.email',
  description: 'Send one email. Consumed by the email worker.',
  payload: z
    .object({
      ...requestBase,
      recipient: emailAddress,
      recipientName: z.string().max(200).nullable(),
      from: z.object({ address: emailAddress, name: z.string().max(200).nullable() }),
      replyTo: emailAddress.nullable(),
      subject: z.string().min(1).max(998),
      html: z.string().max(1_000_000).nullable(),
      text: z.string().max(1_000_000).nullable(),
    })
    .refine((p) => p.html !== null || p.text !== null, { message: 'an email needs html or text', path: ['text'] }),
  key: requestKey,
});

export const smsRequested = defineEvent({
  type: 'message.requested.sms',
  version: 1,
  topic: 'message.requested.sms',
  description: 'Send one SMS. Consumed by the SMS worker.',
  payload: z.object({
    ...requestBase,
    recipient: e164Phone,
    /** E.164 number, alphanumeric sender id, or the provider's messaging service id. */
    from: z.string().min(1).max(64),
    /** Up to 10 concatenated segments' worth of text. */
    body: z.string().min(1).max(1600),
  }),
  key: requestKey,
});

const whatsappContent = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('text'), body: z.string().min(1).max(4096), previewUrl: z.boolean() }),
  z.object({
    kind: z.literal('template'),
    /** The template's name and language as approved by WhatsApp. */
    name: z.string().min(1).max(512),
    language: z.string().min(2).max(15),
    headerParameters: z.array(z.string().max(1024)),
    bodyParameters: z.array(z.string().max(1024)),
  }),
  z.object({
    kind: z.literal('media'),
    mediaType: z.enum(['image', 'document', 'audio', 'video']),
    url: httpUrl,
    caption: z.string().max(1024).nullable(),
    filename: z.string().max(240).nullable(),
  }),
]);

export const whatsappRequested = defineEvent({
  type: 'message.requested.whatsapp',
  version: 1,
  topic: 'message.requested.whatsapp',
  description:
    'Send one WhatsApp message (free text inside the 24-hour window, an approved template otherwise). Consumed by the WhatsApp worker.',
  payload: z.object({
    ...requestBase,
    recipient: e164Phone,
    /** WhatsApp Cloud API phone number id of the sender. */
    phoneNumberId: z.string().min(1).max(64),
    content: whatsappContent,
  }),
  key: requestKey,
});

export const MESSAGE_STATUSES = ['QUEUED', 'SENDING', 'SENT', 'DELIVERED', 'READ', 'FAILED', 'UNDELIVERED'] as const;
export const messageStatus = z.enum(MESSAGE_STATUSES);
export type MessageStatus = z.infer<typeof messageStatus>;

export const messageStatusChanged = defineEvent({
  type: 'message.status',
  version: 1,
  topic: 'message.status',
  description:
    "A message's delivery status as reported by its worker or a provider webhook; the status consumer applies it forward-only.",
  payload: z.object({
    messageId: id,
    channel,
    conversationId: id.nullable(),
    status: messageStatus,
    providerMessageId: z.string().min(1).max(256).nullable(),
    /** The provider's or our error code (e.g. Twilio 30003, SMTP 550, RATE_LIMITED). */
    errorCode: z.string().max(64).nullable(),
    /** Human-readable reason, without personal data. */
    errorReason: z.string().max(1000).nullable(),
    source: z.enum(['WORKER', 'WEBHOOK', 'SYSTEM']),
    /** When the status happened at the provider (may precede the envelope's occurredAt). */
    occurredAt: isoDateTime,
    /**
     * A worker's report: the delivery attempt it is about (SENDING: the attempt starting; SENT or
     * FAILED: the attempts made). Absent from webhooks' reports and from older workers' events.
     */
    attempt: z.number().int().min(1).optional(),
  }),
  key: (p) => p.messageId,
});

export const messageReceived = defineEvent({
  type: 'message.received',
  version: 1,
  topic: 'message.received',
  description: 'An inbound message from a contact (provider webhook). Inbox attaches it to a conversation.',
  payload: z.object({
    messageId: id,
    channel,
    /** Our sender identity that received it. */
    senderId: id,
    /** The contact's address (email or E.164) and ours. */
    from: z.string().min(1).max(320),
    to: z.string().min(1).max(320),
    providerMessageId: z.string().min(1).max(256),
    conversationId: id.nullable(),
    contactId: id.nullable(),
    /** Email subject, when there is one. */
    subject: z.string().max(998).nullable(),
    text: z.string().max(1_000_000).nullable(),
    media: z.array(
      z.object({
        mediaType: z.enum(['image', 'document', 'audio', 'video', 'sticker', 'other']),
        url: httpUrl,
        mimeType: z.string().max(255).nullable(),
        caption: z.string().max(1024).nullable(),
      }),
    ),
    /** The provider id of the message this one answers, when the provider says. */
    inReplyToProviderMessageId: z.string().max(256).nullable(),
    receivedAt: isoDateTime,
    /**
     * A consent keyword in the text (STOP, UNSUBSCRIBE … / START, UNSTOP …): messaging already
     * applied it to its own projection; the contact subgraph records it on the contact (creating
     * the contact first when `contactId` is null). Null when the text is no keyword.
     */
    consentChange: z
      .object({
        channel,
        status: z.enum(['OPTED_IN', 'OPTED_OUT']),
        /** The keyword as recognised, upper case (`STOP`). */
        keyword: z.string().min(1).max(32),
      })
      .nullable()
      .default(null),
  }),
  key: (p) => p.conversationId ?? p.from,
});

export const messageStatusApplied = defineEvent({
  type: 'message.status_changed',
  version: 1,
  topic: 'message.status_changed',
  description:
    "A message's status changed (applied forward-only by messaging's status consumer). For the gateway's subscriptions and the inbox.",
  payload: z.object({
    messageId: id,
    channel,
    direction: z.enum(['OUTBOUND', 'INBOUND']),
    contactId: id.nullable(),
    conversationId: id.nullable(),
    /** The conversation without the inbox: `<senderId>:<the contact's address>`. */
    conversationKey: z.string().min(1).max(400),
    senderId: id,
    status: messageStatus,
    previousStatus: messageStatus,
    providerMessageId: z.string().min(1).max(256).nullable(),
    errorCode: z.string().max(64).nullable(),
    /** When the status happened at the provider (or here). */
    occurredAt: isoDateTime,
  }),
  key: (p) => p.messageId,
});

export const templateStatusReported = defineEvent({
  type: 'template.status_changed',
  version: 1,
  topic: 'template.status_changed',
  description:
    "A provider reported a template's review status (WhatsApp `message_template_status_update`, received by messaging's webhook). The template subgraph applies it to the template of that name and language in the organization.",
  payload: z.object({
    provider: z.enum(['META_WHATSAPP']),
    /** WhatsApp Business Account id the template belongs to. */
    businessAccountId: z.string().min(1).max(64),
    /** The provider's template id. */
    providerTemplateId: z.string().min(1).max(64),
    name: z.string().min(1).max(512),
    language: z.string().min(1).max(15),
    /** The provider's event as sent (`APPROVED`, `REJECTED`, `FLAGGED`, `PENDING_DELETION` …). */
    event: z.string().min(1).max(64),
    /** The event as a template status, when it is one. */
    status: z.enum(['PENDING', 'APPROVED', 'REJECTED', 'PAUSED', 'DISABLED']).nullable(),
    /** The provider's reason (`INVALID_FORMAT` …), when it gives one. */
    reason: z.string().max(1000).nullable(),
    reportedAt: isoDateTime,
  }),
  key: (p) => p.providerTemplateId,
});

export const messageDeadLettered = defineEvent({
  type: 'message.dead_lettered',
  version: 1,
  topic: 'message.dead_lettered',
  description: 'A message request gave up after its last attempt (or failed permanently); the message is FAILED.',
  payload: z.object({
    messageId: id,
    channel,
    conversationId: id.nullable(),
    /** The id of the message.requested.* event that failed. */
    requestEventId: id,
    attempts: z.number().int().min(1),
    errorCode: z.string().max(64).nullable(),
    /** Why, without personal data. */
    reason: z.string().min(1).max(1000),
    lastAttemptAt: isoDateTime,
  }),
  key: (p) => p.messageId,
});

export const messageEvents = [
  emailRequested,
  smsRequested,
  whatsappRequested,
  messageStatusChanged,
  messageReceived,
  messageDeadLettered,
  messageStatusApplied,
  templateStatusReported,
] as const;

/** The request definition of each channel. */
export const MESSAGE_REQUESTED_BY_CHANNEL = {
  EMAIL: emailRequested,
  SMS: smsRequested,
  WHATSAPP: whatsappRequested,
} as const;
