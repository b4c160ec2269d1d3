import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { registerUser, startTestSystem, type SeededUser, type TestSystem } from '@switchboard/testkit';
import { STATUS_SUBSCRIPTION, historyOf, pause, phoneNumber, send, smsSender, subscribe, waitForStatus, type Subscriber } from './support/messaging';

/**
 * Kafka going away does not lose messages: while the broker is down, sendMessage still answers
 * (the message and its outbox row are one database transaction); when the broker comes back on the
 * same port and data directory, the outbox relay publishes what piled up, the workers deliver it,
 * and a subscriber connected all along sees the changes.
 */
let system: TestSystem;
let owner: SeededUser;
let dataDir: string;
const subscribers: Subscriber[] = [];

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'sb-e2e-kafka-'));
  system = await startTestSystem({ env: { KAFKA_DATA_DIR: dataDir } });
  owner = await registerUser(system);
});

afterAll(async () => {
  await Promise.all(subscribers.splice(0).map((s) => s.dispose()));
  await system?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

it('mutations succeed while the broker is down, and everything is delivered once it is back', async () => {
  const sender = await smsSender(system, owner);
  const warmUp = await send(system, owner, { channel: 'SMS', senderId: sender.id, to: phoneNumber(), body: 'Before the outage' });
  await waitForStatus(system, owner, warmUp.id, 'DELIVERED');
  const watcher = await subscribe(system, owner.accessToken, STATUS_SUBSCRIPTION);
  subscribers.push(watcher);

  await system.kafka.stopBroker();
  const during = [];
  for (let i = 0; i < 5; i++) {
    during.push(await send(system, owner, { channel: 'SMS', senderId: sender.id, to: phoneNumber(), body: `During the outage ${i}` }));
  }
  expect(during.map((m) => m.status)).toEqual(Array(5).fill('QUEUED'));
  await pause(2_000);
  const stillQueued = await Promise.all(during.map((m) => system.graphql('query($id: ID!) { message(id: $id) { status } }', { id: m.id }, { token: owner.accessToken })));
  expect(stillQueued.map((r) => r.data.message.status)).toEqual(Array(5).fill('QUEUED'));

  await system.kafka.startBroker();
  for (const message of during) {
    const delivered = await waitForStatus(system, owner, message.id, 'DELIVERED', 40_000);
    expect(historyOf(delivered)).toEqual(['QUEUED', 'SENDING', 'SENT', 'DELIVERED']);
  }
  // The subscription kept working across the outage.
  for (const message of during) {
    await watcher.waitFor((value) => value.data?.messageStatusChanged?.messageId === message.id && value.data.messageStatusChanged.status === 'DELIVERED', 20_000);
  }
}, 60_000);
