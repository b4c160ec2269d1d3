import type { Redis } from 'ioredis';
import type { Logger } from '@switchboard/config';
import { BoundedQueue } from './bounded-queue';
import type { EventSource } from './event-source';

/**
 * Channel of a topic. ioredis' keyPrefix does not apply to pub/sub channels, so the system's
 * prefix is added here — publishers use the same function's convention:
 * `${keyPrefix}events:<topic>`.
 */
export function eventChannel(keyPrefix: string, topic: string): string {
  return `${keyPrefix}events:${topic}`;
}

/**
 * Redis pub/sub event source: one subscriber connection per gateway, each channel subscribed once
 * however many clients listen, every message fanned out to each listener's bounded queue.
 * Messages are JSON; unreadable ones are logged and skipped.
 */
export class RedisEventSource implements EventSource {
  private readonly subscriber: Redis;
  private readonly keyPrefix: string;
  private readonly listeners = new Map<string, Set<BoundedQueue<unknown>>>();
  private readonly pending = new Map<string, Promise<unknown>>();

  constructor(
    redis: Redis,
    private readonly options: { queueSize: number; log: Logger },
  ) {
    this.keyPrefix = redis.options.keyPrefix ?? '';
    this.subscriber = redis.duplicate({ lazyConnect: true });
    this.subscriber.on('error', (error) => options.log.warn({ err: error }, 'redis event subscriber error'));
    this.subscriber.on('message', (channel: string, message: string) => this.dispatch(channel, message));
  }

  async subscribe(topic: string): Promise<AsyncIterableIterator<unknown>> {
    const channel = eventChannel(this.keyPrefix, topic);
    let queues = this.listeners.get(channel);
    if (!queues) {
      queues = new Set();
      this.listeners.set(channel, queues);
    }
    const set = queues;
    const queue = new BoundedQueue<unknown>(this.options.queueSize, () => {
      set.delete(queue);
      if (set.size === 0 && this.listeners.get(channel) === set) {
        this.listeners.delete(channel);
        this.subscriber.unsubscribe(channel).catch((error: unknown) => this.options.log.warn({ err: error, channel }, 'unsubscribe failed'));
      }
    });
    const first = set.size === 0;
    set.add(queue);
    if (first || this.pending.has(channel)) {
      // Everyone waits for the SUBSCRIBE acknowledgement, so an event published afterwards is seen.
      let pending = this.pending.get(channel);
      if (!pending) {
        pending = this.subscriber.subscribe(channel).finally(() => this.pending.delete(channel));
        this.pending.set(channel, pending);
      }
      try {
        await pending;
      } catch (error) {
        await queue.return();
        throw error;
      }
    }
    return queue;
  }

  async close(): Promise<void> {
    for (const queues of this.listeners.values()) for (const queue of queues) await queue.return();
    this.listeners.clear();
    this.subscriber.disconnect();
  }

  private dispatch(channel: string, message: string): void {
    const queues = this.listeners.get(channel);
    if (!queues || queues.size === 0) return;
    let payload: unknown;
    try {
      payload = JSON.parse(message);
    } catch {
      this.options.log.warn({ channel }, 'skipped an event that is not JSON');
      return;
    }
    for (const queue of [...queues]) queue.push(payload);
  }
}
