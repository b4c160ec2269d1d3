import { randomUUID } from 'node:crypto';
import { Harness, smsRequest, waitFor } from './helpers';

let h: Harness;

beforeAll(async () => {
  h = await Harness.start();
  await h.startWorkers({ rateLimitPerSecond: { SMS: 5 } }, ['sms']);
});
afterAll(async () => {
  await h.close();
});

/** The most requests that fall in any window [t, t + windowMs) starting at a request. */
function busiestWindow(times: number[], windowMs: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  return Math.max(...sorted.map((start) => sorted.filter((t) => t >= start && t < start + windowMs).length));
}

describe('per-sender rate limit', () => {
  it('20 messages of a sender limited to 5/s take more than 3 s and never exceed 5 in any second at the provider', async () => {
    // One send first, from another sender: the first request of a process opens the connection
    // (tens of ms), which would shift one arrival at the stand-in and has nothing to do with pacing.
    const warmUp = smsRequest();
    await h.publish(warmUp);
    await h.outcomes.status(warmUp.payload.messageId, 'SENT');

    const senderId = randomUUID();
    const requests = Array.from({ length: 20 }, () => smsRequest({ senderId }));
    const started = Date.now();
    await h.publish(...requests);
    await waitFor(
      () => requests.every((r) => h.outcomes.statusesOf(r.payload.messageId).some((e) => e.payload.status === 'SENT')),
      'all 20 SENT',
      30_000,
    );
    const elapsed = Date.now() - started;

    const ours = new Set(requests.map((r) => r.payload.recipient));
    const times = h.standIns.twilio
      .requests()
      .filter((r) => r.recipient !== undefined && ours.has(r.recipient))
      .map((r) => Date.parse(r.at));
    expect(times).toHaveLength(20);
    const span = Math.max(...times) - Math.min(...times);
    const busiest = busiestWindow(times, 1_000);
    const sorted = [...times].sort((a, b) => a - b);
    const tightestSix = Math.min(...sorted.slice(5).map((t, i) => t - sorted[i]!));
    process.stderr.write(
      `rate limit 5/s: 20 sends over ${span} ms (${elapsed} ms end to end); busiest 1 s window ${busiest}; 6 consecutive sends never closer than ${tightestSix} ms\n`,
    );
    expect(span).toBeGreaterThanOrEqual(3_000);
    expect(busiest).toBeLessThanOrEqual(5);
  }, 40_000);
});
