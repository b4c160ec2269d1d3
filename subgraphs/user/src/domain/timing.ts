/**
 * Runs `work` and answers no sooner than `minimumMs` after the start, so an answer's timing does
 * not reveal which branch ran (for example whether an email address has an account).
 */
export async function withMinimumDuration<T>(minimumMs: number, work: () => Promise<T>): Promise<T> {
  const started = Date.now();
  try {
    return await work();
  } finally {
    const remaining = minimumMs - (Date.now() - started);
    if (remaining > 0) await new Promise((resolve) => setTimeout(resolve, remaining));
  }
}
