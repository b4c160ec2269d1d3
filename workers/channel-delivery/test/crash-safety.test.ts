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
  it('a worker killed mid-batch, twice, loses nothing and never sends a recorded message again', async () => {
    // Each send takes ≥ 40 ms at the stand-in, so the kills land with a send in flight.
    h.standIns.twilio.behaviour.add({ delayMs: 40 });
    const requests = Array.from({ length: MESSAGES }, () => smsRequest());
    const recipients = new Map(requests.map((r) => [r.payload.recipient, r.payload.messageId]));
    await h.publish(...requests);

    let kills = 0;
    const announcedBeforeAKill = new Set<string>();
    for (const killAfter of [8, 18]) {
      const child = await forkWorker();
      await waitFor(() => sends().length >= killAfter, `${killAfter} sends`, 30_000);
      await pause(Math.floor(Math.random() * 40)); // anywhere in the next send
      await kill(child);
      kills += 1;
      // What the killed worker announced as SENT it had recorded first.
      await pause(300);
      for (const event of h.outcomes.statuses) if (event.payload.status === 'SENT') announcedBeforeAKill.add(event.payload.messageId);
    }
    const sendsBeforeRestart = sends().length;
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
    for (const send of sends()) {
      const messageId = recipients.get(send.recipient!)!;
      requestsByMessage.set(messageId, [...(requestsByMessage.get(messageId) ?? []), send.resourceId!]);
    }
    for (const request of requests) {
      const providerIds = new Set(
        h.outcomes.statusesOf(request.payload.messageId).filter((e) => e.payload.status === 'SENT').map((e) => e.payload.providerMessageId),
      );
      expect([...providerIds]).toEqual([requestsByMessage.get(request.payload.messageId)!.at(-1)]);
    }

    // A message announced SENT before a kill was never sent again.
    expect(announcedBeforeAKill.size).toBeGreaterThan(0);
    for (const messageId of announcedBeforeAKill) expect(requestsByMessage.get(messageId)).toHaveLength(1);

    // Sent twice only where a kill fell between the provider's answer and the record (at most one
    // message per kill: the worker handles one partition's messages one at a time).
    const sentTwice = [...requestsByMessage.values()].filter((ids) => ids.length > 1).length;
    expect(requestsByMessage.size).toBe(MESSAGES);
    expect(sentTwice).toBeLessThanOrEqual(kills);
    expect(sends().length).toBe(MESSAGES + sentTwice);
    process.stderr.write(`crash safety: ${MESSAGES} messages, ${kills} kills, ${sendsBeforeRestart} sends before the restart, ${sentTwice} sent twice\n`);
  }, 120_000);
});
