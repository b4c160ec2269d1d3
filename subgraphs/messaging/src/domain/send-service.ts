import { randomUUID } from 'node:crypto';
import type { Logger } from '@switchboard/config';
import type { Message, MessagingContactProjection, MessagingTemplateProjection } from '@switchboard/db';
import { badUserInput, notFound, userError } from '@switchboard/subgraph-kit';
import { isUniqueViolation, type MessagingStore, type OutboxEvent, type QueuedMessage } from '../store';
import { maskAddress, normalizeRecipient } from './addresses';
import { Coalescer } from './coalescer';
import { requestFingerprint } from './idempotency';
import { emailRequestedEvent, smsRequestedEvent, whatsappRequestedEvent, type EventContext } from './events';
import { isUuid } from './ids';
import { consentOf, effectiveConsent } from './projection-rules';
import { renderTemplate, type DeclaredVariable, type RenderedContent, type TemplateContent } from './template-render';
import { SENDER_KIND_OF_CHANNEL, type Channel, type ConsentStatus, type SenderRecord } from './types';
import { whatsAppWindow } from './whatsapp-window';

export interface SendMessageCommand {
  channel: Channel;
  contactId?: string | null;
  to?: string | null;
  senderId: string;
  body?: string | null;
  subject?: string | null;
  templateId?: string | null;
  variables?: unknown;
  idempotencyKey?: string | null;
}

export interface SendActor {
  organizationId: string;
  userId: string;
  /** The request id, carried as the events' trace id. */
  requestId: string;
}

/** A consent decision (a contact's, or a keyword from an address) and when it was made. */
type ConsentDecision = { status: ConsentStatus; at: Date | null };

const MAX_IDEMPOTENCY_KEY = 200;
const MAX_BODY: Record<Channel, number> = { SMS: 1600, WHATSAPP: 4096, EMAIL: 100_000 };
const MAX_SUBJECT = 998;

const CHANNEL_NAME: Record<Channel, string> = { EMAIL: 'email', SMS: 'SMS', WHATSAPP: 'WhatsApp' };
const KIND_NAME = { SMS_NUMBER: 'an SMS number', WHATSAPP_NUMBER: 'a WhatsApp number', EMAIL_ADDRESS: 'an email address' } as const;

/** What a message will say, once checked and rendered. */
interface Content {
  subject: string | null;
  /** Stored on the message: the text as the recipient reads it. */
  body: string;
  rendered: RenderedContent | null;
  template: MessagingTemplateProjection | null;
  variables: unknown;
}

/**
 * sendMessage: checks everything a user can fix (typed errors), then writes the QUEUED message,
 * its first status entry and its `message.requested.<channel>` outbox event in one statement.
 * Nothing is published from here: the outbox relay does that, so the send survives Kafka being down.
 */
export class SendService {
  /** Messages accepted at the same moment are written together (one statement, one commit). */
  private readonly queue = new Coalescer<QueuedMessage, Message>((entries) => this.store.outbound.queue(entries));

  constructor(
    private readonly store: MessagingStore,
    private readonly log: Logger,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async send(actor: SendActor, command: SendMessageCommand): Promise<Message> {
    const { organizationId } = actor;
    const idempotencyKey = this.idempotencyKeyOf(command.idempotencyKey);
    const fingerprint = idempotencyKey ? requestFingerprint(command) : null;
    if (idempotencyKey) {
      const existing = await this.store.messages.findByIdempotencyKey(organizationId, idempotencyKey);
      if (existing) return this.sameRequest(existing, fingerprint);
    }

    const { sender, address, recipientContact, addressConsent } = await this.recipientOf(organizationId, command);
    this.checkConsent(command, recipientContact, addressConsent);
    const content = await this.contentFor(organizationId, command);
    if (command.channel === 'WHATSAPP' && !content.template) {
      await this.checkWindow(organizationId, sender, address, recipientContact);
    }

    const messageId = randomUUID();
    const acceptedAt = this.now();
    const event = this.requestEvent(
      { organizationId, traceId: actor.requestId },
      { messageId, sender, address, contact: recipientContact, content, channel: command.channel },
    );
    try {
      const message = await this.queue.submit({
        message: {
          id: messageId,
          organizationId,
          direction: 'OUTBOUND',
          channel: command.channel,
          senderId: sender.id,
          contactId: recipientContact?.id ?? null,
          fromAddress: sender.address,
          toAddress: address,
          counterpartAddress: address,
          subject: content.subject,
          body: content.body,
          templateId: content.template?.id ?? null,
          templateVersionId: content.template?.activeVersionId ?? null,
          variables: content.template && content.variables !== undefined ? (content.variables as never) : null,
          status: 'QUEUED',
          providerMessageId: null,
          campaignId: null,
          conversationId: null,
          idempotencyKey,
          idempotencyFingerprint: fingerprint,
          createdAt: acceptedAt,
          firstStatus: { status: 'QUEUED', at: acceptedAt, source: 'API', providerCode: null, eventId: null },
        },
        events: [event],
      });
      this.log.info({ messageId, channel: command.channel, to: maskAddress(address) }, 'message queued');
      return message;
    } catch (error) {
      // A concurrent request with the same idempotency key won the race: answer with its message.
      if (idempotencyKey && isUniqueViolation(error)) {
        const existing = await this.store.messages.findByIdempotencyKey(organizationId, idempotencyKey);
        if (existing) return this.sameRequest(existing, fingerprint);
      }
      throw error;
    }
  }

  /**
   * The message an idempotency key already names, if this request is the one it was first used
   * with (a retry). A key reused for another message is refused: answering with the first message
   * would silently drop the second. Messages from before fingerprints were kept have none and are
   * answered as before.
   */
  private sameRequest(existing: Message, fingerprint: string | null): Message {
    if (existing.idempotencyFingerprint === null || existing.idempotencyFingerprint === fingerprint) return existing;
    throw userError(
      'IDEMPOTENCY_KEY_REUSED',
      `idempotencyKey "${existing.idempotencyKey}" was already used for message ${existing.id}, which was a different request (channel, sender, recipient or content); use a new key for a new message`,
      { field: 'idempotencyKey', messageId: existing.id },
    );
  }

  private idempotencyKeyOf(raw: string | null | undefined): string | null {
    if (raw === null || raw === undefined) return null;
    const key = raw.trim();
    if (key.length === 0 || key.length > MAX_IDEMPOTENCY_KEY) {
      throw badUserInput(`idempotencyKey must be 1 to ${MAX_IDEMPOTENCY_KEY} characters`, 'idempotencyKey');
    }
    return key;
  }

  /**
   * The sender, the recipient's address and contact, and a consent keyword from the address.
   * Sending to an address (the common case) reads all of it in one statement.
   */
  private async recipientOf(
    organizationId: string,
    command: SendMessageCommand,
  ): Promise<{ sender: SenderRecord; address: string; recipientContact: MessagingContactProjection | null; addressConsent: ConsentDecision | null }> {
    const direct = (command.contactId === null || command.contactId === undefined) && command.to !== null && command.to !== undefined;
    const normalized = direct ? normalizeRecipient(command.channel, command.to!) : null;
    if (normalized?.ok && isUuid(command.senderId)) {
      const found = await this.store.sendLookups.byAddress(organizationId, command.senderId, command.channel, normalized.address);
      return {
        sender: this.checkSender(found.sender, command),
        address: normalized.address,
        recipientContact: found.contact,
        addressConsent: found.addressConsent,
      };
    }
    const sender = await this.senderFor(organizationId, command);
    const contact = await this.contactFor(organizationId, command.contactId);
    const address = this.recipientAddress(command, contact);
    const recipientContact = contact ?? (await this.store.projections.findContactByAddress(organizationId, command.channel, address));
    const addressConsent = await this.store.projections.findAddressConsent(organizationId, command.channel, address);
    return { sender, address, recipientContact, addressConsent };
  }

  private async senderFor(organizationId: string, command: SendMessageCommand): Promise<SenderRecord> {
    const sender = isUuid(command.senderId) ? await this.store.senders.findLive(organizationId, command.senderId) : null;
    return this.checkSender(sender, command);
  }

  private checkSender(sender: SenderRecord | null, command: SendMessageCommand): SenderRecord {
    if (!sender) throw notFound('Sender', command.senderId);
    if (sender.kind !== SENDER_KIND_OF_CHANNEL[command.channel]) {
      throw badUserInput(
        `Sender ${sender.id} is ${KIND_NAME[sender.kind]}: it cannot send ${CHANNEL_NAME[command.channel]} messages`,
        'senderId',
      );
    }
    return sender;
  }

  private async contactFor(organizationId: string, contactId: string | null | undefined): Promise<MessagingContactProjection | null> {
    if (contactId === null || contactId === undefined) return null;
    const contact = isUuid(contactId) ? await this.store.projections.findContact(organizationId, contactId) : null;
    if (!contact || contact.deleted) {
      throw userError(
        'NOT_FOUND',
        `Contact ${contactId} not found (messaging learns about contacts from their change events; a contact created a moment ago may not have arrived yet)`,
        { entity: 'Contact' },
      );
    }
    return contact;
  }

  private recipientAddress(command: SendMessageCommand, contact: MessagingContactProjection | null): string {
    const channel = command.channel;
    if (command.to !== null && command.to !== undefined) {
      const result = normalizeRecipient(channel, command.to);
      if (!result.ok) throw userError('INVALID_RECIPIENT', `The recipient ${result.reason} for ${CHANNEL_NAME[channel]}`, { field: 'to' });
      return result.address;
    }
    if (!contact) throw badUserInput('Give the recipient: contactId or to', 'to');
    const raw =
      channel === 'EMAIL' ? contact.email : channel === 'SMS' ? contact.phone : contact.whatsappId ? `+${contact.whatsappId}` : contact.phone;
    if (!raw) {
      const what = channel === 'EMAIL' ? 'an email address' : channel === 'SMS' ? 'a phone number' : 'a WhatsApp number or phone number';
      throw userError('INVALID_RECIPIENT', `Contact ${contact.id} has no ${what} to send ${CHANNEL_NAME[channel]} to`, { field: 'contactId' });
    }
    const result = normalizeRecipient(channel, raw);
    if (!result.ok) {
      throw userError('INVALID_RECIPIENT', `The contact's address ${result.reason} for ${CHANNEL_NAME[channel]}`, { field: 'contactId' });
    }
    return result.address;
  }

  private checkConsent(command: SendMessageCommand, contact: MessagingContactProjection | null, byAddress: ConsentDecision | null): void {
    const { channel } = command;
    const consent = effectiveConsent([contact ? consentOf(contact, channel) : null, byAddress]);
    if (consent === 'OPTED_OUT') {
      // The field the request named the recipient by (a contact found by its address is still `to`).
      throw userError('OPTED_OUT', `The recipient opted out of ${CHANNEL_NAME[channel]} messages`, {
        field: command.contactId ? 'contactId' : 'to',
        channel,
      });
    }
  }

  private async contentFor(organizationId: string, command: SendMessageCommand): Promise<Content> {
    const { channel } = command;
    if (command.subject !== null && command.subject !== undefined && channel !== 'EMAIL') {
      throw badUserInput('subject is only for email', 'subject');
    }
    if (command.templateId !== null && command.templateId !== undefined) {
      if (command.body !== null && command.body !== undefined) throw badUserInput('Give either body or templateId, not both', 'body');
      return this.templateContent(organizationId, channel, command.templateId, command.variables);
    }
    if (command.variables !== null && command.variables !== undefined) {
      throw badUserInput('variables fill a template: give templateId with them, or leave them out', 'variables');
    }
    const body = command.body ?? '';
    if (body.trim() === '') throw badUserInput('Give the message: body or templateId', 'body');
    if (body.length > MAX_BODY[channel]) {
      throw badUserInput(`A ${CHANNEL_NAME[channel]} body is at most ${MAX_BODY[channel]} characters`, 'body');
    }
    let subject: string | null = null;
    if (channel === 'EMAIL') {
      subject = (command.subject ?? '').replace(/[\r\n]+/gu, ' ').trim();
      if (subject === '') throw badUserInput('An email needs a subject', 'subject');
      if (subject.length > MAX_SUBJECT) throw badUserInput(`A subject is at most ${MAX_SUBJECT} characters`, 'subject');
    }
    return { subject, body, rendered: null, template: null, variables: undefined };
  }

  private async templateContent(organizationId: string, channel: Channel, templateId: string, variables: unknown): Promise<Content> {
    const template = isUuid(templateId) ? await this.store.projections.findTemplate(organizationId, templateId) : null;
    if (!template || template.archived) {
      throw userError(
        'NOT_FOUND',
        `Template ${templateId} not found (messaging learns about templates from their change events; a template created a moment ago may not have arrived yet)`,
        { entity: 'Template' },
      );
    }
    if (template.channel !== channel) {
      throw badUserInput(`Template ${template.id} is a ${CHANNEL_NAME[template.channel]} template`, 'templateId');
    }
    // The template subgraph publishes an active (sendable) version only while one is APPROVED for
    // WhatsApp; the latest version may be a newer draft under review while the approved one sends.
    const usable = template.content !== null && template.activeVersionId !== null;
    if (channel === 'WHATSAPP' && !usable) {
      throw userError('TEMPLATE_NOT_APPROVED', `Template ${template.id} is not approved by WhatsApp (status ${template.status})`, {
        field: 'templateId',
        status: template.status,
      });
    }
    if (!usable) throw badUserInput(`Template ${template.id} has no version that can be sent`, 'templateId');

    const result = renderTemplate(
      {
        name: template.name,
        language: template.language,
        content: template.content as unknown as TemplateContent,
        variables: (template.variables ?? []) as unknown as DeclaredVariable[],
      },
      variables,
    );
    if (!result.ok) {
      throw badUserInput(result.message, 'variables', { missing: result.missing, invalid: result.invalid });
    }
    const { rendered } = result;
    const body = rendered.channel === 'EMAIL' ? (rendered.text ?? rendered.html) : rendered.channel === 'SMS' ? rendered.body : rendered.preview;
    if (rendered.channel === 'SMS' && rendered.body.length > MAX_BODY.SMS) {
      throw badUserInput(`The rendered SMS is longer than ${MAX_BODY.SMS} characters`, 'variables');
    }
    return { subject: rendered.channel === 'EMAIL' ? rendered.subject : null, body, rendered, template, variables };
  }

  private async checkWindow(
    organizationId: string,
    sender: SenderRecord,
    address: string,
    contact: MessagingContactProjection | null,
  ): Promise<void> {
    const lastInboundAt = await this.store.messages.lastInboundAt(organizationId, sender.id, address, contact?.id ?? null);
    const window = whatsAppWindow(lastInboundAt, this.now());
    if (!window.open) {
      throw userError(
        'WINDOW_CLOSED',
        lastInboundAt
          ? "More than 24 hours passed since the contact's last message to this number: send an approved template instead"
          : 'The contact never wrote to this number: free-form WhatsApp messages need an open 24-hour window; send an approved template instead',
        { field: 'body', closedAt: window.closedAt?.toISOString() ?? null },
      );
    }
  }

  private requestEvent(
    ctx: EventContext,
    m: { messageId: string; sender: SenderRecord; address: string; contact: MessagingContactProjection | null; content: Content; channel: Channel },
  ): OutboxEvent {
    const base = {
      messageId: m.messageId,
      conversationId: null,
      contactId: m.contact?.id ?? null,
      campaignId: null,
      templateId: m.content.template?.id ?? null,
      templateVersionId: m.content.template?.activeVersionId ?? null,
      senderId: m.sender.id,
    };
    const rendered = m.content.rendered;
    switch (m.channel) {
      case 'EMAIL':
        return emailRequestedEvent(ctx, {
          ...base,
          recipient: m.address,
          recipientName: m.contact?.name ?? null,
          from: { address: m.sender.address, name: m.sender.displayName },
          replyTo: null,
          subject: m.content.subject ?? '',
          html: rendered?.channel === 'EMAIL' ? rendered.html : null,
          text: rendered?.channel === 'EMAIL' ? rendered.text : m.content.body,
        });
      case 'SMS':
        return smsRequestedEvent(ctx, { ...base, recipient: m.address, from: m.sender.address, body: m.content.body });
      case 'WHATSAPP':
        return whatsappRequestedEvent(ctx, {
          ...base,
          recipient: m.address,
          phoneNumberId: m.sender.phoneNumberId ?? m.sender.address,
          content:
            rendered?.channel === 'WHATSAPP'
              ? {
                  kind: 'template',
                  name: rendered.name,
                  language: rendered.language,
                  headerParameters: rendered.headerParameters,
                  bodyParameters: rendered.bodyParameters,
                }
              : { kind: 'text', body: m.content.body, previewUrl: false },
        });
    }
  }
}
