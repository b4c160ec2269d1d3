/**
 * Where subscription events come from. The bridge only needs "events of a topic, from now on",
 * so Redis pub/sub today and Kafka later plug in behind the same interface.
 */
export interface EventSource {
  /**
   * Starts delivering the events published on `topic` (e.g. "team.changed"). Resolves once the
   * source listens, so an event published after it resolves is delivered. The stream is bounded:
   * a consumer that falls behind gets QueueOverflowError. `return()` stops it.
   */
  subscribe(topic: string): Promise<AsyncIterableIterator<unknown>>;
  close(): Promise<void>;
}
