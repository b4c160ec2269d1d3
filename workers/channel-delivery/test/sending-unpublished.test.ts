import { Writable } from 'node:stream';
import { createLogger } from '@switchboard/config';
import { messageDeadLettered, messageStatusChanged, smsRequested } from '@switchboard/events';
import { Harness, OutcomeCollector, smsRequest, waitFor } from './helpers';

// SENDING only informs: when it cannot be published, the attempt goes on, the provider is called
// once, and SENT is published once Kafka takes it again. The broker here creates no topics on
// demand, so deleting `message.status` makes every publish to it fail until it is created again.
const STATUS_TOPIC = messageStatusChanged.topic;

/** The worker's log lines, parsed. */
const lines: Record<string, unknown>[] = [];
const logStream = new Writable({
  write(chunk: Buffer, _encoding, done) {
    for (const line of chunk.toString('utf8').split('\n')) if (line.trim() !== '') lines.push(JSON.parse(line) as Record<string, unknown>);
    done();
  },
});

let h: Harness;

beforeAll(async () => {
  h = await Harness.start({}, { topics: [smsRequested.topic, STATUS_TOPIC, messageDeadLettered.topic] });
  await h.startWorkers({ retry: { maxAttempts: 3, baseMs: 20, capMs: 200 } }, ['sms'], { log: createLogger('channel-delivery-test', 'info', logStream) });
});
afterAll(async () => {
  await h.close();
});

async function withAdmin<T>(work: (admin: ReturnType<Harness['kafka']['admin']>) => Promise<T>): Promise<T> {
  const admin = h.kafka.admin();
  await admin.connect();
  try {
    return await work(admin);
  } finally {
    await admin.disconnect();
  }
}

it('goes on when SENDING cannot be published: one provider call, then SENT once Kafka takes it', async () => {
  await h.outcomes.stop();
  await withAdmin((admin) => admin.deleteTopics({ topics: [STATUS_TOPIC] }));

  const request = smsRequest();
  const { messageId, recipient } = request.payload;
  await h.publish(request);

  // The provider is called while SENDING is still being tried…
  await waitFor(() => h.standIns.twilio.requests().some((r) => r.recipient === recipient), 'the provider call');
  // …and the worker gives SENDING up, with a warning, instead of holding the send back.
  const warning = () => lines.find((line) => line.msg === 'could not publish SENDING; the attempt goes on' && line.messageId === messageId);
  await waitFor(() => warning() !== undefined, 'the warning about SENDING', 20_000);
  expect(warning()).toMatchObject({ level: 40, attempt: 1 });

  // Kafka takes `message.status` again: SENT goes out (the outcome's publish retries until then).
  await withAdmin((admin) => admin.createTopics({ waitForLeaders: true, topics: [{ topic: STATUS_TOPIC }] }));
  const outcomes = await OutcomeCollector.start(h.kafka);
  try {
    const sent = await outcomes.status(messageId, 'SENT', 20_000);
    const sends = h.standIns.twilio.requests().filter((r) => r.recipient === recipient);
    expect(sends.map((r) => r.status)).toEqual([201]);
    expect(sent.payload).toMatchObject({ providerMessageId: sends[0]!.resourceId, attempt: 1, errorCode: null });
    expect(outcomes.statusesOf(messageId).map((e) => e.payload.status)).toEqual(['SENT']);
    expect(outcomes.deadLettersOf(messageId)).toEqual([]);
  } finally {
    await outcomes.stop();
  }
}, 60_000);
