/** A named dependency check: resolves when the dependency answers, rejects (or times out) otherwise. */
export type ReadinessCheck = () => Promise<unknown>;

export interface ReadinessReport {
  status: 'ready' | 'unavailable';
  checks: Record<string, { status: 'ok' } | { status: 'failing'; error: string }>;
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

/** Runs every check in parallel; the report lists each one and which are failing. */
export async function checkReadiness(checks: Record<string, ReadinessCheck>, timeoutMs = 2000): Promise<ReadinessReport> {
  const entries = await Promise.all(
    Object.entries(checks).map(async ([name, check]) => {
      try {
        await withTimeout(check(), timeoutMs);
        return [name, { status: 'ok' as const }] as const;
      } catch (error) {
        return [name, { status: 'failing' as const, error: error instanceof Error ? error.message : String(error) }] as const;
      }
    }),
  );
  const report: ReadinessReport['checks'] = Object.fromEntries(entries);
  const ready = Object.values(report).every((check) => check.status === 'ok');
  return { status: ready ? 'ready' : 'unavailable', checks: report };
}

/** Checks a subgraph through its `/healthz` (next to its `/graphql`). */
export function subgraphHealthCheck(graphqlUrl: string): ReadinessCheck {
  const url = new URL('/healthz', graphqlUrl).toString();
  return async () => {
    let response: Response;
    try {
      response = await fetch(url, { signal: AbortSignal.timeout(2000) });
    } catch (error) {
      const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message;
      throw new Error(`${url} unreachable (${cause})`);
    }
    if (!response.ok) throw new Error(`${url} answered ${response.status}`);
    await response.arrayBuffer();
  };
}
