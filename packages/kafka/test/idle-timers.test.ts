import { createHook } from 'node:async_hooks';
import type { BrokerHandle } from '@switchboard/kafka-broker';
import type { Producer } from 'kafkajs';
import { fixRequestQueueTimers, kafkajsRequestQueue, scheduleCheckPendingRequests } from '../src/request-queue-fix';
import { kafkaFor, pause, startTestBroker, uniqueName } from './helpers';

// kafkajs 2.2.4 re-armed a 1 ms timer forever on every connection that had had an answer, so an
// idle process woke about a thousand times a second per connection (src/request-queue-fix.ts).

let broker: BrokerHandle;
beforeAll(async () => {
  broker = await startTestBroker();
});
afterAll(async () => {
  await broker.close();
});

/** Timers created while `during` runs (its own included). */
async function timersCreated(during: () => Promise<void>): Promise<number> {
  let created = 0;
  const hook = createHook({
    init(_id, type) {
      if (type === 'Timeout') created += 1;
    },
  }).enable();
  try {
    await during();
  } finally {
    hook.disable();
  }
  return created;
}

it('an idle admin and producer arm no timers (the loop armed one per connection every millisecond)', async () => {
  const kafka = kafkaFor(broker.brokers);
  const admin = kafka.admin();
  const producer = kafka.producer();
  await Promise.all([admin.connect(), producer.connect()]);
  try {
    const topic = uniqueName('idle');
    await admin.createTopics({ topics: [{ topic }], waitForLeaders: true });
    await producer.send({ topic, messages: [{ value: 'answered' }] });
    await admin.listTopics();

    const created = await timersCreated(() => pause(500));
    // pause's own timer, and room for a stray one; the loop made about 500 per connection here.
    expect(created).toBeLessThanOrEqual(3);
  } finally {
    await Promise.all([admin.disconnect(), producer.disconnect()]);
  }
});

it('still sends requests that had to wait for a free slot on the connection', async () => {
  const kafka = kafkaFor(broker.brokers);
  // One request in flight per connection: the others wait in the queue, sent as answers come back.
  const producer: Producer = kafka.producer({ maxInFlightRequests: 1 });
  await producer.connect();
  try {
    const topic = uniqueName('queued');
    const sends = Array.from({ length: 20 }, (_, i) => producer.send({ topic, acks: -1, messages: [{ value: `m${i}` }] }));
    const results = await Promise.all(sends);
    expect(results.flat().map((r) => r.errorCode)).toEqual(Array.from({ length: 20 }, () => 0));
  } finally {
    await producer.disconnect();
  }
});

it('is in place once the package is loaded, for the kafkajs version this project pins', () => {
  expect(kafkajsRequestQueue().prototype.scheduleCheckPendingRequests).toBe(scheduleCheckPendingRequests);
  expect(fixRequestQueueTimers()).toBe(true);
});
