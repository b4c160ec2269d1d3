/** Raised to the consumer of a queue whose producer outran it. */
export class QueueOverflowError extends Error {
  constructor(readonly capacity: number) {
    super(`Subscriber fell more than ${capacity} events behind`);
    this.name = 'QueueOverflowError';
  }
}

/**
 * A single-consumer async queue with a hard bound. A producer never waits: when the consumer
 * (a subscriber's socket) falls `capacity` events behind, the queue fails with
 * QueueOverflowError instead of growing — a slow client cannot make the gateway hoard memory.
 */
export class BoundedQueue<T> implements AsyncIterableIterator<T> {
  private readonly items: T[] = [];
  private waiter: { resolve: (result: IteratorResult<T>) => void; reject: (error: Error) => void } | null = null;
  private failure: Error | null = null;
  private closed = false;

  constructor(
    readonly capacity: number,
    private readonly onClose: () => void = () => {},
  ) {}

  get size(): number {
    return this.items.length;
  }

  /** Adds an item; returns false when the queue is closed or just overflowed. */
  push(item: T): boolean {
    if (this.closed) return false;
    if (this.waiter) {
      const { resolve } = this.waiter;
      this.waiter = null;
      resolve({ value: item, done: false });
      return true;
    }
    if (this.items.length >= this.capacity) {
      this.fail(new QueueOverflowError(this.capacity));
      return false;
    }
    this.items.push(item);
    return true;
  }

  /** Ends the queue with an error the consumer sees on its next read. */
  fail(error: Error): void {
    if (this.closed) return;
    this.failure = error;
    this.items.length = 0;
    this.close();
    if (this.waiter) {
      const { reject } = this.waiter;
      this.waiter = null;
      reject(error);
    }
  }

  next(): Promise<IteratorResult<T>> {
    if (this.items.length > 0) return Promise.resolve({ value: this.items.shift() as T, done: false });
    if (this.failure) {
      const failure = this.failure;
      this.failure = null;
      return Promise.reject(failure);
    }
    if (this.closed) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve, reject) => {
      this.waiter = { resolve, reject };
    });
  }

  return(): Promise<IteratorResult<T>> {
    this.items.length = 0;
    this.close();
    if (this.waiter) {
      const { resolve } = this.waiter;
      this.waiter = null;
      resolve({ value: undefined, done: true });
    }
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<T> {
    return this;
  }

  private close(): void {
    if (this.closed) return;
    this.closed = true;
    this.onClose();
  }
}
