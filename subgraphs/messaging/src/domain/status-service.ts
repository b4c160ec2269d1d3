import type { Logger } from '@switchboard/config';
import type { Message } from '@switchboard/db';
import type { MessagingStore, MessageUpdate, NewStatusEntry } from '../store';
import { maskAddress } from './addresses';
import { messageStatusChangedEvent } from './events';
import { isTerminal, planTransition, progressOrder, type IgnoredBecause } from './status-machine';
import { conversationKey, type MessageStatus, type SenderRecord } from './types';

/** A status reported for a message: by its channel worker (message.status events) or a provider webhook. */
export interface StatusReport {
  /** The envelope's organization; the message must belong to it (null: not checked). */
  organizationId: string | null;
  messageId: string;
  status: MessageStatus;
  /** When it happened at the provider (or the worker). */
  at: Date;
  source: 'WORKER' | 'WEBHOOK' | 'SYSTEM';
  providerMessageId: string | null;
  errorCode: string | null;
  errorReason: string | null;
  /** The event that carried the report (a redelivered event is applied once); null for webhooks. */
  eventId: string | null;
  traceId: string | null;
  /** Delivery attempts so far, when the reporter counts them (dead-lettered requests). */
  attempts?: number;
}

export type StatusOutcome =
  | { kind: 'APPLIED'; previous: MessageStatus; status: MessageStatus }
  | { kind: 'IGNORED'; because: IgnoredBecause | 'EVENT_ALREADY_APPLIED' }
  | { kind: 'UNKNOWN_MESSAGE' };

/** A provider callback about one of its message ids. */
export interface ProviderStatusReport {
  sender: SenderRecord;
  providerMessageId: string;
  /** Our message id when the callback carries it (a signed StatusCallback URL); checked against the sender. */
  messageIdHint: string | null;
  status: MessageStatus;
  at: Date;
  errorCode: string | null;
  errorReason: string | null;
  traceId: string | null;
}

export type ProviderReportOutcome = StatusOutcome | { kind: 'PENDING' };

/**
 * Applies status reports through the forward-only state machine (status-machine.ts), one message
 * at a time (row lock): appends the status history, records the provider id, errors and attempts,
 * and writes `message.status_changed` to the outbox in the same transaction for every change. The
 * status consumer (message.status events) and the provider webhooks both come through here, so
 * duplicates and out-of-order reports are harmless whichever path they take.
 */
export class StatusService {
  constructor(
    private readonly store: MessagingStore,
    private readonly log: Logger,
  ) {}

  apply(report: StatusReport): Promise<StatusOutcome> {
    return this.store.transaction((tx) => this.applyIn(tx, report, true));
  }

  /**
   * A provider callback: applied to the message with that provider id, or kept until the worker's
   * report of the id is applied (the callback can overtake it), then applied from there.
   */
  reportFromProvider(report: ProviderStatusReport): Promise<ProviderReportOutcome> {
    const { sender, providerMessageId } = report;
    return this.store.transaction(async (tx) => {
      await tx.messages.lockProviderMessage(sender.id, providerMessageId);
      let message: Message | null = null;
      if (report.messageIdHint) {
        const hinted = await tx.messages.findById(sender.organizationId, report.messageIdHint);
        if (hinted?.senderId === sender.id && hinted.direction === 'OUTBOUND') message = hinted;
      }
      message ??= await tx.messages.findByProviderId(sender.id, 'OUTBOUND', providerMessageId);
      if (!message) {
        await tx.pendingStatuses.add({
          organizationId: sender.organizationId,
          senderId: sender.id,
          providerMessageId,
          status: report.status,
          at: report.at,
          errorCode: report.errorCode,
          errorReason: report.errorReason,
        });
        this.log.debug({ senderId: sender.id, status: report.status }, 'provider status for a message id not known yet; kept');
        return { kind: 'PENDING' } as const;
      }
      return this.applyIn(
        tx,
        {
          organizationId: sender.organizationId,
          messageId: message.id,
          status: report.status,
          at: report.at,
          source: 'WEBHOOK',
          providerMessageId,
          errorCode: report.errorCode,
          errorReason: report.errorReason,
          eventId: null,
          traceId: report.traceId,
        },
        true,
      );
    });
  }

  private async applyIn(tx: MessagingStore, report: StatusReport, drainPending: boolean): Promise<StatusOutcome> {
    if (report.providerMessageId) {
      // Same lock order as reportFromProvider (provider id, then message row): no deadlock.
      const peek = await tx.messages.findAnyById(report.messageId);
      if (peek && !peek.providerMessageId) await tx.messages.lockProviderMessage(peek.senderId, report.providerMessageId);
    }
    const message = await tx.messages.lock(report.messageId);
    if (!message || (report.organizationId !== null && message.organizationId !== report.organizationId)) {
      return { kind: 'UNKNOWN_MESSAGE' };
    }
    if (report.eventId && (await tx.messages.hasStatusEvent(report.eventId))) {
      return { kind: 'IGNORED', because: 'EVENT_ALREADY_APPLIED' };
    }

    const update: MessageUpdate = {};
    let recordedProviderId: string | null = null;
    if (report.providerMessageId && !message.providerMessageId) {
      const holder = await tx.messages.findByProviderId(message.senderId, message.direction, report.providerMessageId);
      if (holder && holder.id !== message.id) {
        this.log.warn({ messageId: message.id, otherMessageId: holder.id }, 'provider message id already belongs to another message; not recorded');
      } else {
        update.providerMessageId = report.providerMessageId;
        recordedProviderId = report.providerMessageId;
      }
    }
    let attempts = message.attempts;
    if (report.source === 'WORKER' && report.status === 'SENDING') attempts += 1;
    if (report.attempts !== undefined) attempts = Math.max(attempts, report.attempts);
    if (attempts !== message.attempts) update.attempts = attempts;

    const plan = planTransition(message.status, report.status);
    let outcome: StatusOutcome;
    if (plan.kind === 'apply') {
      const final = plan.steps[plan.steps.length - 1]!.status;
      update.status = final;
      if (isTerminal(final)) {
        update.errorCode = report.errorCode;
        update.errorReason = report.errorReason;
      }
      const entries: NewStatusEntry[] = plan.steps.map((step) => ({
        status: step.status,
        at: report.at,
        source: step.implied ? 'SYSTEM' : report.source,
        providerCode: step.implied ? null : report.errorCode,
        eventId: step.implied ? null : report.eventId,
      }));
      await tx.messages.appendStatuses(message.id, entries);
      outcome = { kind: 'APPLIED', previous: message.status, status: final };
    } else {
      outcome = { kind: 'IGNORED', because: plan.because };
    }

    const updated = Object.keys(update).length > 0 ? await tx.messages.update(message.id, update) : message;
    if (outcome.kind === 'APPLIED') {
      await tx.appendOutbox([
        messageStatusChangedEvent(
          { organizationId: message.organizationId, traceId: report.traceId },
          {
            messageId: message.id,
            channel: message.channel,
            direction: message.direction,
            contactId: message.contactId,
            conversationId: message.conversationId,
            conversationKey: conversationKey(message.senderId, message.counterpartAddress),
            senderId: message.senderId,
            status: outcome.status,
            previousStatus: outcome.previous,
            providerMessageId: updated.providerMessageId,
            errorCode: updated.errorCode,
            occurredAt: report.at.toISOString(),
          },
        ),
      ]);
    }
    this.log.debug(
      { messageId: message.id, reported: report.status, source: report.source, outcome: outcome.kind, to: maskAddress(message.toAddress) },
      'status report',
    );

    if (recordedProviderId && drainPending) {
      const waiting = await tx.pendingStatuses.take(message.senderId, recordedProviderId);
      waiting.sort((a, b) => progressOrder(a.status, b.status) || a.at.getTime() - b.at.getTime());
      for (const pending of waiting) {
        await this.applyIn(
          tx,
          {
            organizationId: message.organizationId,
            messageId: message.id,
            status: pending.status,
            at: pending.at,
            source: 'WEBHOOK',
            providerMessageId: recordedProviderId,
            errorCode: pending.errorCode,
            errorReason: pending.errorReason,
            eventId: null,
            traceId: report.traceId,
          },
          false,
        );
      }
    }
    return outcome;
  }
}
