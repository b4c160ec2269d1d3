import type { Logger } from '@switchboard/config';
import type { Consumer } from 'kafkajs';

export interface CommitCadence {
  /**
   * Commit once this many messages were handled since the last commit, and wait for it before
   * going on (1: after every message, so a crash redelivers at most the one in flight).
   * Default: no count; the interval alone.
   */
  everyMessages?: number;
  /** Commit this long after the first handled message not yet committed (default 100 ms). */
  intervalMs?: number;
}

/** The longest a final commit (shutdown, rebalance) may take before the consumer goes on without it. */
const FINAL_COMMIT_TIMEOUT_MS = 5_000;

/**
 * Commits a consumer group's handled offsets on a cadence rather than after every message (kafkajs's
 * autoCommit commits at the end of every partition's batch: with a few messages per batch that was
 * an OffsetCommit request per message or two, twice as many requests as all the others together).
 * Offsets are only ever ones whose messages were handled, so a crash or a rebalance redelivers what
 * was handled since the last commit: handlers are idempotent, or use the dedupe store.
 *
 * The consumer runs with kafkajs's autoCommit off; the owner reports each handled offset
 * (`handled`), calls `keepOnly` with every new assignment, and `flush` before leaving the group.
 */
export class OffsetCommitter {
  /** Per `topic:partition`: the next offset to read (last handled + 1), not committed yet. */
  private readonly pending = new Map<string, { topic: string; partition: number; offset: string }>();
  private sinceCommit = 0;
  private timer: NodeJS.Timeout | null = null;
  private inFlight: Promise<void> | null = null;
  private readonly intervalMs: number;
  private readonly everyMessages: number;

  constructor(
    private readonly consumer: Pick<Consumer, 'commitOffsets'>,
    cadence: CommitCadence,
    private readonly log: Logger,
  ) {
    this.intervalMs = Math.max(1, cadence.intervalMs ?? 100);
    this.everyMessages = cadence.everyMessages ?? Number.POSITIVE_INFINITY;
  }

  /**
   * `offset` of `topic`/`partition` and everything before it were handled (`messages` of them since
   * the last report). Resolves at once, or once committed when this reaches `everyMessages`.
   */
  handled(topic: string, partition: number, offset: string, messages = 1): Promise<void> {
    this.pending.set(`${topic}:${partition}`, { topic, partition, offset: (BigInt(offset) + 1n).toString() });
    this.sinceCommit += messages;
    if (this.sinceCommit >= this.everyMessages) return this.flush();
    this.timer ??= setTimeout(() => {
      this.timer = null;
      void this.flush();
    }, this.intervalMs);
    return Promise.resolve();
  }

  /** After a rebalance: forgets partitions this member no longer has (their new owner commits them). */
  keepOnly(assignment: Record<string, number[]>): void {
    for (const [key, entry] of this.pending) {
      if (!assignment[entry.topic]?.includes(entry.partition)) this.pending.delete(key);
    }
  }

  /**
   * Commits what is pending (one request at a time; a call during one waits for it and commits what
   * came meanwhile). A failed commit is logged and kept for the next one: never thrown.
   */
  async flush(): Promise<void> {
    while (this.inFlight) await this.inFlight;
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    if (this.pending.size === 0) return;
    const batch = [...this.pending.entries()];
    this.sinceCommit = 0;
    this.inFlight = (async () => {
      try {
        await this.consumer.commitOffsets(batch.map(([, entry]) => entry));
        // Entries handled further meanwhile stay pending.
        for (const [key, entry] of batch) if (this.pending.get(key) === entry) this.pending.delete(key);
      } catch (error) {
        this.log.info({ err: error instanceof Error ? error.message : String(error), partitions: batch.length }, 'offset commit failed; kept for the next one');
      } finally {
        this.inFlight = null;
      }
    })();
    await this.inFlight;
  }

  /** A last flush that gives up after a few seconds (the broker gone): redelivery, not a hang. */
  async finalFlush(): Promise<void> {
    let timeout: NodeJS.Timeout | undefined;
    await Promise.race([
      this.flush(),
      new Promise<void>((resolve) => {
        timeout = setTimeout(() => {
          this.log.warn({ partitions: this.pending.size }, 'final offset commit timed out; those messages will be delivered again');
          resolve();
        }, FINAL_COMMIT_TIMEOUT_MS);
      }),
    ]);
    clearTimeout(timeout);
  }

  /** Stops the timer (the consumer is gone). */
  close(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}
