import { ConfigError } from '@switchboard/config';
import { batchDeletionShape, blocksOf, createTestDatabase, explainNodes, indexScanOf, type PlanNode, type TestDatabase } from '@switchboard/testkit';
import pg from 'pg';
import type { OutboxRelay, OutboxRelayOptions } from '../src';
import { loadRelayConfig } from '../src/config';
import { OutboxStore, RETENTION_INDEX_SCANS } from '../src/outbox-store';
import { captureLog, insertOutbox, pause, roleChanges, startUserRelay, waitFor } from './helpers';

jest.setTimeout(60_000);

const DELETED_LOG = 'deleted published outbox rows past their retention';
/** Nothing listens there: rows the relay claims stay unpublished (Kafka down). */
const UNREACHABLE_BROKER = '127.0.0.1:1';

let db: TestDatabase;
let pool: pg.Pool;
const cleanup: (() => Promise<unknown>)[] = [];
const store = new OutboxStore('user');

beforeAll(async () => {
  db = await createTestDatabase({ prefix: 'outbox_retention' });
  pool = new pg.Pool({ connectionString: db.url, max: 6 });
  // Idle connections the database's drop ends (pool.end() resolves before they close): not a failure.
  pool.on('error', () => {});
});

afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn().catch(() => {});
  await db.prisma.userOutboxEvent.deleteMany();
});

afterAll(async () => {
  await pool.end();
  await db.drop();
});

function relay(options: Partial<OutboxRelayOptions> = {}): Promise<OutboxRelay> {
  return startUserRelay(pool, UNREACHABLE_BROKER, cleanup, options);
}

/**
 * `count` rows of "user"."outbox", written `createdHoursAgo` hours ago and published
 * `publishedHoursAgo` hours ago (null: not published), a millisecond apart; their ids, oldest first.
 */
async function outboxRows(count: number, createdHoursAgo: number, publishedHoursAgo: number | null): Promise<string[]> {
  const result = await pool.query<{ id: string; created_at: Date }>(
    `INSERT INTO "user"."outbox" (id, type, payload, created_at, published_at)
     SELECT gen_random_uuid(), 'membership.role_changed', '{}'::jsonb,
            now() - interval '1 hour' * $2 + g * interval '1 ms',
            now() - interval '1 hour' * $3 + g * interval '1 ms'
       FROM generate_series(1, $1::int) AS g
     RETURNING id, created_at`,
    [count, createdHoursAgo, publishedHoursAgo],
  );
  return result.rows.sort((a, b) => a.created_at.getTime() - b.created_at.getTime()).map((row) => row.id);
}

async function remaining(): Promise<{ id: string; published: boolean }[]> {
  const result = await pool.query<{ id: string; published: boolean }>(
    `SELECT id, published_at IS NOT NULL AS published FROM "user"."outbox" ORDER BY created_at, id`,
  );
  return result.rows;
}

const sorted = (ids: string[]): string[] => [...ids].sort();
const remainingIds = async (): Promise<string[]> => sorted((await remaining()).map((row) => row.id));

describe('deleting published outbox rows past their retention', () => {
  it('deletes rows published before the retention, oldest first, at most a batch per statement; never unpublished rows, nor recently published ones', async () => {
    const old = await outboxRows(35, 49, 48);
    // Written long ago but published an hour ago: the retention counts from publication.
    const recent = await outboxRows(5, 50, 1);
    const unpublished = await outboxRows(5, 100, null);

    const counts = [await store.deletePublished(pool, 24, 10)];
    expect(await remainingIds()).toEqual(sorted([...old.slice(10), ...recent, ...unpublished]));
    while (counts[counts.length - 1] === 10) counts.push(await store.deletePublished(pool, 24, 10));
    expect(counts).toEqual([10, 10, 10, 5]);
    expect(await store.deletePublished(pool, 24, 10)).toBe(0);

    const left = await remaining();
    expect(sorted(left.map((row) => row.id))).toEqual(sorted([...recent, ...unpublished]));
    expect(left.filter((row) => !row.published).map((row) => row.id)).toEqual(unpublished);
  });

  it('deletes with a range scan of the (published_at, created_at, id) index that stops at its batch, without statistics, and skips the entries of rows deleted before', async () => {
    // 3,000 rows published two days ago, 3,000 an hour ago and 300 waiting, never analyzed: the
    // planner knows the table only by its size (it would read all of it and sort it).
    await outboxRows(3000, 49, 48);
    await outboxRows(3000, 2, 1);
    await outboxRows(300, 100, null);
    const client = await pool.connect();
    const explain = async (limit: number): Promise<PlanNode[]> => {
      await client.query(`BEGIN; ${RETENTION_INDEX_SCANS}`);
      try {
        return await explainNodes(client, store.deletePublishedStatement(24, limit));
      } finally {
        await client.query('ROLLBACK');
      }
    };
    try {
      expect(batchDeletionShape(await explain(1000))).toEqual({
        root: 'ModifyTable',
        limited: true,
        index: 'outbox_published_at_created_at_id_idx',
        indexRows: 1000,
        tidRows: 1000,
        wideReads: [],
      });

      // Two batches deleted (committed). The scan after them marks their entries dead, so the one
      // after that does not visit their rows again (no vacuum runs here).
      expect(await store.deletePublished(pool, 24, 1000)).toBe(1000);
      expect(await store.deletePublished(pool, 24, 1000)).toBe(1000);
      const blocks = [];
      for (let round = 0; round < 2; round++) {
        const scan = indexScanOf(await explain(100))!;
        expect(scan['Actual Rows']).toBe(100);
        blocks.push(blocksOf(scan));
      }
      expect(blocks[1]).toBeLessThan(blocks[0]! / 2);
    } finally {
      client.release();
    }
  });

  it('deletes nothing while another relay holds the schema’s retention lock; that lock and the claim’s never stop each other', async () => {
    const old = await outboxRows(3, 49, 48);
    const waiting = await insertOutbox(db.prisma, roleChanges(2));
    const [holder, claimer] = [await pool.connect(), await pool.connect()];
    try {
      await holder.query(`BEGIN; SELECT pg_advisory_xact_lock(hashtext('switchboard.outbox-relay.retention'), hashtext('user'))`);
      expect(await store.deletePublished(pool, 24, 10)).toBe(0);
      expect(await remainingIds()).toEqual(sorted([...old, ...waiting]));
      // Publishing goes on meanwhile …
      expect((await store.beginAndClaim(claimer, ['membership.role_changed'], 100)).map((row) => row.id)).toEqual(waiting);
      await holder.query('ROLLBACK');
      // … and deleting goes on while a relay publishes (holds the claim's lock and its rows).
      expect(await store.deletePublished(pool, 24, 10)).toBe(3);
      expect(await remainingIds()).toEqual(sorted(waiting));
    } finally {
      await holder.query('ROLLBACK');
      await claimer.query('ROLLBACK');
      holder.release();
      claimer.release();
    }
  });

  it('the relay deletes them on its timer (by default after 24 hours), in bounded batches, even while Kafka is down, and logs only when it deleted something', async () => {
    const old = await outboxRows(35, 49, 48);
    const recent = await outboxRows(5, 50, 23);
    const unpublished = await outboxRows(5, 100, null);
    const capture = captureLog();
    const running = await relay({ log: capture.log, retention: { batchSize: 10, intervalMs: 20 } });

    await waitFor(async () => (await remaining()).length === 10, 'the old published rows to be deleted');
    await pause(200); // more rounds, with nothing left to delete
    const left = await remaining();
    expect(sorted(left.map((row) => row.id))).toEqual(sorted([...recent, ...unpublished]));
    expect(left.filter((row) => !row.published).map((row) => row.id)).toEqual(unpublished);
    expect(old.filter((id) => left.some((row) => row.id === id))).toEqual([]);
    expect(capture.lines.filter((line) => line.msg === DELETED_LOG)).toEqual([
      { level: 'info', msg: DELETED_LOG, fields: expect.objectContaining({ schema: 'user', deleted: 35, batches: 4, retentionHours: 24 }) },
    ]);
    expect(running.stats().deleted).toBe(35);
  });

  it('with a retention of 0 hours, deletes nothing', async () => {
    const old = await outboxRows(5, 10_000, 9_999);
    const capture = captureLog();
    const running = await relay({ log: capture.log, retention: { hours: 0, batchSize: 10, intervalMs: 20 } });
    await pause(300);
    expect(await remainingIds()).toEqual(sorted(old));
    expect(capture.lines.filter((line) => line.msg === DELETED_LOG)).toEqual([]);
    expect(running.stats().deleted).toBe(0);
  });

  it('reads OUTBOX_RETENTION_HOURS: 24 by default, 0 to keep published rows, whole hours only', () => {
    expect(loadRelayConfig({}).retentionHours).toBe(24);
    expect(loadRelayConfig({ OUTBOX_RETENTION_HOURS: '168' }).retentionHours).toBe(168);
    expect(loadRelayConfig({ OUTBOX_RETENTION_HOURS: '0' }).retentionHours).toBe(0);
    for (const bad of ['-1', '1.5', 'a day']) {
      expect(() => loadRelayConfig({ OUTBOX_RETENTION_HOURS: bad })).toThrow(ConfigError);
    }
  });
});
