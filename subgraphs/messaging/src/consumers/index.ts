import { runConsumer, type ConsumerHandle, type DedupeStore, type Kafka } from '@switchboard/kafka';
import type { SubgraphDeps } from '@switchboard/subgraph-kit';
import { startPendingCallbackCleanup, type PendingCallbackCleanup, type PendingCallbackRetention } from '../domain/pending-callback-cleanup';
import { createMessagingRuntime, type MessagingOptions } from '../services';
import { CONTACT_TOPICS, contactBatchHandler } from './contact-consumer';
import { STATUS_TOPICS, statusBatchHandler } from './status-consumer';
import { TEMPLATE_TOPICS, templateHandler } from './template-consumer';

export interface StartMessagingConsumersOptions {
  deps: SubgraphDeps;
  kafka: Kafka;
  options?: MessagingOptions;
  /** Skips event ids a group already handled (the handlers are idempotent without it too). */
  dedupe?: DedupeStore;
  /** Prefix of the consumer group ids (default `messaging`). */
  groupIdPrefix?: string;
  /** Create missing topics first (tests, the embedded broker). */
  ensureTopics?: { partitions: number };
  /** Partitions of a topic each consumer handles at the same time (default 1; one partition is always in order). */
  concurrency?: number;
  /** Deletion of kept provider callbacks whose message id never arrived (default: after 7 days, checked every minute). */
  pendingCallbackRetention?: PendingCallbackRetention;
}

export interface MessagingConsumers {
  handles: ConsumerHandle[];
  /** Stops every consumer (pause, finish in-flight, commit, leave) and the cleanup of kept callbacks. */
  stop(): Promise<void>;
}

/**
 * Messaging's background consumers, one group each: statuses (`message.status`,
 * `message.dead_lettered`, applied in batches), the contact projection (`contact.changed`, applied in batches) and
 * the template projection (`template.changed`); and, on a timer, the deletion of kept provider
 * callbacks past their retention (domain/pending-callback-cleanup.ts).
 */
export async function startMessagingConsumers(input: StartMessagingConsumersOptions): Promise<MessagingConsumers> {
  const { services, store } = createMessagingRuntime(input.deps, input.options);
  const log = input.deps.log.child({ subgraph: 'messaging', component: 'consumers' });
  const prefix = input.groupIdPrefix ?? 'messaging';
  const common = {
    kafka: input.kafka,
    log,
    ...(input.dedupe ? { dedupe: input.dedupe } : {}),
    ...(input.ensureTopics ? { ensureTopics: input.ensureTopics } : {}),
    ...(input.concurrency ? { concurrency: input.concurrency } : {}),
  };
  const handles: ConsumerHandle[] = [];
  let cleanup: PendingCallbackCleanup | undefined;
  const stop = async () => {
    await Promise.all([...handles.map((handle) => handle.stop()), cleanup?.stop()]);
  };
  try {
    handles.push(
      await runConsumer({
        ...common,
        groupId: `${prefix}-status`,
        topics: [...STATUS_TOPICS],
        handleBatch: statusBatchHandler(services.statuses, log),
      }),
    );
    handles.push(
      await runConsumer({
        ...common,
        groupId: `${prefix}-contacts`,
        topics: [...CONTACT_TOPICS],
        handleBatch: contactBatchHandler(services.projections),
      }),
    );
    handles.push(
      await runConsumer({ ...common, groupId: `${prefix}-templates`, topics: [...TEMPLATE_TOPICS], handle: templateHandler(services.projections) }),
    );
    const cleanupLog = input.deps.log.child({ subgraph: 'messaging', component: 'pending-callbacks' });
    cleanup = startPendingCallbackCleanup(store, cleanupLog, input.pendingCallbackRetention);
  } catch (error) {
    await stop();
    throw error;
  }
  return { handles, stop };
}
