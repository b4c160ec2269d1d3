import { randomUUID } from 'node:crypto';
import { createRedisDedupeStore, runConsumer } from '@switchboard/kafka';
import { createTestDatabase } from '@switchboard/testkit';
import { Redis } from 'ioredis';
import pg from 'pg';
import { startOutboxRelay } from '../src';
import { insertOutbox, kafkaFor, log, roleChanges, startTestBroker, unpublishedCount, waitFor } from './helpers';

jest.setTimeout(300_000);

it('bench', async () => {
  const db = await createTestDatabase({ prefix: 'bench' });
  const pool = new pg.Pool({ connectionString: db.url, max: 6 });
  const redis = new Redis();
  const out: Record<string, unknown> = {};
  for (const batchSize of [100, 500]) {
    const broker = await startTestBroker();
    const N = 5000;
    for (let i = 0; i < N; i += 1000) await insertOutbox(db.prisma, roleChanges(1000));
    const t0 = Date.now();
    const relay = await startOutboxRelay({ pool, kafka: kafkaFor(broker.brokers), schemas: ['user'], log, batchSize });
    await waitFor(async () => (await unpublishedCount(db.prisma)) === 0, 'all', 120_000);
    out[`relay batch ${batchSize}: rows/s`] = Math.round(N / ((Date.now() - t0) / 1000));
    await relay.stop();
    for (const [label, everyMessages, dedupe] of [
      ['commit each, no dedupe', 1, false],
      ['commit each, redis dedupe', 1, true],
      ['commit every 100, no dedupe', 100, false],
    ] as const) {
      let handled = 0;
      const t1 = Date.now();
      const c = await runConsumer({
        kafka: kafkaFor(broker.brokers),
        groupId: randomUUID(),
        topics: ['membership.role_changed'],
        log,
        commit: { everyMessages },
        ...(dedupe ? { dedupe: createRedisDedupeStore({ redis, keyPrefix: `bench:${randomUUID()}:` }) } : {}),
        handle: async () => void (handled += 1),
      });
      await waitFor(() => handled === N, 'consumed', 120_000);
      out[`batch ${batchSize} consumer ${label}: msg/s`] = Math.round(N / ((Date.now() - t1) / 1000));
      await c.stop();
    }
    await broker.close();
    await db.prisma.userOutboxEvent.deleteMany();
  }
  console.warn(JSON.stringify(out, null, 1));
  redis.disconnect();
  await pool.end();
  await db.drop();
});
