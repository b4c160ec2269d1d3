import type { Logger } from '@switchboard/config';
import type { EncodedEvent } from '@switchboard/events';
import { Partitioners, type Kafka, type Producer, type RecordMetadata, type RetryOptions } from 'kafkajs';

export interface CreateProducerOptions {
  log?: Logger;
  /**
   * Ask for an idempotent producer (default true): the broker drops batches a retry sent twice.
   * When the broker does not support it (no InitProducerId), `connectProducer` falls back to a
   * plain producer; either way every send waits for all in-sync replicas (acks -1).
   */
  idempotent?: boolean;
  /**
   * Retries inside one `send` (default 5, backing off from 100 ms to 3 s). Bounded on purpose:
   * callers that must not lose anything (the outbox relay) retry whole sends themselves, and a
   * send that never returns would hold their database transaction.
   */
  retry?: RetryOptions;
}

/**
 * A producer with the project's settings: Java-compatible (murmur2) partitioner, so keys land
 * where other Kafka clients put them; one request in flight per broker, so retries never
 * reorder a partition; idempotent unless told otherwise.
 */
export function createProducer(kafka: Kafka, options: CreateProducerOptions = {}): Producer {
  return kafka.producer({
    createPartitioner: Partitioners.DefaultPartitioner,
    idempotent: options.idempotent ?? true,
    maxInFlightRequests: 1,
    allowAutoTopicCreation: true,
    retry: options.retry ?? { retries: 5, initialRetryTime: 100, maxRetryTime: 3_000 },
  });
}

export interface ConnectedProducer {
  producer: Producer;
  /** Whether the broker accepted the idempotent producer. */
  idempotent: boolean;
}

function isUnsupported(error: unknown): boolean {
  const e = error as { name?: string; type?: string; message?: string };
  return (
    e?.name === 'KafkaJSNotImplemented' ||
    e?.type === 'UNSUPPORTED_VERSION' ||
    e?.type === 'CLUSTER_AUTHORIZATION_FAILED' ||
    /not (implemented|supported)/iu.test(e?.message ?? '')
  );
}

/**
 * Creates and connects a producer: idempotent when the broker supports it (InitProducerId), a
 * plain acks=-1 producer otherwise. Connection errors (broker down) are thrown to the caller.
 */
export async function connectProducer(kafka: Kafka, options: CreateProducerOptions = {}): Promise<ConnectedProducer> {
  const wantIdempotent = options.idempotent ?? true;
  const producer = createProducer(kafka, { ...options, idempotent: wantIdempotent });
  try {
    await producer.connect();
    return { producer, idempotent: wantIdempotent };
  } catch (error) {
    if (!wantIdempotent || !isUnsupported(error)) throw error;
    await producer.disconnect().catch(() => {});
    options.log?.warn({ err: (error as Error).message }, 'broker refuses idempotent producers; using acks=-1 without idempotence');
    const plain = createProducer(kafka, { ...options, idempotent: false });
    await plain.connect();
    return { producer: plain, idempotent: false };
  }
}

/**
 * Publishes encoded events in one request per broker and waits for every ack (acks -1). Events
 * of the same topic keep their relative order, so one key's events stay in order.
 */
export async function sendEvents(producer: Producer, events: EncodedEvent[], timeoutMs = 30_000): Promise<RecordMetadata[]> {
  if (events.length === 0) return [];
  const byTopic = new Map<string, EncodedEvent[]>();
  for (const event of events) {
    const list = byTopic.get(event.topic) ?? [];
    list.push(event);
    byTopic.set(event.topic, list);
  }
  return producer.sendBatch({
    acks: -1,
    timeout: timeoutMs,
    topicMessages: [...byTopic].map(([topic, list]) => ({
      topic,
      messages: list.map((event) => ({ key: event.key, value: event.value, headers: event.headers })),
    })),
  });
}

/**
 * `sendEvents` with group commit: calls made while a send is in flight wait and go together in the
 * next request (their order kept), so concurrent handlers (a worker on several partitions) share
 * produce requests instead of making one each. Resolves each call once its events are acked; a
 * failed request fails every call in it (each retries as it would have alone).
 */
export function createBatchingSender(producer: Producer, timeoutMs = 30_000): (events: EncodedEvent[]) => Promise<void> {
  let waiting: { events: EncodedEvent[]; resolve: () => void; reject: (error: unknown) => void }[] = [];
  let sending = false;
  const drain = async () => {
    sending = true;
    try {
      while (waiting.length > 0) {
        const batch = waiting;
        waiting = [];
        try {
          await sendEvents(producer, batch.flatMap((call) => call.events), timeoutMs);
          for (const call of batch) call.resolve();
        } catch (error) {
          for (const call of batch) call.reject(error);
        }
      }
    } finally {
      sending = false;
    }
  };
  return (events) => {
    if (events.length === 0) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      waiting.push({ events, resolve, reject });
      if (!sending) void drain();
    });
  };
}
