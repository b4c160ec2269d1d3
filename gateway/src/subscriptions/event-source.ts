/**
 * Where subscription events come from. The bridge only needs "events of a topic, from now on",
 * so Redis pub/sub (team events) and Kafka (message events) plug in behind the same interface.
 */
export interface EventSource {
  /**
   * Starts delivering the events published on `topic` (e.g. "team.changed"). Resolves once the
   * source listens, so an event published after it resolves is delivered. The stream is bounded:
   * a consumer that falls behind gets QueueOverflowError. `return()` stops it.
   *
   * `scope.organizationId` lets a source hand the subscriber only its organization's events
   * (sources that cannot tell deliver everything; the bridge checks the organization again).
   */
  subscribe(topic: string, scope?: SubscriptionScope): Promise<AsyncIterableIterator<unknown>>;
  close(): Promise<void>;
}

export interface SubscriptionScope {
  organizationId?: string;
}

/** Sends each topic to the source that carries it (Kafka for message events, Redis for the rest). */
export class RoutingEventSource implements EventSource {
  constructor(
    private readonly routes: ReadonlyMap<string, EventSource>,
    private readonly fallback: EventSource,
  ) {}

  subscribe(topic: string, scope?: SubscriptionScope): Promise<AsyncIterableIterator<unknown>> {
    return (this.routes.get(topic) ?? this.fallback).subscribe(topic, scope);
  }

  async close(): Promise<void> {
    const sources = new Set([...this.routes.values(), this.fallback]);
    await Promise.all([...sources].map((source) => source.close()));
  }
}

/** A source for topics no transport carries in this deployment: subscribing fails with a clear message. */
export class UnavailableEventSource implements EventSource {
  constructor(private readonly reason: string) {}

  subscribe(topic: string): Promise<AsyncIterableIterator<unknown>> {
    return Promise.reject(new Error(`Events of "${topic}" are not available: ${this.reason}`));
  }

  async close(): Promise<void> {}
}
