import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { registerUser, startTestSystem, type SeededUser, type TestSystem } from '@switchboard/testkit';
import { pause, phoneNumber, send, smsSender, waitFor } from './support/messaging';

/**
 * Crash safety of the send path: the SMS worker runs in a child process, which is killed with
 * SIGKILL twice while sends are in flight. After a last worker takes over, every message sent
 * through the API ends in exactly one terminal status (DELIVERED), none is lost, and a message is
 * sent to the provider twice at most when a kill fell between the provider's answer and the
 * worker recording it (at most one per partition in flight per kill).
 */
const MESSAGES = 30;
const CONCURRENCY = 2;
let system: TestSystem;
let owner: SeededUser;
const children = new Set<ChildProcess>();

beforeAll(async () => {
  system = await startTestSystem({
    env: { SERVICES: 'gateway,user,team,contact,template,campaign,inbox,messaging,outbox-relay,consumers' },
  });
  owner = await registerUser(system);
});

afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  await system?.close();
});

async function startWorker(): Promise<ChildProcess> {
  const twilio = system.providers.twilio!;
  const settings = {
    brokers: system.kafka.brokers,
    redisUrl: system.config.redisUrl,
    redisKeyPrefix: system.redisKeyPrefix,
    databaseUrl: system.config.databaseUrl,
    senderCredentialsKey: system.secrets.senderCredentialsKey,
    twilio: { accountSid: twilio.accountSid, authToken: twilio.authToken, apiBaseUrl: twilio.apiUrl, statusCallbackUrl: twilio.statusCallbackUrl },
  };
  const child = fork(join(__dirname, 'fixtures', 'channel-worker.js'), [JSON.stringify(settings)], { stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
  children.add(child);
  child.once('exit', () => children.delete(child));
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('"ready":true')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`the worker exited with ${code} before it was ready`)));
  });
  return child;
}

async function kill(child: ChildProcess): Promise<void> {
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
}

const accepted = () => system.standIns.twilio.requests().filter((r) => r.path.endsWith('/Messages.json') && r.status === 201);

it('a worker killed mid-batch, twice, loses no message and each ends in exactly one terminal status', async () => {
  const sender = await smsSender(system, owner, 1000);
  // Each send takes ≥ 40 ms at the stand-in, so the kills land with sends in flight.
  system.standIns.twilio.behaviour.add({ delayMs: 40 });
  const recipients = Array.from({ length: MESSAGES }, () => phoneNumber());
  const messages = await Promise.all(recipients.map((to, i) => send(system, owner, { channel: 'SMS', senderId: sender.id, to, body: `Crash drill ${i}` })));

  let kills = 0;
  for (const killAfter of [8, 18]) {
    const child = await startWorker();
    await waitFor(() => accepted().length >= killAfter, `${killAfter} provider sends`, 30_000, 5);
    await pause(Math.floor(Math.random() * 40)); // anywhere in the next send
    await kill(child);
    kills += 1;
  }
  expect(accepted().length).toBeLessThan(MESSAGES);

  await startWorker();
  const ids = new Set(messages.map((m: { id: string }) => m.id));
  const final = await waitFor(
    async () => {
      const result = await system.graphql(
        '{ messages(filter: { channel: SMS, direction: OUTBOUND }, first: 100) { edges { node { id status to providerMessageId statusHistory { status } } } } }',
        undefined,
        { token: owner.accessToken },
      );
      const nodes = result.data.messages.edges.map((edge: { node: unknown }) => edge.node) as {
        id: string;
        status: string;
        to: string;
        providerMessageId: string;
        statusHistory: { status: string }[];
      }[];
      const ours = nodes.filter((node) => ids.has(node.id));
      return ours.length === MESSAGES && ours.every((node) => node.status === 'DELIVERED') ? ours : undefined;
    },
    'every message DELIVERED',
    40_000,
    250,
  );

  const terminal = new Set(['DELIVERED', 'FAILED', 'UNDELIVERED', 'READ']);
  for (const message of final) {
    expect(message.statusHistory.filter((entry) => terminal.has(entry.status)).map((entry) => entry.status)).toEqual(['DELIVERED']);
    // The recorded provider message is one the provider accepted for this recipient.
    const sends = accepted().filter((r) => r.recipient === message.to);
    expect(sends.map((r) => r.resourceId)).toContain(message.providerMessageId);
  }
  // At-least-once only in the window between the provider's answer and the record: one message per partition in flight per kill.
  const duplicates = accepted().length - MESSAGES;
  expect(duplicates).toBeGreaterThanOrEqual(0);
  expect(duplicates).toBeLessThanOrEqual(kills * CONCURRENCY);
});
