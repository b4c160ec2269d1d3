/**
 * Lookups a webhook repeats for every callback (the sender behind a number, its signing tokens),
 * remembered for a few seconds: a busy number sends hundreds of callbacks a second and its row
 * rarely changes. A change (a deleted sender, rotated credentials) is seen after at most `ttlMs`.
 * Misses are never remembered (a sender created a moment ago is found at once), and concurrent
 * lookups of one key share one query.
 */
export class Recent<V> {
  private readonly entries = new Map<string, { value: Promise<V | null>; until: number }>();

  constructor(
    private readonly ttlMs = 5_000,
    private readonly maxEntries = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  get(key: string, load: () => Promise<V | null>): Promise<V | null> {
    const at = this.now();
    const hit = this.entries.get(key);
    if (hit && hit.until > at) return hit.value;
    if (this.entries.size >= this.maxEntries) this.entries.clear();
    const value = load();
    const entry = { value, until: at + this.ttlMs };
    this.entries.set(key, entry);
    value.then(
      (found) => {
        if (found === null && this.entries.get(key) === entry) this.entries.delete(key);
      },
      () => {
        if (this.entries.get(key) === entry) this.entries.delete(key);
      },
    );
    return value;
  }
}
