import { randomUUID } from 'node:crypto';
import { decodeEvent, encodeEvent, type SwitchboardEvent } from '@switchboard/events';
import { ProviderError } from '../providers/provider';
import { afterFailure, outcomeEvents, planRequest, sendingEvent, type DeliveryOutcome, type RequestRef } from './processor';

const request: RequestRef = {
  eventId: randomUUID(),
  organizationId: randomUUID(),
  traceId: 'trace-1',
  channel: 'SMS',
  messageId: randomUUID(),
  conversationId: null,
};
const policy = { maxAttempts: 5, baseMs: 200, capMs: 30_000 };
const at = '2026-11-21T20:00:00.000Z';
const sent: DeliveryOutcome = { status: 'SENT', requestEventId: request.eventId, providerMessageId: 'SM1', attempts: 2, at };
const failed: DeliveryOutcome = { status: 'FAILED', requestEventId: request.eventId, errorCode: '21610', reason: 'unsubscribed', attempts: 1, at };

/** What a consumer reads back: the events survive the catalog's encoding. */
const roundTrip = (event: SwitchboardEvent | ReturnType<typeof outcomeEvents>[number]) => decodeEvent(encodeEvent(event as SwitchboardEvent).value);

describe('planRequest', () => {
  it('sends what was never recorded', () => {
    expect(planRequest(request, null)).toEqual({ kind: 'send' });
  });

  it('never sends a message the provider accepted, whichever request asks again', () => {
    expect(planRequest(request, sent)).toEqual({ kind: 'republish', outcome: sent });
    expect(planRequest({ ...request, eventId: randomUUID() }, sent)).toEqual({ kind: 'republish', outcome: sent });
  });

  it('re-publishes a failure for the same request, but tries a new request for the message again', () => {
    expect(planRequest(request, failed)).toEqual({ kind: 'republish', outcome: failed });
    expect(planRequest({ ...request, eventId: randomUUID() }, failed)).toEqual({ kind: 'send' });
  });
});

describe('afterFailure', () => {
  const fixed = (attempt: number, base: number, cap: number) => Math.min(cap, base * 2 ** (attempt - 1));

  it('gives up at once on a permanent error, with the provider code and reason', () => {
    expect(afterFailure(new ProviderError('PERMANENT', '21211', 'invalid To'), 1, policy, fixed)).toEqual({
      kind: 'give-up',
      errorCode: '21211',
      reason: 'invalid To',
    });
  });

  it('retries transient and rate-limit errors with growing delays until the last attempt', () => {
    const transient = new ProviderError('TRANSIENT', '20500', 'server error');
    expect([1, 2, 3, 4].map((attempt) => afterFailure(transient, attempt, policy, fixed))).toEqual([
      { kind: 'retry', delayMs: 200 },
      { kind: 'retry', delayMs: 400 },
      { kind: 'retry', delayMs: 800 },
      { kind: 'retry', delayMs: 1600 },
    ]);
    expect(afterFailure(transient, 5, policy, fixed)).toEqual({ kind: 'give-up', errorCode: '20500', reason: 'gave up after 5 attempts: server error' });
  });

  it("waits at least the provider's Retry-After, never more than the cap", () => {
    expect(afterFailure(new ProviderError('RATE_LIMITED', '130429', 'slow down', 5_000), 1, policy, fixed)).toEqual({ kind: 'retry', delayMs: 5_000 });
    expect(afterFailure(new ProviderError('RATE_LIMITED', '130429', 'slow down', 90_000), 1, policy, fixed)).toEqual({ kind: 'retry', delayMs: 30_000 });
  });

  it('jitters the default backoff within [delay/2, delay] and caps it', () => {
    const transient = new ProviderError('TRANSIENT', 'TIMEOUT', 'timeout');
    for (let i = 0; i < 50; i++) {
      const step = afterFailure(transient, 3, policy);
      expect(step.kind === 'retry' && step.delayMs >= 400 && step.delayMs <= 800).toBe(true);
      const late = afterFailure(transient, 4, { ...policy, capMs: 500 });
      expect(late.kind === 'retry' && late.delayMs <= 500).toBe(true);
    }
  });
});

describe('outcome events', () => {
  it('announce SENT with the provider id, keyed by message, valid against the catalog', () => {
    const [status, ...rest] = outcomeEvents(request, sent).map(roundTrip);
    expect(rest).toHaveLength(0);
    expect(status).toMatchObject({
      type: 'message.status',
      organizationId: request.organizationId,
      traceId: 'trace-1',
      occurredAt: at,
      payload: { messageId: request.messageId, channel: 'SMS', status: 'SENT', providerMessageId: 'SM1', errorCode: null, source: 'WORKER' },
    });
    expect(encodeEvent(status!).key).toBe(request.messageId);
  });

  it('announce FAILED with code and reason, plus a dead letter for the request', () => {
    const [status, deadLetter] = outcomeEvents(request, failed).map(roundTrip);
    expect(status?.payload).toMatchObject({ status: 'FAILED', providerMessageId: null, errorCode: '21610', errorReason: 'unsubscribed' });
    expect(deadLetter).toMatchObject({
      type: 'message.dead_lettered',
      payload: { messageId: request.messageId, requestEventId: request.eventId, attempts: 1, errorCode: '21610', reason: 'unsubscribed', lastAttemptAt: at },
    });
  });

  it('carry the same ids when published again, so consumers drop the repeat', () => {
    const first = outcomeEvents(request, failed).map((e) => e.id);
    expect(outcomeEvents(request, failed).map((e) => e.id)).toEqual(first);
    expect(new Set([...first, ...outcomeEvents(request, sent).map((e) => e.id), sendingEvent(request, 1, at).id, sendingEvent(request, 2, at).id]).size).toBe(5);
    expect(outcomeEvents({ ...request, eventId: randomUUID() }, failed)[0]!.id).not.toBe(first[0]);
  });

  it('SENDING (one per attempt) is a valid message.status', () => {
    expect(roundTrip(sendingEvent(request, 1, at)).payload).toMatchObject({ status: 'SENDING', providerMessageId: null });
  });
});
