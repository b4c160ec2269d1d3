import { randomUUID } from 'node:crypto';
import { createLogger } from '@switchboard/config';
import { SAMPLE_PAYLOADS, createEvent, encodeEvent, messageStatusApplied } from '@switchboard/events';
import { connectProducer, createKafka, ensureTopics, startEmbeddedBrokerIfNeeded, type KafkaEndpoint, type Producer } from '@switchboard/kafka';
import { QueueOverflowError } from './bounded-queue';
import { KafkaEventSource } from './kafka-event-source';

const log = createLogger('kafka-event-source-test', 'silent');
const TOPIC = messageStatusApplied.topic;
let broker: KafkaEndpoint;
let producer: Producer;
let source: KafkaEventSource;

function statusEvent(organizationId: string) {
  return encodeEvent(
    createEvent(messageStatusApplied, { ...SAMPLE_PAYLOADS['message.status_changed'], messageId: randomUUID() }, { organizationId }) as never,
  );
}

async function publish(...events: ReturnType<typeof statusEvent>[]): Promise<void> {
  await producer.send({ topic: TOPIC, messages: events.map((e) => ({ key: e.key, value: e.value, headers: e.headers })) });
}

async function take(iterator: AsyncIterableIterator<unknown>, count: number, ms = 5_000): Promise<{ organizationId: string; payload: { messageId: string } }[]> {
  const out: { organizationId: string; payload: { messageId: string } }[] = [];
  const deadline = Date.now() + ms;
  while (out.length < count) {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), deadline - Date.now());
    });
    const next = await Promise.race([iterator.next(), timeout]).finally(() => clearTimeout(timer));
    if (next === 'timeout') throw new Error(`got ${out.length} of ${count} events`);
    if (next.done) break;
    out.push(next.value as never);
  }
  return out;
}

beforeAll(async () => {
  broker = await startEmbeddedBrokerIfNeeded(undefined, undefined, { port: 0 });
  const kafka = createKafka({ brokers: broker.brokers, clientId: 'kafka-event-source-test', log, logLevel: 'nothing' });
  const admin = kafka.admin();
  await admin.connect();
  await ensureTopics(admin, [TOPIC, 'message.received'], 2);
  await admin.disconnect();
  ({ producer } = await connectProducer(kafka, { log }));
  source = new KafkaEventSource({ kafka, topics: [TOPIC, 'message.received'], queueSize: 3, log, maxWaitTimeMs: 100 });
  await source.start();
});

afterAll(async () => {
  await source?.close();
  await producer?.disconnect();
  await broker?.close();
});

it('hands each subscriber only its organization’s events, decoded once per message', async () => {
  const [orgA, orgB] = [randomUUID(), randomUUID()];
  const a = await source.subscribe(TOPIC, { organizationId: orgA });
  const b = await source.subscribe(TOPIC, { organizationId: orgB });
  const before = source.stats();
  await publish(statusEvent(orgA), statusEvent(orgB), statusEvent(orgA));

  const gotA = await take(a, 2);
  const gotB = await take(b, 1);
  expect(gotA.map((e) => e.organizationId)).toEqual([orgA, orgA]);
  expect(gotB.map((e) => e.organizationId)).toEqual([orgB]);
  expect(source.stats().delivered - before.delivered).toBe(3);
  await a.return?.();
  await b.return?.();
  expect(source.listenerCount(TOPIC)).toBe(0);
});

it('fails only the subscriber that falls behind its bounded queue; the others get everything', async () => {
  const org = randomUUID();
  const slow = await source.subscribe(TOPIC, { organizationId: org });
  const fast = await source.subscribe(TOPIC, { organizationId: org });
  const received: unknown[] = [];
  const reading = (async () => {
    for (;;) {
      const next = await fast.next();
      if (next.done) return;
      received.push(next.value);
      if (received.length === 10) return;
    }
  })();
  await publish(...Array.from({ length: 10 }, () => statusEvent(org)));
  await reading;
  expect(received).toHaveLength(10);
  await expect(slow.next()).rejects.toBeInstanceOf(QueueOverflowError);
  await fast.return?.();
});

it('skips what does not decode, and counts it', async () => {
  const org = randomUUID();
  const sub = await source.subscribe(TOPIC, { organizationId: org });
  const unreadable = source.stats().unreadable;
  await producer.send({ topic: TOPIC, messages: [{ key: 'x', value: '{"not":"an event"}' }] });
  await publish(statusEvent(org));
  expect(await take(sub, 1)).toHaveLength(1);
  expect(source.stats().unreadable).toBe(unreadable + 1);
  await sub.return?.();
});

it('refuses topics it does not serve, and counts subscriptions started', async () => {
  await expect(source.subscribe('team.changed')).rejects.toThrow(/does not serve/u);
  const started = source.subscriptionsStarted('message.received');
  const sub = await source.subscribe('message.received', { organizationId: randomUUID() });
  expect(source.subscriptionsStarted('message.received')).toBe(started + 1);
  await sub.return?.();
});
