/**
 * Lets a sleeping loop be woken early: `wait(ms)` resolves after `ms`, on `wake()`, or when
 * `signal` aborts. A wake while nobody waits makes the next wait return at once.
 */
export class WakeSignal {
  private pending = false;
  private resolveWaiter: (() => void) | null = null;

  wake(): void {
    if (this.resolveWaiter) this.resolveWaiter();
    else this.pending = true;
  }

  wait(ms: number, signal: AbortSignal): Promise<void> {
    if (this.pending || signal.aborted) {
      this.pending = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        this.resolveWaiter = null;
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal.addEventListener('abort', done, { once: true });
      this.resolveWaiter = done;
    });
  }
}
