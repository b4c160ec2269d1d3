import { Harness, smsRequest, waitFor } from './helpers';

let h: Harness;

beforeEach(async () => {
  h = await Harness.start();
});
afterEach(async () => {
  await h.close();
});

const sendsTo = (recipient: string) => h.standIns.twilio.requests().filter((r) => r.path.endsWith('/Messages.json') && r.recipient === recipient);

describe('graceful stop', () => {
  it('commits what was delivered, so a new worker starts after it', async () => {
    const workers = await h.startWorkers({}, ['sms']);
    const requests = [smsRequest(), smsRequest(), smsRequest()];
    await h.publish(...requests);
    for (const request of requests) await h.outcomes.status(request.payload.messageId, 'SENT');

    await workers.stop();
    expect(await h.committedOffset('sms')).toBe(3);

    await h.startWorkers({}, ['sms']);
    const next = smsRequest();
    await h.publish(next);
    await h.outcomes.status(next.payload.messageId, 'SENT');
    expect(requests.map((r) => sendsTo(r.payload.recipient).length)).toEqual([1, 1, 1]);
  });

  it('lets the provider call in flight finish, publishes its outcome and commits it', async () => {
    const workers = await h.startWorkers({}, ['sms']);
    const request = smsRequest();
    h.standIns.twilio.behaviour.add({ recipient: request.payload.recipient, delayMs: 1_000 });
    await h.publish(request);
    await h.outcomes.status(request.payload.messageId, 'SENDING');

    const stopping = Date.now();
    await workers.stop();
    expect(Date.now() - stopping).toBeGreaterThanOrEqual(500); // it waited for the slow provider
    await h.outcomes.status(request.payload.messageId, 'SENT');
    expect(await h.committedOffset('sms')).toBe(1);
  });

  it('ends a backoff wait at once; the request stays uncommitted and the next worker delivers it', async () => {
    const workers = await h.startWorkers({ retry: { maxAttempts: 5, baseMs: 20_000, capMs: 30_000 } }, ['sms']);
    const request = smsRequest();
    h.standIns.twilio.behaviour.add({ recipient: request.payload.recipient, times: 1, fault: { type: 'server-error' } });
    await h.publish(request);
    await waitFor(() => sendsTo(request.payload.recipient).length === 1, 'the first (failing) attempt');

    const stopping = Date.now();
    await workers.stop();
    expect(Date.now() - stopping).toBeLessThan(5_000); // not the 10–20 s backoff
    expect(await h.committedOffset('sms')).toBe(-1);
    expect(h.outcomes.statusesOf(request.payload.messageId).map((e) => e.payload.status)).toEqual(['SENDING']);

    await h.startWorkers({}, ['sms']);
    const sent = await h.outcomes.status(request.payload.messageId, 'SENT');
    expect(sendsTo(request.payload.recipient).map((r) => r.status)).toEqual([500, 201]);
    expect(sent.payload.providerMessageId).toBe(sendsTo(request.payload.recipient)[1]!.resourceId);
    await waitFor(async () => (await h.committedOffset('sms')) === 1, 'the commit');
  });
});
