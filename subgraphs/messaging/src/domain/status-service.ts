import type { Logger } from '@switchboard/config';
import { EVENT_ID_CONSTRAINT, PROVIDER_ID_CONSTRAINT, isUniqueViolation, type MessageStatusState, type MessagingStore, type StatusWrite } from '../store';
import { Coalescer } from './coalescer';
import { messageStatusChangedEvent } from './events';
import { isTerminal, planTransition, progressOrder, type IgnoredBecause } from './status-machine';
import { isUuid } from './ids';
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
  /** Delivery attempts so far, when the reporter counts them (a worker's status, a dead-lettered request). */
  attempts?: number;
  /** The sender the message must be from (a provider callback naming our message id): else UNKNOWN_MESSAGE. */
  senderId?: string;
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

/** Rounds of re-reading after a concurrent write moved a message on (each round, someone wins). */
const MAX_ROUNDS = 20;

/** The plan for one message of a batch: what to write, and the outcome of each of its reports. */
interface MessagePlan {
  write: StatusWrite | null;
  outcomes: Map<number, StatusOutcome>;
  /** The provider id this write records for the first time (callbacks kept for it are applied next). */
  recordsProviderId: string | null;
}

/**
 * Applies status reports through the forward-only state machine (status-machine.ts): appends the
 * status history, records the provider id, errors and attempts, and writes `message.status_changed`
 * to the outbox in the same statement for every change. The status consumer (message.status
 * events, a batch at a time) and the provider webhooks both come through here, so duplicates and
 * out-of-order reports are harmless whichever path they take.
 *
 * Concurrency is optimistic (store/status-store.ts): read the messages, plan in memory, write
 * the ones still at the revision read, and plan the rest again from what the winner wrote. Two
 * statements per batch when nothing races, where a row lock per report took six to twelve.
 */
export class StatusService {
  /** Single reports (webhook callbacks) arriving together are applied together. */
  private readonly coalescer = new Coalescer<StatusReport, StatusOutcome>((reports) => this.applyAll(reports));

  constructor(
    private readonly store: MessagingStore,
    private readonly log: Logger,
  ) {}

  /** Applies one report; concurrent calls share a batch (one read and one write for all). */
  apply(report: StatusReport): Promise<StatusOutcome> {
    return this.coalescer.submit(report);
  }

  /**
   * Applies reports in the order given, together with any others submitted meanwhile (other
   * partitions' batches, webhook callbacks): a consumer handling several partitions at once
   * writes them in one statement instead of one per partition's few events.
   */
  applyShared(reports: readonly StatusReport[]): Promise<StatusOutcome[]> {
    return Promise.all(reports.map((report) => this.coalescer.submit(report)));
  }

  /**
   * Applies reports in the order given (reports of one message fold into one write); returns one
   * outcome per report, in the same order.
   */
  async applyAll(reports: readonly StatusReport[]): Promise<StatusOutcome[]> {
    const outcomes: (StatusOutcome | undefined)[] = new Array(reports.length);
    let todo = reports.map((_, index) => index).filter((index) => {
      if (isUuid(reports[index]!.messageId)) return true;
      outcomes[index] = { kind: 'UNKNOWN_MESSAGE' };
      return false;
    });
    /** Messages whose reported provider id another message holds: applied without recording it. */
    const keepProviderId = new Set<string>();
    const recorded: { senderId: string; providerMessageId: string; organizationId: string; messageId: string }[] = [];
    for (let round = 1; todo.length > 0; round += 1) {
      if (round > MAX_ROUNDS) throw new Error(`status reports for ${todo.length} messages kept conflicting with concurrent writes`);
      const byMessage = new Map<string, number[]>();
      for (const index of todo) {
        const id = reports[index]!.messageId;
        const list = byMessage.get(id);
        if (list) list.push(index);
        else byMessage.set(id, [index]);
      }
      const eventIds = todo.map((index) => reports[index]!.eventId).filter((id): id is string => isUuid(id));
      const states = await this.store.statuses.load([...byMessage.keys()], eventIds);

      const plans = new Map<string, MessagePlan>();
      for (const [messageId, indexes] of byMessage) {
        plans.set(messageId, this.plan(states.get(messageId) ?? null, indexes, reports, keepProviderId.has(messageId)));
      }
      const written = await this.write(
        [...plans.values()].flatMap((plan) => (plan.write ? [plan.write] : [])),
        keepProviderId,
      );
      const again: number[] = [];
      for (const [messageId, plan] of plans) {
        if (plan.write && !written.has(messageId)) {
          again.push(...byMessage.get(messageId)!);
          continue;
        }
        for (const [index, outcome] of plan.outcomes) outcomes[index] = outcome;
        if (plan.write && plan.recordsProviderId) {
          const state = states.get(messageId)!;
          recorded.push({ senderId: state.senderId, providerMessageId: plan.recordsProviderId, organizationId: state.organizationId, messageId });
        }
      }
      todo = again;
    }
    if (recorded.length > 0) await this.applyKeptCallbacks(recorded);
    return outcomes as StatusOutcome[];
  }

  /**
   * A provider callback: applied to the message with that provider id, or kept until the worker's
   * report of the id is applied (the callback can overtake it), then applied from there.
   */
  async reportFromProvider(report: ProviderStatusReport): Promise<ProviderReportOutcome> {
    const { sender, providerMessageId } = report;
    const toMessage = (messageId: string): StatusReport => ({
      organizationId: sender.organizationId,
      senderId: sender.id,
      messageId,
      status: report.status,
      at: report.at,
      source: 'WEBHOOK',
      providerMessageId,
      errorCode: report.errorCode,
      errorReason: report.errorReason,
      eventId: null,
      traceId: report.traceId,
    });
    if (report.messageIdHint) {
      const outcome = await this.apply(toMessage(report.messageIdHint));
      if (outcome.kind !== 'UNKNOWN_MESSAGE') return outcome;
    }
    const known = await this.store.statuses.findOutboundByProviderId(sender.id, providerMessageId);
    if (known) return this.apply(toMessage(known));

    // Not known yet: keep the callback, then look again. The worker's report records the id and
    // then takes what was kept, so one side always finds it (applyKeptCallbacks).
    await this.store.statuses.addPending({
      organizationId: sender.organizationId,
      senderId: sender.id,
      providerMessageId,
      status: report.status,
      at: report.at,
      errorCode: report.errorCode,
      errorReason: report.errorReason,
    });
    const arrived = await this.store.statuses.findOutboundByProviderId(sender.id, providerMessageId);
    if (arrived) {
      await this.applyKeptCallbacks([{ senderId: sender.id, providerMessageId, organizationId: sender.organizationId, messageId: arrived }]);
    } else {
      this.log.debug({ senderId: sender.id, status: report.status }, 'provider status for a message id not known yet; kept');
    }
    return { kind: 'PENDING' };
  }

  /** Applies the callbacks kept for provider ids just recorded, in the order statuses happen. */
  private async applyKeptCallbacks(
    recorded: readonly { senderId: string; providerMessageId: string; organizationId: string; messageId: string }[],
  ): Promise<void> {
    const kept = await this.store.statuses.takePending(recorded);
    if (kept.length === 0) return;
    const messageOf = new Map(recorded.map((r) => [`${r.senderId}:${r.providerMessageId}`, r]));
    const reports: StatusReport[] = [];
    for (const entry of kept) {
      const target = messageOf.get(`${entry.senderId}:${entry.providerMessageId}`);
      if (!target) continue;
      reports.push({
        organizationId: target.organizationId,
        senderId: target.senderId,
        messageId: target.messageId,
        status: entry.status,
        at: entry.at,
        source: 'WEBHOOK',
        providerMessageId: entry.providerMessageId,
        errorCode: entry.errorCode,
        errorReason: entry.errorReason,
        eventId: null,
        traceId: null,
      });
    }
    reports.sort((a, b) => a.messageId.localeCompare(b.messageId) || progressOrder(a.status, b.status) || a.at.getTime() - b.at.getTime());
    await this.applyAll(reports);
  }

  /** Writes the plans; when a unique index refuses a batch, one at a time to find which. */
  private async write(writes: StatusWrite[], keepProviderId: Set<string>): Promise<Set<string>> {
    try {
      return await this.store.statuses.write(writes);
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      if (writes.length > 1) {
        const written = new Set<string>();
        for (const write of writes) for (const id of await this.write([write], keepProviderId)) written.add(id);
        return written;
      }
      const write = writes[0]!;
      if (error.fields.includes(PROVIDER_ID_CONSTRAINT)) {
        this.log.warn({ messageId: write.messageId }, 'provider message id already belongs to another message; not recorded');
        keepProviderId.add(write.messageId);
      } else if (!error.fields.includes(EVENT_ID_CONSTRAINT)) {
        throw error;
      }
      // Planned again: the event applied meanwhile shows as applied, the provider id is left out.
      return new Set();
    }
  }

  /** Folds one message's reports, in order, into one write (null: nothing changes). */
  private plan(state: MessageStatusState | null, indexes: number[], reports: readonly StatusReport[], keepProviderId: boolean): MessagePlan {
    const outcomes = new Map<number, StatusOutcome>();
    if (!state) {
      for (const index of indexes) outcomes.set(index, { kind: 'UNKNOWN_MESSAGE' });
      return { write: null, outcomes, recordsProviderId: null };
    }
    const applied = new Set(state.appliedEventIds);
    let { status, providerMessageId, errorCode, errorReason, attempts } = state;
    const history: StatusWrite['history'] = [];
    const events: StatusWrite['events'] = [];
    let recordsProviderId: string | null = null;
    for (const index of indexes) {
      const report = reports[index]!;
      if (
        (report.organizationId !== null && report.organizationId !== state.organizationId) ||
        (report.senderId !== undefined && (report.senderId !== state.senderId || state.direction !== 'OUTBOUND'))
      ) {
        outcomes.set(index, { kind: 'UNKNOWN_MESSAGE' });
        continue;
      }
      if (report.eventId && applied.has(report.eventId)) {
        outcomes.set(index, { kind: 'IGNORED', because: 'EVENT_ALREADY_APPLIED' });
        continue;
      }
      if (report.providerMessageId && !providerMessageId && !keepProviderId) {
        providerMessageId = report.providerMessageId;
        recordsProviderId = providerMessageId;
      }
      // A worker's report names its attempt: the highest one counts, so a SENDING redelivered or
      // arriving after the message moved on (not in the history, so not seen as applied) counts
      // once. An older worker's SENDING without a number counts one attempt per event.
      if (report.attempts !== undefined) attempts = Math.max(attempts, report.attempts);
      else if (report.source === 'WORKER' && report.status === 'SENDING') attempts += 1;

      const transition = planTransition(status, report.status);
      if (transition.kind === 'ignore') {
        outcomes.set(index, { kind: 'IGNORED', because: transition.because });
        continue;
      }
      const previous = status;
      status = transition.steps[transition.steps.length - 1]!.status;
      if (isTerminal(status)) {
        errorCode = report.errorCode;
        errorReason = report.errorReason;
      }
      for (const step of transition.steps) {
        history.push({
          status: step.status,
          at: report.at,
          source: step.implied ? 'SYSTEM' : report.source,
          providerCode: step.implied ? null : report.errorCode,
          eventId: step.implied ? null : report.eventId,
        });
      }
      if (report.eventId) applied.add(report.eventId);
      events.push(
        messageStatusChangedEvent(
          { organizationId: state.organizationId, traceId: report.traceId },
          {
            messageId: state.id,
            channel: state.channel,
            direction: state.direction,
            contactId: state.contactId,
            conversationId: state.conversationId,
            conversationKey: conversationKey(state.senderId, state.counterpartAddress),
            senderId: state.senderId,
            status,
            previousStatus: previous,
            providerMessageId,
            errorCode,
            occurredAt: report.at.toISOString(),
          },
        ),
      );
      outcomes.set(index, { kind: 'APPLIED', previous, status });
    }
    const changed = history.length > 0 || providerMessageId !== state.providerMessageId || attempts !== state.attempts;
    if (!changed) return { write: null, outcomes, recordsProviderId: null };
    this.log.debug({ messageId: state.id, status, reports: indexes.length }, 'status reports applied');
    return {
      write: {
        messageId: state.id,
        revision: state.revision,
        historyStart: state.historyLength,
        status,
        providerMessageId,
        errorCode,
        errorReason,
        attempts,
        history,
        events,
      },
      outcomes,
      recordsProviderId,
    };
  }
}
