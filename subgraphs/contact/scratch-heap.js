const { createTestDatabase } = require('@switchboard/testkit');
const { createLogger } = require('@switchboard/config');
const { Redis } = require('ioredis');
const { contactSubgraph } = require('./dist');
const { randomUUID } = require('node:crypto');
const inspector = require('node:inspector/promises');
(async () => {
  const session = new inspector.Session(); session.connect();
  const db = await createTestDatabase({ prefix: 'heap' });
  const redis = new Redis('redis://127.0.0.1:6379', { keyPrefix: `sbt:heap:${randomUUID()}:` });
  const log = createLogger('heap', 'silent');
  const def = contactSubgraph({ prisma: db.prisma, redis, log, settings: {} }, { import: { batchSize: Number(process.env.BATCH || 1000) } });
  const lines = ['name,phone,email,tags,city'];
  for (let i = 0; i < 100000; i++) lines.push(`Person ${i},+1202${String(2000000 + i).padStart(7, '0')},person${i}@import.io,batch;vip,City ${i % 50}`);
  let csv = lines.join('\n'); lines.length = 0;
  global.gc && global.gc();
  const base = process.memoryUsage();
  let peak = 0, peakRss = 0;
  const t = setInterval(() => { const u = process.memoryUsage(); peak = Math.max(peak, u.heapUsed); peakRss = Math.max(peakRss, u.rss); }, 20);

  await session.post('HeapProfiler.startSampling', { samplingInterval: 32768, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: false });
  const t0 = Date.now();
  const job = await def.services.imports.start(randomUUID(), randomUUID(), { csv });
  csv = null;
  await def.services.imports.drain();
  clearInterval(t);
  const { profile } = await session.post('HeapProfiler.stopSampling');
  require('fs').writeFileSync('/tmp/contact-scratch/alloc.json', JSON.stringify(profile));


  const done = await db.prisma.contactImportJob.findUnique({ where: { id: job.id } });
  console.log({ ms: Date.now() - t0, status: done.status, created: done.createdCount, baseHeap: base.heapUsed >> 20, baseRss: base.rss >> 20, peakHeap: peak >> 20, peakRss: peakRss >> 20, maxRSS: process.resourceUsage().maxRSS >> 10 });
  redis.disconnect();
  await db.drop();
})();
