/**
 * Group commit: calls arriving while a flush is in flight wait and go together in the next one
 * (at most `maxBatch`), so a burst of webhook callbacks costs a few statements instead of two
 * each. An idle coalescer flushes at once: no added latency when nothing is waiting.
 *
 * `flush` returns one result per item, in order. When a batch of several fails, each of its
 * items is flushed alone, so one bad item fails only its own caller.
 */
export class Coalescer<I, O> {
  private waiting: { item: I; resolve: (value: O) => void; reject: (error: unknown) => void }[] = [];
  private flushing = false;

  constructor(
    private readonly flush: (items: I[]) => Promise<O[]>,
    private readonly maxBatch = 200,
  ) {}

  submit(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.waiting.push({ item, resolve, reject });
      if (!this.flushing) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.flushing = true;
    try {
      while (this.waiting.length > 0) {
        const batch = this.waiting.splice(0, this.maxBatch);
        try {
          const results = await this.flush(batch.map((entry) => entry.item));
          batch.forEach((entry, index) => entry.resolve(results[index] as O));
        } catch (error) {
          if (batch.length === 1) {
            batch[0]!.reject(error);
            continue;
          }
          await Promise.all(
            batch.map(async (entry) => {
              try {
                const [result] = await this.flush([entry.item]);
                entry.resolve(result as O);
              } catch (single) {
                entry.reject(single);
              }
            }),
          );
        }
      }
    } finally {
      this.flushing = false;
    }
  }
}
