import { startContactHarness, waitForImport } from './harness';

it('memory', async () => {
  const harness = await startContactHarness();
  const admin = harness.member('ADMIN');
  const lines = ['name,phone,email,tags,city'];
  for (let i = 0; i < 100_000; i++) lines.push(`Person ${i},+1202${String(2_000_000 + i).padStart(7, '0')},person${i}@import.io,batch;vip,City ${i % 50}`);
  let csv: string | null = lines.join('\n');
  lines.length = 0;
  global.gc?.();
  const base = process.memoryUsage();
  const peaks = { heapUsed: 0, rss: 0, external: 0 };
  const live: number[] = [];
  const gcTimer = setInterval(() => undefined, 1000);
  const sampler = setInterval(() => {
    const u = process.memoryUsage();
    peaks.heapUsed = Math.max(peaks.heapUsed, u.heapUsed / 1048576); peaks.rss = Math.max(peaks.rss, u.rss / 1048576); peaks.external = Math.max(peaks.external, u.external / 1048576);
  }, 20);
  const t0 = Date.now();
  const r = await admin.graphql(`mutation($csv: String) { importContacts(input: { csv: $csv }) { id } }`, { csv });
  csv = null;
  const accepted = Date.now() - t0;
  const job = await waitForImport(admin, r.data.importContacts.id, 300_000);
  clearInterval(sampler);
  clearInterval(gcTimer);
  console.warn({ hasGc: typeof (globalThis as { gc?: unknown }).gc, live });
  console.warn({ accepted, ms: Date.now() - t0, created: job.createdCount, baseHeap: base.heapUsed / 1048576, baseRss: base.rss / 1048576, peaks, queries: harness.queries.length });
  await harness.close();
}, 400_000);
