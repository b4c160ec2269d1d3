import type { Logger } from '@switchboard/config';
import type { PrismaClient } from '@switchboard/db';
import { createRedisDedupeStore, runConsumer, type ConsumerHandle, type DedupeStore, type Kafka } from '@switchboard/kafka';
import type { SubgraphDeps } from '@switchboard/subgraph-kit';
import { InboundContactService } from '../domain/inbound-service';
import { ContactCache } from '../store/contact-cache';
import { InboundStore } from '../store/inbound-store';
import { MESSAGE_RECEIVED_TOPICS, messageReceivedHandler } from './message-received';

export interface StartContactConsumersOptions {
  kafka: Kafka;
  prisma: PrismaClient;
  /** The process's Redis client (key prefix included): the dedupe store and the contact cache. */
  redis: SubgraphDeps['redis'];
  log: Logger;
  /** Consumer group (default `contact`). */
  groupId?: string;
  /** Default: a Redis dedupe store (`dedupe:<group>:<event id>`); null: none (the handler is idempotent on its own). */
  dedupe?: DedupeStore | null;
  /** Create missing topics first (tests, the embedded broker). */
  ensureTopics?: { partitions: number };
  /** Partitions handled at the same time (default 1; one partition is always in order). */
  concurrency?: number;
  /** Longest wait of one fetch when idle (default 1 000 ms; bounds shutdown time). */
  maxWaitTimeMs?: number;
}

export interface ContactConsumers {
  handles: ConsumerHandle[];
  /** Pauses, finishes the message in flight, commits, leaves the group, disconnects. */
  stop(): Promise<void>;
}

/**
 * The contact subgraph's background consumer (group `contact`): `message.received` from messaging
 * creates the contact of an unknown sender and records STOP / START keywords as consent (source
 * `keyword`), each write with its `contact.changed` outbox row. Idempotent on the event id (the
 * dedupe store) and, without it, by construction (unique phone / email; a keyword never overrides a
 * decision as recent). The offset is committed after the transaction (runConsumer).
 */
export async function startContactConsumers(options: StartContactConsumersOptions): Promise<ContactConsumers> {
  const log = options.log.child({ subgraph: 'contact', component: 'consumers' });
  const service = new InboundContactService(new InboundStore(options.prisma), new ContactCache(options.redis, log), log);
  const dedupe = options.dedupe === undefined ? createRedisDedupeStore({ redis: options.redis }) : options.dedupe;
  const handle = await runConsumer({
    kafka: options.kafka,
    groupId: options.groupId ?? 'contact',
    topics: [...MESSAGE_RECEIVED_TOPICS],
    handle: messageReceivedHandler(service, log),
    log,
    ...(dedupe ? { dedupe } : {}),
    ...(options.ensureTopics ? { ensureTopics: options.ensureTopics } : {}),
    ...(options.concurrency ? { concurrency: options.concurrency } : {}),
    ...(options.maxWaitTimeMs ? { maxWaitTimeMs: options.maxWaitTimeMs } : {}),
  });
  return { handles: [handle], stop: () => handle.stop() };
}
