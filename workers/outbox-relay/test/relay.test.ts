import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import { SAMPLE_PAYLOADS, decodeEvent } from '@switchboard/events';
import { createRedisDedupeStore, runConsumer, type ConsumerHandle } from '@switchboard/kafka';
import type { BrokerHandle } from '@switchboard/kafka-broker';
import { blocksOf, createTestDatabase, explainNodes, indexScanOf, type TestDatabase } from '@switchboard/testkit';
import { Redis } from 'ioredis';
import pg from 'pg';
import type { OutboxRelay, OutboxRelayOptions } from '../src';
import { OutboxStore, PLAIN_INDEX_SCANS } from '../src/outbox-store';
import {
  captureLog,
  collect,
  freePort,
  ids,
  insertOutbox,
  kafkaFor,
  log,
  pause,
  roleChanges,
  startTestBroker,
  startUserRelay,
  tempDir,
  unpublishedCount,
  waitFor,
} from './helpers';

jest.setTimeout(60_000);

let db: TestDatabase;
let pool: pg.Pool;
let redis: Redis;
const redisPrefix = `test:outbox-relay:${randomUUID()}:`;
const cleanup: (() => Promise<unknown>)[] = [];

beforeAll(async () => {
  db = await createTestDatabase({ prefix: 'outbox_relay' });
  pool = new pg.Pool({ connectionString: db.url, max: 6 });
  // Idle connections the database's drop ends (pool.end() resolves before they close): not a failure.
  pool.on('error', () => {});
  redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
});

afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn().catch(() => {});
  await db.prisma.userOutboxEvent.deleteMany();
});

afterAll(async () => {
  const keys = await redis.keys(`${redisPrefix}*`);
  if (keys.length > 0) await redis.del(...keys);
  redis.disconnect();
  await pool.end();
  await db.drop();
});

async function broker(options: { port?: number; dataDir?: string } = {}): Promise<BrokerHandle> {
  const handle = await startTestBroker(options);
  cleanup.push(() => handle.close());
  return handle;
}

function relay(brokers: string, options: Partial<OutboxRelayOptions> = {}): Promise<OutboxRelay> {
  return startUserRelay(pool, brokers, cleanup, options);
}

/** Handles every membership.role_changed event through the real consumer transport with the Redis dedupe store. */
async function dedupingConsumer(brokers: string, seen: string[]): Promise<ConsumerHandle> {
  const handle = await runConsumer({
    kafka: kafkaFor(brokers, 'dedupe-consumer'),
    groupId: `relay-test-${randomUUID()}`,
    topics: ['membership.role_changed'],
    log,
    maxWaitTimeMs: 100,
    dedupe: createRedisDedupeStore({ redis, keyPrefix: redisPrefix }),
    handle: async (event) => void seen.push(event.id),
  });
  cleanup.push(() => handle.stop());
  return handle;
}

describe('outbox relay', () => {
  it('publishes unpublished rows oldest first as catalog envelopes (event id = row id), to their topic and key, and marks them', async () => {
    const kafka = await broker();
    const invitation = SAMPLE_PAYLOADS['invitation.created'];
    const reset = SAMPLE_PAYLOADS['user.password_reset_requested'];
    const rowIds = await insertOutbox(db.prisma, [
      { type: 'invitation.created', payload: invitation, traceId: 'req-1' },
      { type: 'user.password_reset_requested', payload: reset, organizationId: null },
      { type: 'invitation.created', payload: { ...invitation, invitationId: randomUUID() }, traceId: 'req-3' },
    ]);
    const before = new Date();
    const running = await relay(kafka.brokers);
    await waitFor(async () => (await unpublishedCount(db.prisma)) === 0, 'rows marked published');

    const observer = await collect(kafkaFor(kafka.brokers), ['invitation.created', 'user.password_reset_requested']);
    cleanup.push(() => observer.stop());
    await waitFor(() => observer.messages.length === 3, '3 messages');
    const byTopic = (topic: string) => observer.messages.filter((m) => m.topic === topic);
    expect(ids(byTopic('invitation.created'))).toEqual([rowIds[0], rowIds[2]]);

    const first = decodeEvent(byTopic('invitation.created')[0]!.value);
    const rows = await db.prisma.userOutboxEvent.findMany({ orderBy: { createdAt: 'asc' } });
    expect(first).toEqual({
      id: rowIds[0],
      type: 'invitation.created',
      version: 1,
      organizationId: rows[0]!.organizationId,
      occurredAt: rows[0]!.createdAt.toISOString(),
      traceId: 'req-1',
      payload: invitation,
    });
    expect(byTopic('invitation.created')[0]!.key!.toString()).toBe(invitation.invitationId);
    const resetMessage = byTopic('user.password_reset_requested')[0]!;
    expect(resetMessage.key!.toString()).toBe(reset.userId);
    expect(decodeEvent(resetMessage.value)).toMatchObject({ id: rowIds[1], organizationId: null, traceId: null });

    for (const row of rows) expect(row.publishedAt!.getTime()).toBeGreaterThanOrEqual(before.getTime() - 1000);
    expect(running.stats()).toMatchObject({ published: 3, parked: 0, failures: 0 });
  });

  it('keeps one key in order across many batches (250 rows, batches of 40), each row published once', async () => {
    const kafka = await broker();
    const rowIds = await insertOutbox(db.prisma, roleChanges(250));
    await relay(kafka.brokers, { batchSize: 40 });
    await waitFor(async () => (await unpublishedCount(db.prisma)) === 0, 'all published');
    const observer = await collect(kafkaFor(kafka.brokers), ['membership.role_changed']);
    cleanup.push(() => observer.stop());
    await waitFor(() => observer.messages.length >= 250, '250 messages');
    await pause(200);
    expect(ids(observer.messages)).toEqual(rowIds);
  });

  it('publishes rows written while it runs, within a poll interval', async () => {
    const kafka = await broker();
    const observer = await collect(kafkaFor(kafka.brokers), ['membership.role_changed']);
    cleanup.push(() => observer.stop());
    await relay(kafka.brokers);
    await pause(1_200); // idle: the poll interval has grown to its maximum (500 ms)
    const written = Date.now();
    const [id] = await insertOutbox(db.prisma, roleChanges(1));
    await waitFor(() => observer.messages.length === 1, 'the message');
    expect(ids(observer.messages)).toEqual([id]);
    expect(Date.now() - written).toBeLessThan(1_500);
  });

  it('wakes at once on NOTIFY switchboard_outbox, without waiting for its poll', async () => {
    const kafka = await broker();
    await relay(kafka.brokers, { pollIntervalMs: 10_000, maxPollIntervalMs: 10_000 });
    await pause(300); // the first poll found nothing: the loop now sleeps for 10 s
    await insertOutbox(db.prisma, roleChanges(1));
    await pause(700);
    expect(await unpublishedCount(db.prisma)).toBe(1);
    const notified = Date.now();
    await pool.query(`NOTIFY switchboard_outbox, 'user'`);
    await waitFor(async () => (await unpublishedCount(db.prisma)) === 0, 'published after NOTIFY', 5_000);
    expect(Date.now() - notified).toBeLessThan(1_000);
  });

  it('Kafka down at start: rows stay unpublished while it retries, then all go out; the dedupe store makes the handler see each id once', async () => {
    const port = await freePort();
    const dataDir = tempDir();
    cleanup.push(async () => fs.rmSync(dataDir, { recursive: true, force: true }));
    const rowIds = await insertOutbox(db.prisma, roleChanges(30));
    const running = await relay(`127.0.0.1:${port}`);
    await pause(1_500);
    expect(await unpublishedCount(db.prisma)).toBe(30);
    expect(running.stats().failures).toBeGreaterThan(1);
    expect(running.stats().published).toBe(0);

    const kafka = await broker({ port, dataDir });
    await waitFor(async () => (await unpublishedCount(db.prisma)) === 0, 'published once Kafka is back');
    const seen: string[] = [];
    const consumer = await dedupingConsumer(kafka.brokers, seen);
    await waitFor(() => seen.length === 30, 'the handler saw 30 events');
    await pause(300);
    expect(seen).toEqual(rowIds);
    expect(consumer.stats().received - consumer.stats().duplicates).toBe(30);
  });

  it('Kafka closes mid-run and comes back on the same port and data dir: nothing lost, order kept, each id handled once', async () => {
    const dataDir = tempDir();
    cleanup.push(async () => fs.rmSync(dataDir, { recursive: true, force: true }));
    let kafka = await broker({ dataDir });
    const { port } = kafka;
    const running = await relay(kafka.brokers, { batchSize: 10 });

    // A writer keeps adding rows (one key) before, during and after the outage.
    const written: string[] = [];
    let writing = true;
    const writer = (async () => {
      while (writing) {
        written.push(...(await insertOutbox(db.prisma, roleChanges(2, '3c4d5e6f-7a8b-4c9d-8e0f-1a2b3c4d5e6f'))));
        await pause(10);
      }
    })();
    await waitFor(() => running.stats().published >= 40, 'some rows published');
    await kafka.close();
    const downAt = running.stats().published;
    await pause(1_500);
    const unpublishedWhileDown = await unpublishedCount(db.prisma);
    expect(unpublishedWhileDown).toBeGreaterThan(0);
    expect(running.stats().failures).toBeGreaterThan(0);

    kafka = await broker({ port, dataDir });
    await pause(1_000);
    writing = false;
    await writer;
    await waitFor(async () => (await unpublishedCount(db.prisma)) === 0, 'everything published after the restart');
    expect(running.stats().published).toBeGreaterThan(downAt);

    const seen: string[] = [];
    const consumer = await dedupingConsumer(kafka.brokers, seen);
    await waitFor(() => seen.length === written.length, `${written.length} events handled`);
    await pause(300);
    // Every row reached Kafka (at least once) and the handler saw each id once, in the order written.
    expect(seen).toEqual(written);
    expect(consumer.stats().received).toBeGreaterThanOrEqual(written.length);
  });

  it('a failure after the broker acked (marking rows fails) publishes them again: duplicates reach Kafka, the dedupe store hides them', async () => {
    const kafka = await broker();
    // Test-only trigger on this test database: the first two attempts to mark rows published fail
    // (a sequence is not rolled back with the transaction).
    await pool.query(`CREATE SEQUENCE IF NOT EXISTS test_mark_failures`);
    await pool.query(`
      CREATE OR REPLACE FUNCTION test_fail_marking() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF nextval('test_mark_failures') <= 2 THEN RAISE EXCEPTION 'simulated failure after the broker acked'; END IF;
        RETURN NULL;
      END $$`);
    await pool.query(`CREATE TRIGGER test_fail_marking BEFORE UPDATE ON "user"."outbox" FOR EACH STATEMENT EXECUTE FUNCTION test_fail_marking()`);
    cleanup.push(() => pool.query(`DROP TRIGGER test_fail_marking ON "user"."outbox"; DROP SEQUENCE test_mark_failures`));

    const rowIds = await insertOutbox(db.prisma, roleChanges(5));
    const running = await relay(kafka.brokers);
    await waitFor(async () => (await unpublishedCount(db.prisma)) === 0, 'published after two failed attempts');
    expect(running.stats()).toMatchObject({ published: 5, failures: 2 });

    const seen: string[] = [];
    const consumer = await dedupingConsumer(kafka.brokers, seen);
    await waitFor(() => consumer.stats().received === 15, 'three copies of each row on the topic');
    await pause(200);
    expect(seen).toEqual(rowIds);
    expect(consumer.stats()).toMatchObject({ handled: 5, duplicates: 10 });
  });

  it('leaves rows of unknown types unpublished (reported once), parks rows that violate the catalog on outbox.unreadable, and goes on', async () => {
    const kafka = await broker();
    const capture = captureLog();
    const [unknownId] = await insertOutbox(db.prisma, [{ type: 'user.deleted', payload: { userId: randomUUID() } }]);
    const [badId, goodId] = await insertOutbox(db.prisma, [
      { type: 'invitation.created', payload: { ...SAMPLE_PAYLOADS['invitation.created'], email: 'nobody' } },
      { type: 'invitation.created', payload: SAMPLE_PAYLOADS['invitation.created'] },
    ]);
    const running = await relay(kafka.brokers, { log: capture.log, unknownTypeCheckIntervalMs: 100 });
    await waitFor(async () => (await unpublishedCount(db.prisma)) === 1, 'the known rows handled');
    await pause(400);

    const observer = await collect(kafkaFor(kafka.brokers), ['invitation.created', 'outbox.unreadable']);
    cleanup.push(() => observer.stop());
    await waitFor(() => observer.messages.length === 2, '2 messages');
    const parked = observer.messages.find((m) => m.topic === 'outbox.unreadable')!;
    expect(parked.key!.toString()).toBe(badId);
    expect(parked.headers!['x-parked-reason']!.toString()).toMatch(/^INVALID_PAYLOAD/);
    expect(ids(observer.messages.filter((m) => m.topic === 'invitation.created'))).toEqual([goodId]);

    const unknownRow = await db.prisma.userOutboxEvent.findUniqueOrThrow({ where: { id: unknownId! } });
    expect(unknownRow.publishedAt).toBeNull();
    expect(running.stats()).toMatchObject({ published: 1, parked: 1, unknownTypes: { user: { 'user.deleted': 1 } } });
    const reports = capture.lines.filter((l) => l.fields.type === 'user.deleted' && l.level === 'warn');
    expect(reports).toHaveLength(1);
    // No payload value (an email) in any log line.
    expect(JSON.stringify(capture.lines)).not.toContain(SAMPLE_PAYLOADS['invitation.created'].email);
    expect(JSON.stringify(capture.lines)).not.toContain(SAMPLE_PAYLOADS['invitation.created'].token);
  });

  it('two relays on one schema: each row published exactly once, in order (one publishes at a time)', async () => {
    const kafka = await broker();
    const rowIds = await insertOutbox(db.prisma, roleChanges(200));
    const a = await relay(kafka.brokers, { batchSize: 15, pollIntervalMs: 5 });
    const b = await relay(kafka.brokers, { batchSize: 15, pollIntervalMs: 5 });
    await waitFor(async () => (await unpublishedCount(db.prisma)) === 0, 'all published');
    const observer = await collect(kafkaFor(kafka.brokers), ['membership.role_changed']);
    cleanup.push(() => observer.stop());
    await waitFor(() => observer.messages.length >= 200, '200 messages');
    await pause(300);
    expect(ids(observer.messages)).toEqual(rowIds);
    expect(a.stats().published + b.stats().published).toBe(200);
  });

  it('claims with an index scan in the index order that stops at its limit, skipping rows published since the last vacuum', async () => {
    // 3,000 rows published, as a busy relay leaves them between vacuums (none runs here), then 3 waiting.
    await pool.query(`
      INSERT INTO "user"."outbox" (id, type, payload, created_at)
      SELECT gen_random_uuid(), 'membership.role_changed', '{}'::jsonb, now() - interval '1 hour' + g * interval '1 ms'
        FROM generate_series(1, 3000) AS g`);
    await pool.query(`UPDATE "user"."outbox" SET published_at = now()`);
    const waiting = await insertOutbox(db.prisma, roleChanges(3));
    const store = new OutboxStore('user');
    const client = await pool.connect();
    try {
      await client.query(`BEGIN; SET LOCAL ${PLAIN_INDEX_SCANS}`);
      const blocksRead: number[] = [];
      for (let round = 0; round < 2; round++) {
        const nodes = await explainNodes(client, store.claimStatement(['membership.role_changed'], 100));
        const types = nodes.map((node) => node['Node Type']);
        expect(types[0]).toBe('Limit');
        expect(types).toContain('LockRows');
        expect(types).not.toContain('Sort');
        expect(types.filter((type) => type.startsWith('Bitmap'))).toEqual([]);
        const scan = indexScanOf(nodes)!;
        expect(scan['Index Name']).toBe('outbox_published_at_created_at_id_idx');
        expect(scan['Actual Rows']).toBe(3);
        blocksRead.push(blocksOf(scan));
      }
      // The first claim marked the published rows' entries dead: the next one does not visit their rows.
      expect(blocksRead[1]).toBeLessThan(blocksRead[0]! / 2);
      await client.query('ROLLBACK');
      const claimed = await store.beginAndClaim(client, ['membership.role_changed'], 100);
      expect(claimed.map((row) => row.id)).toEqual(waiting);
    } finally {
      await client.query('ROLLBACK');
      client.release();
    }
  });

  it('claims nothing, and locks nothing, while another relay holds the schema', async () => {
    const waiting = await insertOutbox(db.prisma, roleChanges(2));
    const store = new OutboxStore('user');
    const [holder, other] = [await pool.connect(), await pool.connect()];
    try {
      expect((await store.beginAndClaim(holder, ['membership.role_changed'], 100)).map((row) => row.id)).toEqual(waiting);
      await holder.query('ROLLBACK');
      // The holder keeps the schema's lock (and no rows) while the other one tries.
      await holder.query(`BEGIN; SELECT pg_advisory_xact_lock(hashtext('switchboard.outbox-relay'), hashtext('user'))`);
      expect(await store.beginAndClaim(other, ['membership.role_changed'], 100)).toEqual([]);
      const free = await pool.query(`SELECT id FROM "user"."outbox" WHERE published_at IS NULL FOR UPDATE SKIP LOCKED`);
      expect(free.rows.map((row: { id: string }) => row.id).sort()).toEqual([...waiting].sort());
    } finally {
      await other.query('ROLLBACK');
      await holder.query('ROLLBACK');
      holder.release();
      other.release();
    }
  });

  it('refuses to start on a schema without an outbox table', async () => {
    await expect(relay('127.0.0.1:1', { schemas: ['user', 'nosuchschema'] })).rejects.toThrow(/no outbox table in schema\(s\): nosuchschema/);
    await expect(relay('127.0.0.1:1', { schemas: ['Robert"; DROP TABLE x; --'] })).rejects.toThrow(/invalid outbox schema name/);
  });

  it('with schemas "all", finds every schema that has an outbox table', async () => {
    const running = await relay('127.0.0.1:1', { schemas: 'all' });
    expect(running.schemas).toContain('user');
  });
});
