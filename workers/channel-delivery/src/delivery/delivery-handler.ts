// One request, from the consumer's hand-off to the published outcome: the orchestration of a
// delivery. Decisions come from the processor, side effects of the outcome from the writer.
import type { Logger } from '@switchboard/config';
import type { Channel, SwitchboardEvent } from '@switchboard/events';
import { backoffMs, type MessageMeta } from '@switchboard/kafka';
import { isProviderError, ProviderError } from '../providers/provider';
import type { ProviderRegistry } from '../providers/registry';
import { SenderUnavailable, type ResolvedSender, type SenderDirectory } from '../senders/sender-directory';
import type { ChannelSpec, PreparedSend, RequestEvent } from './channels';
import type { DeliveryRecords } from './delivery-records';
import { afterFailure, planRequest, sendingEvent, type DeliveryOutcome, type RequestRef, type RetryPolicy } from './processor';
import type { RateLimiter } from './rate-limiter';
import { pause, type WaitContext } from './waits';
import type { DeliveryWriter } from './writer';

export interface DeliveryDeps {
  senders: SenderDirectory;
  providers: ProviderRegistry;
  limiter: RateLimiter;
  records: DeliveryRecords;
  writer: DeliveryWriter;
  retry: RetryPolicy;
  /** Publish `message.status` SENDING before each provider call. */
  publishSending: boolean;
  /** Aborted when the worker stops: waits end, the request stays uncommitted. */
  signal: AbortSignal;
  heartbeatIntervalMs: number;
  log: Logger;
}

export type DeliveryHandler = (event: SwitchboardEvent, meta: MessageMeta) => Promise<void>;

function refOf(channel: Channel, event: RequestEvent): RequestRef {
  return {
    eventId: event.id,
    organizationId: event.organizationId,
    traceId: event.traceId,
    channel,
    messageId: event.payload.messageId,
    conversationId: event.payload.conversationId,
  };
}

/**
 * The handler `runConsumer` calls for each `message.requested.<channel>` event. It resolves only
 * once the outcome (SENT, or FAILED plus dead letter) is recorded and published; it throws for
 * infrastructure failures (Redis, Kafka, the sender store) so the transport retries it without
 * committing, and when the worker stops mid-wait.
 */
export function createDeliveryHandler(spec: ChannelSpec, deps: DeliveryDeps): DeliveryHandler {
  const log = deps.log.child({ component: 'delivery', channel: spec.channel });

  /**
   * Attempts until the provider accepts, a permanent error, or the request's last attempt.
   * `firstAttempt` is the number the message's attempts go on from (delivery-records.ts); the
   * retry policy counts this request's provider calls.
   */
  async function attemptDelivery(event: RequestEvent, request: RequestRef, ctx: WaitContext, firstAttempt: number): Promise<DeliveryOutcome> {
    const failed = (errorCode: string, reason: string, attempts: number): DeliveryOutcome => ({
      status: 'FAILED',
      requestEventId: request.eventId,
      errorCode,
      reason,
      attempts,
      at: new Date().toISOString(),
    });
    const fields = { messageId: request.messageId, senderId: event.payload.senderId, requestEventId: request.eventId };

    let sender: ResolvedSender;
    let provider: PreparedSend;
    try {
      sender = await deps.senders.resolve(spec.channel, event.payload.senderId, event.organizationId);
      provider = spec.prepare(event, sender, deps.providers);
    } catch (error) {
      if (error instanceof SenderUnavailable || (isProviderError(error) && error.kind === 'PERMANENT')) {
        const { code, reason } = error as SenderUnavailable | ProviderError;
        log.warn({ ...fields, errorCode: code }, 'sender cannot send; the message fails');
        return failed(code, reason, firstAttempt);
      }
      throw error;
    }

    let attempt = firstAttempt;
    for (let call = 1; ; call++) {
      // SENDING goes out while the attempt proceeds (its acknowledgement is not on the way to the
      // provider) and is acked before the attempt's outcome is published, so it stays first. It
      // only informs: a failure to publish it is logged, never a reason to hold a send back.
      const sending = deps.publishSending
        ? deps.writer.publish([sendingEvent(request, attempt, new Date().toISOString())]).catch((error: unknown) => {
            log.warn({ ...fields, attempt, err: (error as Error).message }, 'could not publish SENDING; the attempt goes on');
          })
        : undefined;
      let waitedMs: number;
      try {
        waitedMs = await deps.limiter.acquire(sender.senderId, sender.rateLimitPerSecond, ctx);
      } catch (error) {
        // The provider was not called: the redelivered request makes this attempt again.
        await Promise.all([sending, deps.records.undoAttempt(request.messageId).catch(() => {})]);
        throw error;
      }
      try {
        const accepted = await provider.send();
        await sending;
        log.info(
          { ...fields, vendor: provider.vendor, attempt, providerMessageId: accepted.providerMessageId, providerStatus: accepted.providerStatus, waitedMs },
          'provider accepted the message',
        );
        return {
          status: 'SENT',
          requestEventId: request.eventId,
          providerMessageId: accepted.providerMessageId,
          attempts: attempt,
          at: new Date().toISOString(),
        };
      } catch (error) {
        const failure = isProviderError(error)
          ? error
          : new ProviderError('TRANSIENT', 'UNEXPECTED', 'unexpected error from the provider implementation');
        await sending;
        const step = afterFailure(failure, call, deps.retry);
        const failureFields = { ...fields, vendor: provider.vendor, attempt, kind: failure.kind, errorCode: failure.code, reason: failure.reason };
        if (step.kind === 'give-up') {
          log.warn(failureFields, 'provider did not accept the message; it fails');
          return failed(step.errorCode, step.reason, attempt);
        }
        log.info({ ...failureFields, retryInMs: step.delayMs }, 'provider did not accept the message; retrying');
        await pause(step.delayMs, ctx);
        attempt = await deps.records.nextAttempt(request.messageId);
      }
    }
  }

  return async (event, meta) => {
    if (event.type !== spec.requestType) {
      log.warn({ type: event.type, topic: meta.topic, offset: meta.offset }, 'not a request of this channel; skipping it');
      return;
    }
    const request = event as RequestEvent;
    const ref = refOf(spec.channel, request);
    const begun = await deps.records.begin(ref.messageId);
    const plan = planRequest(ref, begun.outcome);
    if (plan.kind === 'republish') {
      // Sent (or failed) already, before a crash or rebalance: announce it again, never send again.
      await deps.writer.complete(ref, plan.outcome);
      log.info({ messageId: ref.messageId, status: plan.outcome.status }, 'outcome already recorded; re-published it');
      return;
    }
    const ctx: WaitContext = { signal: deps.signal, heartbeat: meta.heartbeat, heartbeatIntervalMs: deps.heartbeatIntervalMs };
    const outcome = await attemptDelivery(request, ref, ctx, begun.attempt);
    await complete(ref, outcome, ctx);
  };

  /**
   * Records and publishes the outcome, retrying here rather than failing the handler: once the
   * provider accepted, a redelivery without the record would send again. Only shutdown ends the
   * retries (a rebalance does not: the outcome is worth more than the partition).
   */
  async function complete(ref: RequestRef, outcome: DeliveryOutcome, ctx: WaitContext): Promise<void> {
    const keepGoing: WaitContext = { ...ctx, heartbeat: () => ctx.heartbeat().catch(() => {}) };
    for (let attempt = 1; ; attempt++) {
      try {
        await deps.writer.complete(ref, outcome);
        return;
      } catch (error) {
        log.warn({ messageId: ref.messageId, status: outcome.status, attempt, err: (error as Error).message }, 'recording the outcome failed; retrying');
        await pause(backoffMs(attempt, 200, 5_000), keepGoing);
      }
    }
  }
}
