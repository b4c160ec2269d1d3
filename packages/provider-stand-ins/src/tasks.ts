/** Background work of a stand-in (status callbacks, webhooks): awaited by `settled()`, aborted by `close()`. */
export class BackgroundTasks {
  private readonly pending = new Set<Promise<void>>();
  private readonly controller = new AbortController();

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  run(task: (signal: AbortSignal) => Promise<void>, onError: (error: unknown) => void): void {
    if (this.controller.signal.aborted) return;
    const promise = task(this.controller.signal)
      .catch((error: unknown) => {
        if (!this.controller.signal.aborted) onError(error);
      })
      .finally(() => this.pending.delete(promise));
    this.pending.add(promise);
  }

  /** Resolves once every scheduled callback/webhook has been posted (including ones scheduled meanwhile). */
  async settled(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }

  async close(): Promise<void> {
    this.controller.abort();
    await Promise.all([...this.pending]);
  }
}

/** Waits `ms`, or less if the stand-in closes (then the caller checks `signal.aborted`). */
export function pause(ms: number, signal: AbortSignal): Promise<void> {
  if (ms <= 0 || signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
