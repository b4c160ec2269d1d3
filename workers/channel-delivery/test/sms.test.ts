import { Harness, smsRequest, waitFor } from './helpers';

let h: Harness;

beforeAll(async () => {
  h = await Harness.start();
  await h.startWorkers({ retry: { maxAttempts: 3, baseMs: 20, capMs: 200 } }, ['sms']);
});
afterAll(async () => {
  await h.close();
});

/** The stand-in's requests to send to one recipient. */
const sendsTo = (recipient: string) => h.standIns.twilio.requests().filter((r) => r.path.endsWith('/Messages.json') && r.recipient === recipient);

describe('SMS worker (Twilio stand-in)', () => {
  it('sends a requested SMS and publishes SENDING, then SENT with the Twilio message sid', async () => {
    const request = smsRequest({ body: 'Your code is 123456' });
    await h.publish(request);

    const sent = await h.outcomes.status(request.payload.messageId, 'SENT');
    const [send] = sendsTo(request.payload.recipient);
    expect(send).toMatchObject({ status: 201, params: { To: request.payload.recipient, From: request.payload.from, Body: 'Your code is 123456' } });
    expect(sent.payload).toMatchObject({ channel: 'SMS', providerMessageId: send!.resourceId, source: 'WORKER', errorCode: null });
    expect(sent.organizationId).toBe(request.organizationId);
    expect(sent.traceId).toBe(request.traceId);
    expect(h.outcomes.statusesOf(request.payload.messageId).map((e) => e.payload.status)).toEqual(['SENDING', 'SENT']);
  });

  it('retries a 5xx and a 429, then delivers (three requests, one SENT)', async () => {
    const request = smsRequest();
    const { recipient } = request.payload;
    h.standIns.twilio.behaviour.add({ recipient, times: 1, fault: { type: 'server-error' } });
    h.standIns.twilio.behaviour.add({ recipient, times: 1, fault: { type: 'rate-limit' } });
    await h.publish(request);

    const sent = await h.outcomes.status(request.payload.messageId, 'SENT');
    expect(sendsTo(recipient).map((r) => r.status)).toEqual([500, 429, 201]);
    expect(sent.payload.providerMessageId).toBe(sendsTo(recipient)[2]!.resourceId);
    expect(h.outcomes.statusesOf(request.payload.messageId).filter((e) => e.payload.status === 'SENT')).toHaveLength(1);
  });

  it('fails a permanently refused SMS at once: FAILED with code and reason, and a dead letter', async () => {
    const request = smsRequest();
    h.standIns.twilio.behaviour.add({ recipient: request.payload.recipient, fault: { type: 'permanent', code: 21610 } });
    await h.publish(request);

    const failed = await h.outcomes.status(request.payload.messageId, 'FAILED');
    expect(failed.payload).toMatchObject({ errorCode: '21610', errorReason: 'Attempt to send to unsubscribed recipient', providerMessageId: null });
    expect(sendsTo(request.payload.recipient)).toHaveLength(1);
    await waitForDeadLetter(request.payload.messageId);
    expect(h.outcomes.deadLettersOf(request.payload.messageId)[0]?.payload).toMatchObject({
      channel: 'SMS',
      requestEventId: request.id,
      attempts: 1,
      errorCode: '21610',
      reason: 'Attempt to send to unsubscribed recipient',
    });
  });

  it('gives up after the last attempt of a transient error: FAILED and a dead letter saying so', async () => {
    const request = smsRequest();
    h.standIns.twilio.behaviour.add({ recipient: request.payload.recipient, fault: { type: 'server-error', status: 503 } });
    await h.publish(request);

    const failed = await h.outcomes.status(request.payload.messageId, 'FAILED');
    expect(sendsTo(request.payload.recipient)).toHaveLength(3);
    expect(failed.payload).toMatchObject({ errorCode: '20503', errorReason: 'gave up after 3 attempts: Service Unavailable' });
    await waitForDeadLetter(request.payload.messageId);
    expect(h.outcomes.deadLettersOf(request.payload.messageId)[0]?.payload).toMatchObject({ attempts: 3, errorCode: '20503' });
  });

  it('does not send again when the same request is delivered again after the send was recorded', async () => {
    const request = smsRequest();
    await h.publish(request);
    const first = await h.outcomes.status(request.payload.messageId, 'SENT');

    await h.publish(request); // the same event: a redelivery after a crash or rebalance
    await waitForCount(() => h.outcomes.statusesOf(request.payload.messageId).filter((e) => e.payload.status === 'SENT').length, 2);

    expect(sendsTo(request.payload.recipient)).toHaveLength(1);
    const sentEvents = h.outcomes.statusesOf(request.payload.messageId).filter((e) => e.payload.status === 'SENT');
    // Re-published as the same event (same id), which consumers already de-duplicate.
    expect(sentEvents.map((e) => e.id)).toEqual([first.id, first.id]);
    expect(sentEvents[1]!.payload.providerMessageId).toBe(first.payload.providerMessageId);
  });
});

async function waitForDeadLetter(messageId: string): Promise<void> {
  await waitForCount(() => h.outcomes.deadLettersOf(messageId).length, 1);
}

async function waitForCount(count: () => number, expected: number): Promise<void> {
  await waitFor(() => count() >= expected, `${expected} events`);
}
