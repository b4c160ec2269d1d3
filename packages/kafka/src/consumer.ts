import type { Logger } from '@switchboard/config';
import { eventCatalog, isUnreadableEventError, type EventEnvelope, type SwitchboardEvent, type UnreadableEventError } from '@switchboard/events';
import type { Consumer, EachBatchPayload, IHeaders, Kafka, KafkaMessage } from 'kafkajs';
import type { DedupeStore } from './dedupe';
import { OffsetCommitter, type CommitCadence } from './offset-committer';
import { connectProducer } from './producer';
import { backoffMs, sleep } from './sleep';
import { ensureTopics } from './topics';

/** Where a message came from, for the handler's logs and for long handlers' heartbeats. */
export interface MessageMeta {
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  headers: Record<string, string>;
  /** Broker timestamp (ms since epoch, as kafkajs gives it). */
  timestamp: string;
  /** 1 on the first call for this delivery, then 2, 3 … while the handler keeps failing. */
  attempt: number;
  /** Tells the group coordinator this member is alive: call it in handlers that run for seconds. */
  heartbeat(): Promise<void>;
}

/** Where a batch came from (`handleBatch`): one partition's consecutive messages. */
export interface BatchMeta {
  topic: string;
  partition: number;
  /** Offsets of the first and last message of the batch (unreadable and duplicate ones included). */
  firstOffset: string;
  lastOffset: string;
  /** 1 on the first call for this batch, then 2, 3 … while the handler keeps failing. */
  attempt: number;
  /** Tells the group coordinator this member is alive: call it in handlers that run for seconds. */
  heartbeat(): Promise<void>;
}

/** Anything that turns a message value into an event or throws UnreadableEventError (the catalog). */
export interface EventDecoder<E> {
  decode(value: Buffer | null): E;
}

export interface RunConsumerOptions<E extends EventEnvelope = SwitchboardEvent> {
  kafka: Kafka;
  groupId: string;
  topics: string[];
  /**
   * Applies one event (the writer side: database, provider call, publish …). The offset is
   * committed only after it resolves; if it throws, it is called again with backoff and nothing
   * after it in the partition is committed meanwhile. Give either `handle` or `handleBatch`.
   */
  handle?(event: E, meta: MessageMeta): Promise<void>;
  /**
   * Batch mode (instead of `handle`): applies the readable, not yet handled events of up to
   * `maxBatchSize` consecutive messages of one partition, in partition order, in one call (a bulk
   * write). Unreadable messages are parked first; event ids seen twice in the batch, or known to
   * the dedupe store, are left out. The offsets are resolved and committed only after it resolves;
   * if it throws, the whole batch is retried with backoff. After `retry.maxAttempts` failed calls
   * the events are handed over one at a time (`[event]`), so only an event that fails alone goes
   * to the dead-letter topic.
   */
  handleBatch?(events: E[], meta: BatchMeta): Promise<void>;
  /** Most messages per `handleBatch` call (default 500); a kafkajs batch larger than this is split. */
  maxBatchSize?: number;
  log: Logger;
  /** Default: the Switchboard catalog. */
  catalog?: EventDecoder<E>;
  /** Partitions handled at the same time (kafkajs partitionsConsumedConcurrently, default 1). One partition is always sequential. */
  concurrency?: number;
  /** Skips event ids the group already handled (redeliveries after a crash or rebalance). */
  dedupe?: DedupeStore;
  /** Where a new group starts (default true: the earliest retained message, so nothing published before it is missed). */
  fromBeginning?: boolean;
  retry?: {
    /** First backoff (default 200 ms), doubling up to `maxMs` (default 30 s). */
    initialMs?: number;
    maxMs?: number;
    /**
     * Calls of a failing handler before the message goes to `<topic>.deadletter` and the
     * consumer moves on (default: unlimited — the partition waits until the handler succeeds).
     */
    maxAttempts?: number;
  };
  /**
   * When handled offsets are committed (only ever after their handler resolved): `intervalMs`
   * (default 100 ms) after the first one not yet committed, or once `everyMessages` were handled
   * (waited for before going on; 1 = after each message or batch), and on shutdown. A crash
   * redelivers what was handled since the last commit: handlers are idempotent, or use `dedupe`.
   */
  commit?: CommitCadence;
  /** Create the topics and their parking topics first (default: no; the broker or ops create them). */
  ensureTopics?: { partitions: number };
  sessionTimeoutMs?: number;
  heartbeatIntervalMs?: number;
  rebalanceTimeoutMs?: number;
  /** Longest wait of one fetch when there is nothing to read (default 1 000 ms; bounds shutdown time). */
  maxWaitTimeMs?: number;
}

export interface ConsumerStats {
  /** Messages taken from Kafka (redeliveries included). */
  received: number;
  /** Events the handler applied. */
  handled: number;
  /** Events skipped because the dedupe store knew their id. */
  duplicates: number;
  /** Messages parked on `<topic>.unreadable`. */
  unreadable: number;
  /** Events parked on `<topic>.deadletter` after `maxAttempts`. */
  deadLettered: number;
  /** Handler calls that threw. */
  failedAttempts: number;
}

export interface ConsumerHandle {
  readonly groupId: string;
  stats(): ConsumerStats;
  /** Pauses fetching, waits for the messages in flight, commits, leaves the group, disconnects. */
  stop(): Promise<void>;
}

export const UNREADABLE_SUFFIX = '.unreadable';
export const DEADLETTER_SUFFIX = '.deadletter';

/** The parking topics of a consumer's topics (for ops, and `ensureTopics`). */
export function parkingTopics(topics: readonly string[]): string[] {
  return topics.flatMap((topic) => [topic + UNREADABLE_SUFFIX, topic + DEADLETTER_SUFFIX]);
}

function headerMap(headers: IHeaders | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (value === undefined) continue;
    const first = Array.isArray(value) ? value[0] : value;
    if (first !== undefined) out[name] = first.toString();
  }
  return out;
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

class LeaseBusy extends Error {
  constructor() {
    super('another consumer holds this event id');
  }
}

/**
 * The consumer transport every worker uses: decode with the catalog, hand each event to
 * `handle`, commit only what the handler finished. Unreadable messages are counted and parked
 * on `<topic>.unreadable` (the consumer goes on); a failing handler is retried with backoff
 * without committing past it; with a dedupe store, an event id the group already handled is
 * skipped. `stop()` pauses, waits for in-flight messages, commits, and disconnects.
 */
export async function runConsumer<E extends EventEnvelope = SwitchboardEvent>(
  options: RunConsumerOptions<E>,
): Promise<ConsumerHandle> {
  const { kafka, groupId, topics, handle, handleBatch, dedupe } = options;
  if (!handle === !handleBatch) throw new Error('runConsumer needs either `handle` or `handleBatch`');
  const maxBatchSize = Math.max(1, options.maxBatchSize ?? 500);
  /** One event at a time: `handle`, or `handleBatch` with one event (batch mode isolating a failure). */
  const handleOne = (event: E, meta: MessageMeta): Promise<void> =>
    handle
      ? handle(event, meta)
      : handleBatch!([event], { topic: meta.topic, partition: meta.partition, firstOffset: meta.offset, lastOffset: meta.offset, attempt: meta.attempt, heartbeat: meta.heartbeat });
  const log = options.log.child({ component: 'consumer', groupId });
  const decoder = (options.catalog ?? eventCatalog) as EventDecoder<E>;
  const initialMs = options.retry?.initialMs ?? 200;
  const maxMs = options.retry?.maxMs ?? 30_000;
  const maxAttempts = options.retry?.maxAttempts ?? Number.POSITIVE_INFINITY;
  const heartbeatIntervalMs = options.heartbeatIntervalMs ?? 3_000;
  const stats: ConsumerStats = { received: 0, handled: 0, duplicates: 0, unreadable: 0, deadLettered: 0, failedAttempts: 0 };
  const stopController = new AbortController();
  let stopping = false;

  if (options.ensureTopics) {
    const admin = kafka.admin();
    await admin.connect();
    try {
      await ensureTopics(admin, [...topics, ...parkingTopics(topics)], options.ensureTopics.partitions);
    } finally {
      await admin.disconnect();
    }
  }

  const { producer } = await connectProducer(kafka, { log, idempotent: false });
  const consumer: Consumer = kafka.consumer({
    groupId,
    sessionTimeout: options.sessionTimeoutMs ?? 30_000,
    rebalanceTimeout: options.rebalanceTimeoutMs ?? 60_000,
    heartbeatInterval: heartbeatIntervalMs,
    maxWaitTimeInMs: options.maxWaitTimeMs ?? 1_000,
  });
  consumer.on(consumer.events.CRASH, (event) => {
    log.error({ err: errorText(event.payload.error), restart: event.payload.restart }, 'kafka consumer crashed');
  });
  const committer = new OffsetCommitter(consumer, options.commit ?? {}, log);
  // A rebalance: commit what was handled while this member still has its partitions (best effort:
  // what it misses is delivered again), then forget the partitions it no longer has.
  consumer.on(consumer.events.REBALANCING, () => void committer.flush());
  consumer.on(consumer.events.GROUP_JOIN, (event) => committer.keepOnly(event.payload.memberAssignment));
  /** Partition batches being handled (shutdown waits for them before its last commit). */
  let batchesInFlight = 0;
  let batchesDone: (() => void) | null = null;

  /** One partition's batch: whether it may go on (no shutdown, no rebalance). */
  interface BatchContext {
    payload: EachBatchPayload;
    lost: boolean;
  }
  const active = (ctx: BatchContext): boolean =>
    !stopping && !ctx.lost && ctx.payload.isRunning() && !ctx.payload.isStale();

  /** Waits `ms` while heartbeating; a failed heartbeat (rebalance) ends the batch. */
  async function wait(ctx: BatchContext, ms: number): Promise<void> {
    const until = Date.now() + ms;
    while (active(ctx)) {
      const left = until - Date.now();
      if (left <= 0) return;
      await sleep(Math.min(left, heartbeatIntervalMs), stopController.signal);
      try {
        await ctx.payload.heartbeat();
      } catch {
        ctx.lost = true;
      }
    }
  }

  /** Runs `fn` until it succeeds; false if the batch ended first (shutdown or rebalance). */
  async function untilDone(ctx: BatchContext, what: string, fields: object, fn: () => Promise<void>): Promise<boolean> {
    for (let attempt = 1; ; attempt++) {
      if (!active(ctx)) return false;
      try {
        await fn();
        return true;
      } catch (error) {
        log.warn({ ...fields, attempt, err: errorText(error) }, `${what} failed; retrying`);
        await wait(ctx, backoffMs(attempt, initialMs, maxMs));
      }
    }
  }

  async function park(topic: string, message: KafkaMessage, source: { topic: string; partition: number }, reason: string): Promise<void> {
    await producer.send({
      topic,
      acks: -1,
      messages: [
        {
          key: message.key,
          value: message.value,
          headers: {
            ...message.headers,
            'x-parked-reason': reason,
            'x-original-topic': source.topic,
            'x-original-partition': String(source.partition),
            'x-original-offset': message.offset,
            'x-consumer-group': groupId,
          },
        },
      ],
    });
  }

  /** Parks an unreadable message; false if the batch ended first. */
  async function parkUnreadable(ctx: BatchContext, message: KafkaMessage, error: UnreadableEventError): Promise<boolean> {
    const { topic, partition } = ctx.payload.batch;
    const where = { topic, partition, offset: message.offset };
    const reason = `${error.reason}: ${error.message}`;
    log.warn({ ...where, reason: error.reason, type: error.details.type, issues: error.details.issues }, 'unreadable message; parking it');
    const parked = await untilDone(ctx, 'parking an unreadable message', where, () =>
      park(topic + UNREADABLE_SUFFIX, message, { topic, partition }, reason),
    );
    if (parked) stats.unreadable += 1;
    return parked;
  }

  /** Decodes a message: the event, or the catalog's error (anything else is a bug and throws). */
  function decode(message: KafkaMessage): { event: E } | { error: UnreadableEventError } {
    try {
      return { event: decoder.decode(message.value) };
    } catch (error) {
      if (!isUnreadableEventError(error)) throw error;
      return { error };
    }
  }

  /** Handles one message; true when its offset may be committed. */
  async function processMessage(ctx: BatchContext, message: KafkaMessage): Promise<boolean> {
    stats.received += 1;
    const decoded = decode(message);
    if ('error' in decoded) return parkUnreadable(ctx, message, decoded.error);
    return processEvent(ctx, message, decoded.event, handleOne);
  }

  /** Hands one event to `apply` (claiming its id first), retrying; true when its offset may be committed. */
  async function processEvent(
    ctx: BatchContext,
    message: KafkaMessage,
    event: E,
    apply: (event: E, meta: MessageMeta) => Promise<void>,
  ): Promise<boolean> {
    const { topic, partition } = ctx.payload.batch;
    const where = { topic, partition, offset: message.offset };
    const fields = { ...where, eventId: event.id, type: event.type };
    const dedupeKey = `${groupId}:${event.id}`;
    for (let attempt = 1; ; attempt++) {
      if (!active(ctx)) return false;
      let claimed = false;
      try {
        if (dedupe) {
          const claim = await dedupe.claim(dedupeKey);
          if (claim === 'done') {
            stats.duplicates += 1;
            log.debug(fields, 'event already handled; skipping');
            return true;
          }
          if (claim === 'busy') throw new LeaseBusy();
          claimed = true;
        }
        await apply(event, {
          ...where,
          key: message.key?.toString() ?? null,
          headers: headerMap(message.headers),
          timestamp: message.timestamp,
          attempt,
          heartbeat: () => ctx.payload.heartbeat(),
        });
      } catch (error) {
        if (claimed) await dedupe?.release(dedupeKey).catch(() => {});
        if (error instanceof LeaseBusy) {
          log.info(fields, 'event is being handled by another member; waiting');
        } else {
          stats.failedAttempts += 1;
          log.warn({ ...fields, attempt, err: errorText(error) }, 'handler failed; retrying');
          if (attempt >= maxAttempts) {
            const parked = await untilDone(ctx, 'dead-lettering an event', fields, () =>
              park(topic + DEADLETTER_SUFFIX, message, { topic, partition }, `handler failed ${attempt} times: ${errorText(error)}`),
            );
            if (parked) {
              stats.deadLettered += 1;
              log.error({ ...fields, attempts: attempt }, 'handler kept failing; event parked on the dead-letter topic');
            }
            return parked;
          }
        }
        await wait(ctx, backoffMs(attempt, initialMs, maxMs));
        continue;
      }
      stats.handled += 1;
      if (dedupe) {
        // The side effect happened: remembering it may fail (then a redelivery repeats it: at least once).
        await dedupe.complete(dedupeKey).catch((error: unknown) => {
          log.warn({ ...fields, err: errorText(error) }, 'could not record the event as handled');
        });
      }
      return true;
    }
  }

  /**
   * Batch mode: consecutive messages of one partition → one `handleBatch` call. True when the
   * offset of the last message may be committed (everything in it parked, skipped or applied).
   */
  async function processChunk(ctx: BatchContext, messages: KafkaMessage[]): Promise<boolean> {
    const { topic, partition } = ctx.payload.batch;
    const firstOffset = messages[0]!.offset;
    const lastOffset = messages[messages.length - 1]!.offset;
    const where = { topic, partition, firstOffset, lastOffset };
    stats.received += messages.length;

    let entries: { message: KafkaMessage; event: E }[] = [];
    const seen = new Set<string>();
    for (const message of messages) {
      const decoded = decode(message);
      if ('error' in decoded) {
        if (!(await parkUnreadable(ctx, message, decoded.error))) return false;
      } else if (seen.has(decoded.event.id)) {
        stats.duplicates += 1;
        log.debug({ topic, partition, offset: message.offset, eventId: decoded.event.id }, 'event repeated in the batch; skipping');
      } else {
        seen.add(decoded.event.id);
        entries.push({ message, event: decoded.event });
      }
    }

    const dedupeKey = (event: E) => `${groupId}:${event.id}`;
    for (let attempt = 1; ; attempt++) {
      if (!active(ctx)) return false;
      let claimed: string[] = [];
      try {
        if (dedupe) {
          const claims = await Promise.all(entries.map(async (entry) => ({ entry, claim: await dedupe.claim(dedupeKey(entry.event)) })));
          claimed = claims.filter((c) => c.claim === 'claimed').map((c) => dedupeKey(c.entry.event));
          const done = claims.filter((c) => c.claim === 'done');
          if (done.length > 0) {
            stats.duplicates += done.length;
            log.debug({ ...where, count: done.length }, 'events already handled; skipping them');
            entries = claims.filter((c) => c.claim !== 'done').map((c) => c.entry);
          }
          if (claims.some((c) => c.claim === 'busy')) throw new LeaseBusy();
        }
        if (entries.length > 0) {
          await handleBatch!(
            entries.map((entry) => entry.event),
            { ...where, attempt, heartbeat: () => ctx.payload.heartbeat() },
          );
        }
      } catch (error) {
        if (claimed.length > 0) await Promise.all(claimed.map((key) => dedupe?.release(key).catch(() => {})));
        if (error instanceof LeaseBusy) {
          log.info(where, 'events of the batch are being handled by another member; waiting');
        } else {
          stats.failedAttempts += 1;
          log.warn({ ...where, events: entries.length, attempt, err: errorText(error) }, 'batch handler failed; retrying');
          if (attempt >= maxAttempts) {
            log.warn({ ...where, events: entries.length }, 'batch keeps failing; handling its events one at a time');
            for (const entry of entries) {
              if (!(await processEvent(ctx, entry.message, entry.event, handleOne))) return false;
            }
            return true;
          }
        }
        await wait(ctx, backoffMs(attempt, initialMs, maxMs));
        continue;
      }
      stats.handled += entries.length;
      if (dedupe && claimed.length > 0) {
        // The side effect happened: remembering it may fail (then a redelivery repeats it: at least once).
        await Promise.all(
          claimed.map((key) =>
            dedupe.complete(key).catch((error: unknown) => {
              log.warn({ ...where, err: errorText(error) }, 'could not record an event as handled');
            }),
          ),
        );
      }
      return true;
    }
  }

  await consumer.connect();
  for (const topic of topics) {
    await consumer.subscribe({ topic, fromBeginning: options.fromBeginning ?? true });
  }
  /** Handles one partition's batch, resolving (and reporting to the committer) each finished offset. */
  async function processBatch(payload: EachBatchPayload): Promise<void> {
    const ctx: BatchContext = { payload, lost: false };
    const { topic, partition, messages } = payload.batch;
    if (handleBatch) {
      for (let start = 0; start < messages.length; start += maxBatchSize) {
        if (!active(ctx)) break;
        const chunk = messages.slice(start, start + maxBatchSize);
        if (!(await processChunk(ctx, chunk))) break;
        const last = chunk[chunk.length - 1]!.offset;
        payload.resolveOffset(last);
        await committer.handled(topic, partition, last, chunk.length);
      }
      return;
    }
    for (const message of messages) {
      if (!active(ctx)) break;
      const done = await processMessage(ctx, message);
      if (!done) break;
      payload.resolveOffset(message.offset);
      await committer.handled(topic, partition, message.offset);
    }
  }

  await consumer.run({
    // Commits are the committer's (kafkajs's autoCommit commits after every partition's batch).
    autoCommit: false,
    eachBatchAutoResolve: false,
    partitionsConsumedConcurrently: options.concurrency ?? 1,
    eachBatch: async (payload) => {
      batchesInFlight += 1;
      try {
        await processBatch(payload);
      } finally {
        batchesInFlight -= 1;
        if (batchesInFlight === 0) batchesDone?.();
      }
    },
  });
  log.info({ topics }, 'consumer running');

  let stopped: Promise<void> | undefined;
  return {
    groupId,
    stats: () => ({ ...stats }),
    stop() {
      stopped ??= (async () => {
        stopping = true;
        stopController.abort();
        try {
          consumer.pause(topics.map((topic) => ({ topic })));
        } catch {
          // not running (crashed): nothing to pause
        }
        // The batches in flight end (their handlers finish; nothing new starts), then the last
        // commit, then kafkajs leaves the group.
        if (batchesInFlight > 0) await new Promise<void>((resolve) => (batchesDone = resolve));
        await committer.finalFlush();
        committer.close();
        await consumer.disconnect();
        await producer.disconnect();
        log.info({ ...stats }, 'consumer stopped');
      })();
      return stopped;
    },
  };
}
