import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { Harness, pause, smsRequest, waitFor } from './helpers';

const MESSAGES = 30;
let h: Harness;

beforeAll(async () => {
  h = await Harness.start();
});
afterAll(async () => {
  await h.close();
});

/** Starts the SMS worker in a child process and resolves once it consumes. */
async function forkWorker(): Promise<ChildProcess> {
  const { twilio } = h.accounts();
  const child = fork(join(__dirname, 'fixtures', 'delivery-worker.js'), [JSON.stringify({ brokers: h.broker.brokers, redisPrefix: h.redisPrefix, twilio })], {
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
  });
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('"ready":true')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`worker exited with ${code} before it was ready`)));
  });
  return child;
}

async function kill(child: ChildProcess): Promise<void> {
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
}

const sends = () => h.standIns.twilio.requests().filter((r) => r.path.endsWith('/Messages.json') && r.status === 201);

describe('crash safety', () => {
  it('a request redelivered after its worker died mid-attempt goes on counting: the second provider call is attempt 2', async () => {
    const request = smsRequest();
    const { messageId, recipient } = request.payload;
    // The first provider call takes 3 s: the worker is killed while it is in flight.
    const slow = h.standIns.twilio.behaviour.add({ recipient, delayMs: 3_000, times: 1 });
    const child = await forkWorker();
    try {
      await h.publish(request);
      await h.outcomes.status(messageId, 'SENDING');
      // The rule is used up when the request arrives.
      await waitFor(() => !h.standIns.twilio.behaviour.list().some((rule) => rule.id === slow.id), 'the first provider call in flight');
    } finally {
      await kill(child);
    }

    const workers = await h.startWorkers({ sessionTimeoutMs: 2_000 }, ['sms']);
    try {
      const sent = await h.outcomes.status(messageId, 'SENT', 30_000);
      // A new worker used to start again at attempt 1 (messaging keeps the highest number reported).
      const sending = h.outcomes.statusesOf(messageId).filter((e) => e.payload.status === 'SENDING');
      expect(sending.map((e) => e.payload.attempt)).toEqual([1, 2]);
      expect(sent.payload.attempt).toBe(2);
    } finally {
      await workers.stop();
      h.workers.splice(h.workers.indexOf(workers), 1);
    }
  }, 60_000);

  it('a worker killed mid-batch, twice, loses nothing and never sends a recorded message again', async () => {
    // Each send takes ≥ 40 ms at the stand-in, so the kills land with a send in flight.
    h.standIns.twilio.behaviour.add({ delayMs: 40 });
    const requests = Array.from({ length: MESSAGES }, () => smsRequest());
    const recipients = new Map(requests.map((r) => [r.payload.recipient, r.payload.messageId]));
    // This test's sends only (the stand-in also logged the other tests').
    const ownSends = () => sends().filter((send) => recipients.has(send.recipient!));
    await h.publish(...requests);

    let kills = 0;
    for (const killAfter of [8, 18]) {
      const child = await forkWorker();
      await waitFor(() => ownSends().length >= killAfter, `${killAfter} sends`, 30_000);
      await pause(Math.floor(Math.random() * 40)); // anywhere in the next send
      await kill(child);
      kills += 1;
    }
    const sendsBeforeRestart = ownSends().length;
    expect(sendsBeforeRestart).toBeLessThan(MESSAGES);

    await h.startWorkers({ sessionTimeoutMs: 2_000 }, ['sms']);
    await waitFor(
      () => requests.every((r) => h.outcomes.statusesOf(r.payload.messageId).some((e) => e.payload.status === 'SENT')),
      'a SENT status for every message',
      60_000,
    );

    // None lost: every message SENT, none FAILED.
    const outcomes = requests.map((r) => h.outcomes.statusesOf(r.payload.messageId));
    expect(outcomes.every((statuses) => statuses.every((e) => e.payload.status !== 'FAILED'))).toBe(true);

    // One outcome each: every SENT event of a message names the same provider message, and it is
    // the one the provider last accepted for that message.
    const requestsByMessage = new Map<string, string[]>();
    const lastRequestAt = new Map<string, number>();
    for (const send of ownSends()) {
      const messageId = recipients.get(send.recipient!)!;
      requestsByMessage.set(messageId, [...(requestsByMessage.get(messageId) ?? []), send.resourceId!]);
      lastRequestAt.set(messageId, Math.max(lastRequestAt.get(messageId) ?? 0, Date.parse(send.at)));
    }
    for (const request of requests) {
      const providerIds = new Set(
        h.outcomes.statusesOf(request.payload.messageId).filter((e) => e.payload.status === 'SENT').map((e) => e.payload.providerMessageId),
      );
      expect([...providerIds]).toEqual([requestsByMessage.get(request.payload.messageId)!.at(-1)]);
    }

    // Never sent again once recorded: no provider request after the time of the SENT outcome.
    for (const request of requests) {
      const sent = h.outcomes.statusesOf(request.payload.messageId).find((e) => e.payload.status === 'SENT')!;
      expect(lastRequestAt.get(request.payload.messageId)).toBeLessThanOrEqual(Date.parse(sent.payload.occurredAt));
    }

    // Sent again only where a kill fell between the provider's answer and the record: at most one
    // extra provider request per kill (the worker handles one partition's messages one at a time).
    const sentTwice = [...requestsByMessage.values()].filter((ids) => ids.length > 1).length;
    expect(requestsByMessage.size).toBe(MESSAGES);
    expect(ownSends().length - MESSAGES).toBeLessThanOrEqual(kills);
    process.stderr.write(`crash safety: ${MESSAGES} messages, ${kills} kills, ${sendsBeforeRestart} sends before the restart, ${sentTwice} sent twice\n`);
  }, 120_000);
});
