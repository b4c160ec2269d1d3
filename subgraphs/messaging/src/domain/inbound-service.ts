import { randomUUID } from 'node:crypto';
import type { Logger } from '@switchboard/config';
import type { Message } from '@switchboard/db';
import { isUniqueViolation, type MessagingStore } from '../store';
import { maskAddress } from './addresses';
import { parseConsentKeyword } from './consent-keywords';
import { messageReceivedEvent, templateStatusReportedEvent } from './events';
import { consentOf } from './projection-rules';
import type { Channel, SenderRecord } from './types';

export interface InboundMedia {
  mediaType: 'image' | 'document' | 'audio' | 'video' | 'sticker' | 'other';
  url: string;
  mimeType: string | null;
  caption: string | null;
}

/** An inbound message as a provider webhook reports it (signature already checked). */
export interface InboundReport {
  /** Our sender that received it (its organization owns the message). */
  sender: SenderRecord;
  channel: Channel;
  /** The contact's address: E.164 or email. */
  from: string;
  providerMessageId: string;
  text: string | null;
  media: InboundMedia[];
  inReplyToProviderMessageId: string | null;
  /** When the provider received it (clamped to now). */
  receivedAt: Date;
  traceId: string | null;
}

export type InboundOutcome = { kind: 'STORED'; message: Message } | { kind: 'DUPLICATE'; message: Message | null };

/**
 * Inbound messages: stored once per provider message id (webhooks are retried), published as
 * `message.received` through the outbox with the contact (null when no contact has the address:
 * the contact subgraph creates it from the event). A consent keyword (STOP / START …) is applied
 * to messaging's own projection at once — the very next send is refused — and carried on the
 * event as `consentChange` for the contact subgraph to record.
 */
export class InboundService {
  constructor(
    private readonly store: MessagingStore,
    private readonly log: Logger,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async receive(report: InboundReport): Promise<InboundOutcome> {
    const { sender, channel } = report;
    const organizationId = sender.organizationId;
    const now = this.now();
    const receivedAt = report.receivedAt.getTime() > now.getTime() ? now : report.receivedAt;
    const keyword = parseConsentKeyword(report.text);
    try {
      return await this.store.transaction(async (tx) => {
        const existing = await tx.messages.findByProviderId(sender.id, 'INBOUND', report.providerMessageId);
        if (existing) return { kind: 'DUPLICATE', message: existing } as const;

        const contact = await tx.projections.findContactByAddress(organizationId, channel, report.from);
        if (keyword) {
          if (contact) {
            const locked = await tx.projections.lockContact(contact.id);
            const current = locked ? consentOf(locked, channel) : null;
            if (!current?.at || current.at.getTime() <= receivedAt.getTime()) {
              await tx.projections.setContactConsent(contact.id, channel, keyword.status, receivedAt);
            }
          }
          await tx.projections.recordAddressConsent({
            organizationId,
            channel,
            address: report.from,
            status: keyword.status,
            keyword: keyword.keyword,
            at: receivedAt,
          });
        }

        const message = await tx.messages.create({
          id: randomUUID(),
          organizationId,
          direction: 'INBOUND',
          channel,
          senderId: sender.id,
          contactId: contact?.id ?? null,
          fromAddress: report.from,
          toAddress: sender.address,
          counterpartAddress: report.from,
          subject: null,
          body: report.text,
          templateId: null,
          templateVersionId: null,
          variables: null,
          status: 'DELIVERED',
          providerMessageId: report.providerMessageId,
          campaignId: null,
          conversationId: null,
          idempotencyKey: null,
          idempotencyFingerprint: null,
          createdAt: receivedAt,
          firstStatus: { status: 'DELIVERED', at: receivedAt, source: 'WEBHOOK', providerCode: null, eventId: null },
        });
        await tx.appendOutbox([
          messageReceivedEvent(
            { organizationId, traceId: report.traceId },
            {
              messageId: message.id,
              channel,
              senderId: sender.id,
              from: report.from,
              to: sender.address,
              providerMessageId: report.providerMessageId,
              conversationId: null,
              contactId: contact?.id ?? null,
              subject: null,
              text: report.text,
              media: report.media,
              inReplyToProviderMessageId: report.inReplyToProviderMessageId,
              receivedAt: receivedAt.toISOString(),
              consentChange: keyword ? { channel, status: keyword.status, keyword: keyword.keyword } : null,
            },
          ),
        ]);
        this.log.info(
          { messageId: message.id, channel, from: maskAddress(report.from), contactKnown: contact !== null, keyword: keyword?.keyword ?? null },
          'inbound message stored',
        );
        return { kind: 'STORED', message } as const;
      });
    } catch (error) {
      // The same webhook delivered twice at once: the other request stored it.
      if (isUniqueViolation(error)) return { kind: 'DUPLICATE', message: null };
      throw error;
    }
  }

  /**
   * A template review result from WhatsApp (`message_template_status_update`): published as
   * `template.status_changed` to every organization with a live sender on that WhatsApp Business
   * Account; the template subgraph applies it by name and language. Returns how many were written.
   */
  async reportTemplateStatus(report: {
    businessAccountId: string;
    providerTemplateId: string;
    name: string;
    language: string;
    event: string;
    reason: string | null;
    reportedAt: Date;
    traceId: string | null;
  }): Promise<number> {
    const senders = await this.store.senders.findLiveByBusinessAccount(report.businessAccountId);
    const organizations = [...new Set(senders.map((s) => s.organizationId))];
    if (organizations.length === 0) return 0;
    const status = (['PENDING', 'APPROVED', 'REJECTED', 'PAUSED', 'DISABLED'] as const).find((s) => s === report.event) ?? null;
    await this.store.transaction(async (tx) => {
      await tx.appendOutbox(
        organizations.map((organizationId) =>
          templateStatusReportedEvent(
            { organizationId, traceId: report.traceId },
            {
              provider: 'META_WHATSAPP',
              businessAccountId: report.businessAccountId,
              providerTemplateId: report.providerTemplateId,
              name: report.name,
              language: report.language,
              event: report.event,
              status,
              reason: report.reason,
              reportedAt: report.reportedAt.toISOString(),
            },
          ),
        ),
      );
    });
    return organizations.length;
  }
}
