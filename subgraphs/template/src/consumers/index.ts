import type { Logger } from '@switchboard/config';
import type { PrismaClient } from '@switchboard/db';
import { runConsumer, type ConsumerHandle, type DedupeStore, type Kafka } from '@switchboard/kafka';
import type { Redis } from 'ioredis';
import { TemplateService } from '../domain/template-service';
import { TemplateCache } from '../store/template-cache';
import { TemplateStore } from '../store/template-store';
import { STATUS_TOPICS, statusReportHandler } from './status-consumer';

export interface StartTemplateConsumersOptions {
  kafka: Kafka;
  prisma: PrismaClient;
  /** The subgraph's Redis client (same key prefix): applied changes drop its cached templates. */
  redis: Redis;
  log: Logger;
  /** Consumer group of the status consumer (default `template`). */
  groupId?: string;
  /**
   * Optional fast path that skips event ids the group handled (the consumer is idempotent without
   * it: handled ids are recorded in `"template"."consumed_event"` in the transaction of the change).
   */
  dedupe?: DedupeStore;
  /** Create missing topics first (tests, the embedded broker). */
  ensureTopics?: { partitions: number };
  /** Partitions handled at the same time (default 1; one partition is always in order). */
  concurrency?: number;
}

export interface TemplateConsumers {
  handles: ConsumerHandle[];
  /** Stops every consumer (pause, finish in-flight, commit, leave). */
  stop(): Promise<void>;
}

/**
 * The template subgraph's background consumers: `template.status_changed` (group `template`) —
 * the provider's review outcome applied through the approval state machine, with no user.
 */
export async function startTemplateConsumers(input: StartTemplateConsumersOptions): Promise<TemplateConsumers> {
  const log = input.log.child({ subgraph: 'template', component: 'consumers' });
  const templates = new TemplateService(new TemplateStore(input.prisma), new TemplateCache(input.redis, log), log);
  const handle = await runConsumer({
    kafka: input.kafka,
    groupId: input.groupId ?? 'template',
    topics: [...STATUS_TOPICS],
    handle: statusReportHandler(templates, log),
    log,
    ...(input.dedupe ? { dedupe: input.dedupe } : {}),
    ...(input.ensureTopics ? { ensureTopics: input.ensureTopics } : {}),
    ...(input.concurrency ? { concurrency: input.concurrency } : {}),
  });
  return { handles: [handle], stop: () => handle.stop() };
}
