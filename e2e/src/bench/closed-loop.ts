/** What a closed-loop run measured: every request's latency, and how many failed. */
export interface LoadResult {
  requests: number;
  errors: number;
  seconds: number;
  latenciesMs: number[];
}

/**
 * Runs `operation` for `seconds` from `concurrency` loops, each starting its next call when the
 * previous one ends (a closed loop: the system's speed sets the rate). `operation` gets a running
 * number and resolves false (or rejects) for a failed request.
 */
export async function closedLoop(operation: (n: number) => Promise<boolean>, seconds: number, concurrency: number): Promise<LoadResult> {
  const latenciesMs: number[] = [];
  let errors = 0;
  let counter = 0;
  const started = performance.now();
  const deadline = started + seconds * 1000;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < deadline) {
        const t0 = performance.now();
        const ok = await operation(counter++).catch(() => false);
        latenciesMs.push(performance.now() - t0);
        if (!ok) errors++;
      }
    }),
  );
  return { requests: latenciesMs.length, errors, seconds: (performance.now() - started) / 1000, latenciesMs };
}

/** The p-th percentile of ascending values (NaN when there are none). */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}

/** Requests per second, p50 and p99 latency (ms), requests and errors of a run. */
export function summarize(result: LoadResult) {
  const sorted = [...result.latenciesMs].sort((a, b) => a - b);
  return { rps: result.requests / result.seconds, p50: percentile(sorted, 50), p99: percentile(sorted, 99), requests: result.requests, errors: result.errors };
}
