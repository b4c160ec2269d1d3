import { startContactHarness, waitForImport } from './harness';

it('profiles', async () => {
  const harness = await startContactHarness();
  const admin = harness.member('ADMIN');
  const lines = ['name,phone,email,tags,city'];
  for (let i = 0; i < 20_000; i++) lines.push(`Person ${i},+1202${String(2_000_000 + i).padStart(7, '0')},person${i}@import.io,batch,City ${i % 50}`);
  const t0 = Date.now();
  const r = await admin.graphql(`mutation($csv: String) { importContacts(input: { csv: $csv }) { id } }`, { csv: lines.join('\n') });
  const t1 = Date.now();
  const job = await waitForImport(admin, r.data.importContacts.id, 120_000);
  const t2 = Date.now();
  console.warn({ accept: t1 - t0, run: t2 - t1, job: job.createdCount, queries: harness.queries.length });
  const times = new Map<string, number>();
  harness.queries.forEach((q, i) => { const k = q.trim().slice(0, 30); times.set(k, (times.get(k) ?? 0) + harness.durations[i]!); });
  console.warn([...times.entries()]);
  await harness.close();
}, 200_000);
