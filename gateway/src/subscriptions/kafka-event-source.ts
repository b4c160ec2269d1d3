import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { setImmediate as nextTurn, setTimeout as sleep } from 'node:timers/promises';
import type { Consumer, EachBatchPayload, Kafka } from 'kafkajs';
import type { Logger } from '@switchboard/config';
import { eventCatalog, isUnreadableEventError, type EventEnvelope } from '@switchboard/events';
import { OffsetCommitter } from '@switchboard/kafka';
import { BoundedQueue } from './bounded-queue';
import type { EventSource, SubscriptionScope } from './event-source';

export interface KafkaEventSourceOptions {
  kafka: Kafka;
  /** The topics this source serves (others are refused). */
  topics: readonly string[];
  /** Events a subscriber may fall behind before its queue overflows. */
  queueSize: number;
  log: Logger;
  /**
   * Consumer group of this gateway instance (default `gateway-subscriptions.<host>.<pid>.<random>`).
   * Each instance must have its own: every instance needs every event for its own subscribers.
   */
  groupId?: string;
  /** Decodes a message value into an envelope (default: the Switchboard event catalog). */
  decode?: (value: Buffer | null) => EventEnvelope;
  /** Longest fetch wait when idle (default 500 ms; bounds how fast close() returns). */
  maxWaitTimeMs?: number;
  sessionTimeoutMs?: number;
}

export interface KafkaEventSourceStats {
  /** Messages read from Kafka. */
  received: number;
  /** Messages nobody listened to (not even decoded). */
  unheard: number;
  /** Deliveries into subscriber queues. */
  delivered: number;
  /** Messages that did not decode against the catalog (skipped). */
  unreadable: number;
  /** Consumer restarts after a crash (broker gone, rebalance failures). */
  restarts: number;
}

/** The organization key of listeners that asked for every organization (internal tools; the bridge always scopes). */
const ANY_ORGANIZATION = '*';
/**
 * When a queue is more than half full after a push (a burst: a fetched batch holds hundreds of
 * events), the dispatcher yields one turn of the event loop, then pauses 1 ms at a time so that
 * subscribers that keep up can drain; one that does not overflows and is dropped on its own. Pauses
 * draw on a budget — at most 250 ms at once, refilled at a quarter of the time passing — which
 * bounds what a slow subscriber can cost the others.
 */
const PAUSE_BUDGET_MS = 250;
const PAUSE_REFILL_PER_MS = 0.25;
/** How often handled offsets are committed (a restart after a crash repeats at most this much). */
const COMMIT_INTERVAL_MS = 1_000;

/**
 * Kafka event source of the subscription bridge. One consumer per gateway instance, in a group of
 * its own, reading the served topics **from the latest offset** (subscriptions are live: nothing
 * before the gateway started is replayed). Each message is decoded once (catalog), then pushed —
 * never awaited — into the bounded queues of the listeners of its topic and organization; a queue
 * that overflows fails only its own subscriber. Memory is the fetch in flight plus the queues.
 *
 * Offsets are committed from the start and then every second (COMMIT_INTERVAL_MS), so a consumer that restarts after a
 * crash (the broker went away) resumes where it was instead of skipping to the end: subscribers may
 * then see up to a second of changes twice, never a gap. A new gateway instance starts at the end,
 * with a new group.
 */
export class KafkaEventSource implements EventSource {
  private readonly listeners = new Map<string, Map<string, Set<BoundedQueue<unknown>>>>();
  private readonly started = new Map<string, number>();
  private readonly served: Set<string>;
  private readonly groupId: string;
  private readonly log: Logger;
  private readonly decode: (value: Buffer | null) => EventEnvelope;
  private readonly counters: KafkaEventSourceStats = { received: 0, unheard: 0, delivered: 0, unreadable: 0, restarts: 0 };
  private consumer: Consumer | null = null;
  private committer: OffsetCommitter | null = null;
  private ready: Promise<void> | null = null;
  private closed = false;
  private restartTimer: NodeJS.Timeout | null = null;
  private pauseBudget = { ms: PAUSE_BUDGET_MS, at: Date.now() };

  constructor(private readonly options: KafkaEventSourceOptions) {
    this.served = new Set(options.topics);
    this.groupId = options.groupId ?? `gateway-subscriptions.${hostname()}.${process.pid}.${randomBytes(4).toString('hex')}`;
    this.log = options.log.child({ component: 'kafka-event-source', groupId: this.groupId });
    this.decode = options.decode ?? ((value) => eventCatalog.decode(value));
  }

  stats(): KafkaEventSourceStats {
    return { ...this.counters };
  }

  /** Subscribers listening on a topic right now (all organizations). */
  listenerCount(topic: string): number {
    let count = 0;
    for (const queues of this.listeners.get(topic)?.values() ?? []) count += queues.size;
    return count;
  }

  /** Subscribers that started listening on a topic since the source started (only grows). */
  subscriptionsStarted(topic: string): number {
    return this.started.get(topic) ?? 0;
  }

  /**
   * Joins the group and waits for the first fetch, so the start offsets are fixed: an event
   * published after this resolves reaches the listeners. Called by the first `subscribe`; the
   * gateway calls it at start so the first subscriber does not wait for the join.
   */
  start(): Promise<void> {
    if (this.closed) return Promise.reject(new Error('the Kafka event source is closed'));
    this.ready ??= this.run().catch((error: unknown) => {
      this.ready = null;
      throw error;
    });
    return this.ready;
  }

  async subscribe(topic: string, scope: SubscriptionScope = {}): Promise<AsyncIterableIterator<unknown>> {
    if (!this.served.has(topic)) throw new Error(`Kafka event source does not serve "${topic}"`);
    await this.start();
    const organization = scope.organizationId ?? ANY_ORGANIZATION;
    let byOrganization = this.listeners.get(topic);
    if (!byOrganization) {
      byOrganization = new Map();
      this.listeners.set(topic, byOrganization);
    }
    let queues = byOrganization.get(organization);
    if (!queues) {
      queues = new Set();
      byOrganization.set(organization, queues);
    }
    const set = queues;
    const map = byOrganization;
    const queue = new BoundedQueue<unknown>(this.options.queueSize, () => {
      set.delete(queue);
      if (set.size === 0 && map.get(organization) === set) map.delete(organization);
    });
    set.add(queue);
    this.started.set(topic, (this.started.get(topic) ?? 0) + 1);
    return queue;
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    for (const byOrganization of this.listeners.values()) {
      for (const queues of byOrganization.values()) for (const queue of [...queues]) await queue.return();
    }
    this.listeners.clear();
    await this.ready?.catch(() => undefined);
    const consumer = this.consumer;
    this.consumer = null;
    await this.committer?.finalFlush();
    this.committer?.close();
    await consumer?.disconnect().catch((error: unknown) => this.log.warn({ err: error }, 'could not disconnect the subscription consumer'));
  }

  private async run(): Promise<void> {
    const consumer = this.options.kafka.consumer({
      groupId: this.groupId,
      sessionTimeout: this.options.sessionTimeoutMs ?? 10_000,
      heartbeatInterval: 1_000,
      maxWaitTimeInMs: this.options.maxWaitTimeMs ?? 500,
      // Small fetches: a batch is a burst every subscriber's queue must absorb.
      maxBytesPerPartition: 256 * 1024,
      // Retry connections for a long while: the broker may be restarting.
      retry: { retries: 10, initialRetryTime: 200, maxRetryTime: 5_000 },
    });
    this.consumer = consumer;
    this.committer?.close();
    const committer = new OffsetCommitter(consumer, { intervalMs: COMMIT_INTERVAL_MS }, this.log);
    this.committer = committer;
    consumer.on(consumer.events.GROUP_JOIN, (event) => committer.keepOnly(event.payload.memberAssignment));
    const joined = new Promise<void>((resolve, reject) => {
      let groupJoined = false;
      const removeJoin = consumer.on(consumer.events.GROUP_JOIN, () => {
        groupJoined = true;
      });
      const removeFetch = consumer.on(consumer.events.FETCH, () => {
        if (!groupJoined) return;
        removeJoin();
        removeFetch();
        resolve();
      });
      const removeCrash = consumer.on(consumer.events.CRASH, (event) => {
        const { error, restart } = event.payload;
        this.log.warn({ err: error?.message, restart }, 'subscription consumer crashed');
        if (!groupJoined) {
          removeCrash();
          reject(error);
          return;
        }
        if (!restart) this.scheduleRestart(consumer);
        else this.counters.restarts += 1;
      });
    });
    await consumer.connect();
    for (const topic of this.served) await consumer.subscribe({ topic, fromBeginning: false });
    await consumer.run({
      // The committer's cadence (kafkajs's autoCommit also commits after every partition's batch).
      autoCommit: false,
      partitionsConsumedConcurrently: 4,
      eachBatchAutoResolve: true,
      eachBatch: async (payload) => {
        await this.dispatchBatch(payload);
        const { batch } = payload;
        if (!batch.isEmpty()) void committer.handled(batch.topic, batch.partition, batch.lastOffset(), batch.messages.length);
      },
    });
    await joined;
    await this.commitStartPositions(consumer);
    this.log.info({ topics: [...this.served] }, 'subscription consumer listening');
  }

  /**
   * A new group has no committed offsets: if its consumer restarted (the broker went away) before
   * committing anything, it would start again at the end and skip what was published meanwhile.
   * Committing the start positions at once closes that gap; after that, autoCommit keeps them.
   */
  private async commitStartPositions(consumer: Consumer): Promise<void> {
    const admin = this.options.kafka.admin();
    try {
      await admin.connect();
      for (const topic of this.served) {
        const offsets = await admin.fetchTopicOffsets(topic);
        await consumer.commitOffsets(offsets.map(({ partition, high }) => ({ topic, partition, offset: high })));
      }
    } catch (error) {
      this.log.warn({ err: (error as Error)?.message }, 'could not commit the subscription consumer start positions');
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  }

  /** A consumer that crashed for good (kafkajs will not restart it): start a new one after a pause. */
  private scheduleRestart(consumer: Consumer): void {
    if (this.closed || this.restartTimer) return;
    this.counters.restarts += 1;
    this.restartTimer = setTimeout(() => {
      this.restartTimer = null;
      if (this.closed || this.consumer !== consumer) return;
      void consumer.disconnect().catch(() => undefined);
      this.ready = null;
      this.start().catch((error: unknown) => {
        this.log.warn({ err: (error as Error)?.message }, 'could not restart the subscription consumer; retrying');
        this.scheduleRestart(this.consumer ?? consumer);
      });
    }, 2_000);
  }

  /** Refills the pause budget for the time passed; true while some is left. */
  private takePause(): boolean {
    const now = Date.now();
    const budget = this.pauseBudget;
    budget.ms = Math.min(PAUSE_BUDGET_MS, budget.ms + (now - budget.at) * PAUSE_REFILL_PER_MS);
    budget.at = now;
    return budget.ms > 0;
  }

  private async dispatchBatch({ batch, heartbeat }: EachBatchPayload): Promise<void> {
    const byOrganization = this.listeners.get(batch.topic);
    for (const message of batch.messages) {
      this.counters.received += 1;
      if (!byOrganization || byOrganization.size === 0) {
        this.counters.unheard += 1;
        continue;
      }
      let event: EventEnvelope;
      try {
        event = this.decode(message.value);
      } catch (error) {
        if (!isUnreadableEventError(error)) throw error;
        this.counters.unreadable += 1;
        this.log.warn({ topic: batch.topic, offset: message.offset, reason: error.reason }, 'skipped an unreadable event');
        continue;
      }
      const targets = [byOrganization.get(event.organizationId ?? ''), byOrganization.get(ANY_ORGANIZATION)];
      let filling = false;
      for (const queues of targets) {
        if (!queues) continue;
        for (const queue of [...queues]) {
          if (queue.push(event)) this.counters.delivered += 1;
          if (queue.size * 2 > queue.capacity) filling = true;
        }
      }
      if (filling) {
        // One turn of the event loop always (cheap); longer pauses while the budget lasts.
        await nextTurn();
        filling = targets.some((queues) => queues && [...queues].some((queue) => queue.size * 2 > queue.capacity));
      }
      while (filling && this.takePause()) {
        const since = Date.now();
        await sleep(1);
        this.pauseBudget.ms -= Math.max(1, Date.now() - since);
        filling = targets.some((queues) => queues && [...queues].some((queue) => queue.size * 2 > queue.capacity));
      }
    }
    await heartbeat();
  }
}
