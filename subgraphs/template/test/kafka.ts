/** The real Kafka protocol for the consumer and relay tests: the embedded broker and kafkajs clients. */
import { randomUUID } from 'node:crypto';
import { createLogger } from '@switchboard/config';
import { createEvent, encodeEvent, templateStatusReported, type PayloadOf, type SwitchboardEvent } from '@switchboard/events';
import { connectProducer, createKafka, sendEvents, type Kafka, type Producer } from '@switchboard/kafka';
import { silentLogger, startBroker, type BrokerHandle } from '@switchboard/kafka-broker';
import type { KafkaMessage } from 'kafkajs';

export const log = createLogger('template-kafka-test', process.env.TEST_LOG_LEVEL ?? 'silent');

export function startTestBroker(): Promise<BrokerHandle> {
  return startBroker({ port: 0, logger: silentLogger });
}

export function kafkaFor(broker: BrokerHandle): Kafka {
  return createKafka({ brokers: [broker.brokers], clientId: 'template-test', log, logLevel: 'nothing', retry: { initialRetryTime: 50, retries: 5 } });
}

export async function producerFor(kafka: Kafka): Promise<Producer> {
  return (await connectProducer(kafka, { log })).producer;
}

export async function publish(producer: Producer, ...events: SwitchboardEvent[]): Promise<void> {
  await sendEvents(producer, events.map(encodeEvent));
}

type StatusPayload = PayloadOf<typeof templateStatusReported>;

/** A `template.status_changed` event as messaging writes it from WhatsApp's webhook. */
export function statusReport(
  organizationId: string,
  payload: Pick<StatusPayload, 'name' | 'status'> & Partial<StatusPayload>,
  meta: { id?: string; traceId?: string } = {},
) {
  return createEvent(
    templateStatusReported,
    {
      provider: 'META_WHATSAPP',
      businessAccountId: '102290129340398',
      providerTemplateId: String(Math.floor(Math.random() * 1e15)),
      language: 'en_US',
      event: payload.status ?? 'FLAGGED',
      reason: null,
      reportedAt: new Date().toISOString(),
      ...payload,
    },
    { organizationId, id: meta.id ?? randomUUID(), traceId: meta.traceId ?? null },
  ) as Extract<SwitchboardEvent, { type: 'template.status_changed' }>;
}

/** Every message of some topics from the beginning, with a throwaway group (a plain kafkajs consumer). */
export async function collect(kafka: Kafka, topics: string[]): Promise<{ messages: (KafkaMessage & { topic: string; partition: number })[]; stop(): Promise<void> }> {
  const consumer = kafka.consumer({ groupId: `observer-${randomUUID()}`, maxWaitTimeInMs: 100 });
  const messages: (KafkaMessage & { topic: string; partition: number })[] = [];
  await consumer.connect();
  for (const topic of topics) await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ topic, partition, message }) => {
      messages.push({ ...message, topic, partition });
    },
  });
  return { messages, stop: () => consumer.disconnect() };
}

export async function waitFor<T>(check: () => Promise<T | null | undefined | false> | T | null | undefined | false, what: string, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== null && value !== undefined && value !== false) return value as T;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
