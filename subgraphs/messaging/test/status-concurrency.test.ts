import { randomUUID } from 'node:crypto';
import { createPrismaClient, sqlPoolOf, type SqlExecutor } from '@switchboard/db';
import pg from 'pg';
import { createMessagingRuntime } from '../src/services';
import { StatusStore, type StatusWrite } from '../src/store/status-store';
import type { StatusReport, StatusService } from '../src/domain/status-service';
import { CREATE_SENDER, SEND, startMessagingSubgraph, type MessagingHarness } from './harness';

/*
 * Status writes are optimistic (no lock held from the read to the write): these race several
 * "processes" (status services with their own batching) on the same messages and check what a user
 * reads afterwards — one history entry per status, in order, numbered without gaps, one event per
 * change, nothing applied twice.
 */

let h: MessagingHarness;
let org: ReturnType<MessagingHarness['organization']>;
let senderId: string;
/** Three status services over the same database, as three processes would have. */
let services: StatusService[];

beforeAll(async () => {
  h = await startMessagingSubgraph();
  org = h.organization();
  const created = await h.graphql(CREATE_SENDER, { input: { name: 'SMS', kind: 'SMS_NUMBER', address: '+14155550177' } }, org.admin);
  senderId = created.data!.createSender.id;
  services = [h.runtime.services.statuses, ...[1, 2].map(() => createMessagingRuntime(h.deps).services.statuses)];
}, 60_000);

afterAll(async () => {
  await h?.close();
});

async function queued(count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i += 1) {
    const to = `+1415777${String(1000 + i).slice(-4)}`;
    const sent = await h.graphql(SEND, { input: { channel: 'SMS', to, senderId, body: `race ${i}` } }, org.agent);
    ids.push(sent.data!.sendMessage.message.id);
  }
  return ids;
}

function report(messageId: string, status: StatusReport['status'], extra: Partial<StatusReport> = {}): StatusReport {
  return {
    organizationId: org.id,
    messageId,
    status,
    at: new Date(),
    source: 'WEBHOOK',
    providerMessageId: null,
    errorCode: null,
    errorReason: null,
    eventId: null,
    traceId: null,
    ...extra,
  };
}

/** A worker's SENDING for a message planned at `revision`, as the status service writes it. */
function sendingWrite(messageId: string, revision: number, historyStart: number): StatusWrite {
  return {
    messageId,
    revision,
    historyStart,
    status: 'SENDING',
    providerMessageId: null,
    errorCode: null,
    errorReason: null,
    attempts: 1,
    history: [{ status: 'SENDING', at: new Date(), source: 'WORKER', providerCode: null, eventId: randomUUID() }],
    events: [],
  };
}

/** An array parameter as PostgreSQL's array literal (EXPLAIN EXECUTE takes its values as literals). */
function arrayLiteral(values: unknown[]): string {
  const element = (value: unknown) =>
    value === null ? 'NULL' : `"${String(value instanceof Date ? value.toISOString() : value).replace(/[\\"]/gu, (c) => `\\${c}`)}"`;
  return `{${values.map(element).join(',')}}`;
}

async function historyOf(messageId: string) {
  return h.prisma.messageStatusChange.findMany({ where: { messageId }, orderBy: { sequence: 'asc' } });
}

async function changeEventsOf(messageId: string): Promise<string[]> {
  const rows = await h.prisma.messagingOutboxEvent.findMany({ where: { type: 'message.status_changed' }, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] });
  return rows.filter((row) => (row.payload as { messageId: string }).messageId === messageId).map((row) => (row.payload as { status: string }).status);
}

describe('status reports racing on the same messages', () => {
  it('applies each status once, in order, whatever the interleaving', async () => {
    const ids = await queued(12);
    const sendingEvent = new Map(ids.map((id) => [id, randomUUID()]));
    const calls: Promise<unknown>[] = [];
    for (let round = 0; round < 4; round += 1) {
      for (const id of ids) {
        const providerMessageId = `SM${id.replace(/-/gu, '')}`;
        // The worker's SENDING (the same event redelivered) and SENT, and the provider's callbacks
        // (duplicated, out of order), each from another process.
        calls.push(services[round % 3]!.apply(report(id, 'SENDING', { source: 'WORKER', eventId: sendingEvent.get(id)! })));
        calls.push(services[(round + 1) % 3]!.apply(report(id, 'DELIVERED', { providerMessageId })));
        calls.push(services[(round + 2) % 3]!.applyAll([report(id, 'SENT', { source: 'WORKER', providerMessageId, eventId: randomUUID() })]));
        calls.push(services[round % 3]!.apply(report(id, 'SENT', { providerMessageId })));
      }
    }
    await Promise.all(calls);

    for (const id of ids) {
      const message = await h.prisma.message.findUniqueOrThrow({ where: { id } });
      expect(message.status).toBe('DELIVERED');
      expect(message.providerMessageId).toBe(`SM${id.replace(/-/gu, '')}`);
      expect(message.attempts).toBeGreaterThanOrEqual(1);
      const history = await historyOf(id);
      expect(history.map((entry) => entry.sequence)).toEqual(history.map((_, index) => index));
      expect(message.historyLength).toBe(history.length);
      const statuses = history.map((entry) => entry.status);
      // Forward only, each status once: a prefix of the path, ending at DELIVERED.
      expect(new Set(statuses).size).toBe(statuses.length);
      expect(statuses[0]).toBe('QUEUED');
      expect(statuses.at(-1)).toBe('DELIVERED');
      const order = ['QUEUED', 'SENDING', 'SENT', 'DELIVERED'];
      expect([...statuses].sort((a, b) => order.indexOf(a) - order.indexOf(b))).toEqual(statuses);
      // One `message.status_changed` per change, in the order applied.
      expect(await changeEventsOf(id)).toEqual(statuses.slice(1));
    }
  }, 60_000);

  it('a batch with an unknown message, a foreign one and a bad id applies the rest', async () => {
    const [id] = await queued(1);
    const foreign = h.organization();
    const outcomes = await services[0]!.applyAll([
      report(randomUUID(), 'SENT'),
      report(id!, 'SENT', { organizationId: foreign.id }),
      report('not-a-uuid', 'SENT'),
      report(id!, 'SENDING', { source: 'WORKER', eventId: randomUUID() }),
      report(id!, 'READ'),
    ]);
    expect(outcomes.map((outcome) => outcome.kind)).toEqual(['UNKNOWN_MESSAGE', 'UNKNOWN_MESSAGE', 'UNKNOWN_MESSAGE', 'APPLIED', 'APPLIED']);
    // READ without DELIVERED records the skipped DELIVERED first (SYSTEM).
    const history = await historyOf(id!);
    expect(history.map((entry) => [entry.status, entry.source])).toEqual([
      ['QUEUED', 'API'],
      ['SENDING', 'WORKER'],
      ['DELIVERED', 'SYSTEM'],
      ['READ', 'WEBHOOK'],
    ]);
  });

  it('a SENDING event redelivered to every process is one attempt', async () => {
    const [id] = await queued(1);
    const sending = report(id!, 'SENDING', { source: 'WORKER', eventId: randomUUID() });
    await services[0]!.apply(sending);
    await services[0]!.apply(report(id!, 'SENT', { source: 'WORKER', providerMessageId: `SM${randomUUID()}`, eventId: randomUUID() }));
    for (const service of services) expect(await service.apply(sending)).toEqual({ kind: 'IGNORED', because: 'EVENT_ALREADY_APPLIED' });
    expect((await h.prisma.message.findUniqueOrThrow({ where: { id: id! } })).attempts).toBe(1);
  });

  it('a SENDING that arrives after the message moved on, redelivered to every process, counts its attempt once', async () => {
    const [id] = await queued(1);
    await services[0]!.apply(report(id!, 'SENT', { source: 'WEBHOOK', providerMessageId: `SM${randomUUID()}` }));
    // The worker's SENDING of attempt 2, late: ignored by the state machine (not in the history),
    // then redelivered (a crash before its offset was committed) to each process in turn.
    const late = report(id!, 'SENDING', { source: 'WORKER', eventId: randomUUID(), attempts: 2 });
    for (const service of services) expect(await service.apply(late)).toEqual({ kind: 'IGNORED', because: expect.any(String) });
    for (const service of services) await service.apply(late);
    expect((await h.prisma.message.findUniqueOrThrow({ where: { id: id! } })).attempts).toBe(2);
  });

  it('a provider id another message holds is not recorded, and the status still applies', async () => {
    const [first, second] = await queued(2);
    const shared = `SM${randomUUID().replace(/-/gu, '')}`;
    await services[0]!.apply(report(first!, 'SENT', { source: 'WORKER', providerMessageId: shared, eventId: randomUUID() }));
    const outcome = await services[1]!.apply(report(second!, 'SENT', { source: 'WORKER', providerMessageId: shared, eventId: randomUUID() }));
    expect(outcome).toEqual({ kind: 'APPLIED', previous: 'QUEUED', status: 'SENT' });
    const [a, b] = await Promise.all([first!, second!].map((id) => h.prisma.message.findUniqueOrThrow({ where: { id } })));
    expect(a!.providerMessageId).toBe(shared);
    expect(b!.providerMessageId).toBeNull();
    expect(b!.status).toBe('SENT');
  });

  it('reads and writes the messages of a batch by their key, with plans made once while the table was small', async () => {
    const [first, second] = await queued(2);
    const ids = [first!, second!];
    /**
     * The store's statements on one session: each run, then explained as that session's cached
     * plan for it (EXPLAIN EXECUTE) with the same values.
     */
    const explainedOn = (client: pg.ClientBase, plans: string[]): SqlExecutor => ({
      query: (async (config: { text: string; values: unknown[]; name?: string }) => {
        const result = await client.query(config);
        if (config.name === undefined) throw new Error('a hot statement is not named');
        const parameters = config.values.map((value) => client.escapeLiteral(arrayLiteral(value as unknown[]))).join(', ');
        const explained = await client.query<{ 'QUERY PLAN': string }>(`EXPLAIN EXECUTE "${config.name}"(${parameters})`);
        plans.push(explained.rows.map((row) => row['QUERY PLAN']).join('\n'));
        return result;
      }) as unknown as SqlExecutor['query'],
    });
    // Two sessions from the start, while the table holds a few messages: the plain-SQL pool's, and
    // one that also plans once per connection but may scan tables (its plans are the control).
    const pool = createPrismaClient(h.databaseUrl, { poolSize: 1 });
    const own = await sqlPoolOf(pool).connect();
    const control = new pg.Client({ connectionString: h.databaseUrl, options: '-c plan_cache_mode=force_generic_plan' });
    await control.connect();
    try {
      const run = async (client: pg.ClientBase, messageIds: string[]): Promise<string[]> => {
        const plans: string[] = [];
        const store = new StatusStore(explainedOn(client, plans));
        const states = await store.load(messageIds, [randomUUID()]);
        await store.write(messageIds.map((id) => sendingWrite(id, states.get(id)!.revision, states.get(id)!.historyLength)));
        return plans;
      };
      await run(own, [ids[0]!]);
      await run(control, [ids[1]!]);
      // 3,000 more messages, and no ANALYZE since: nothing tells the sessions to plan again.
      await h.prisma.$executeRawUnsafe(
        `INSERT INTO "messaging"."message"
         SELECT (jsonb_populate_record(NULL::"messaging"."message", to_jsonb(m) || jsonb_build_object('id', gen_random_uuid(), 'idempotency_key', NULL))).*
           FROM "messaging"."message" m, generate_series(1, 3000) WHERE m.id = $1::uuid`,
        first,
      );
      const [fresh] = await queued(1);
      const plans = await run(own, [fresh!]);
      expect(plans).toHaveLength(2);
      for (const plan of plans) {
        expect(plan).not.toMatch(/Seq Scan on message\b/u);
        expect(plan).toMatch(/Index Scan using message_pkey on message/u);
      }
      // Without the pool's settings, the plans made on the small table read all of it, every time.
      const controlPlans = await run(control, [fresh!]);
      expect(controlPlans.some((plan) => /Seq Scan on message\b/u.test(plan))).toBe(true);
    } finally {
      own.release();
      await control.end();
      await pool.$disconnect();
    }
  });
});

describe('status batches writing the same messages at once', () => {
  /** A SENDING write for a message at its current revision. */
  async function sendingWriteNow(store: StatusStore, messageId: string): Promise<StatusWrite> {
    const state = (await store.load([messageId], [])).get(messageId)!;
    return sendingWrite(messageId, state.revision, state.historyLength);
  }

  /** Backends of this database waiting for a lock. */
  async function waitingForLocks(): Promise<number> {
    const [row] = await h.prisma.$queryRaw<{ count: bigint }[]>`
      SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`;
    return Number(row!.count);
  }

  async function untilWaiting(count: number): Promise<void> {
    const deadline = Date.now() + 10_000;
    while ((await waitingForLocks()) < count) {
      if (Date.now() > deadline) throw new Error(`expected ${count} backends waiting for a lock`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  /**
   * Another transaction holds `held` while `first` starts, then `second` (each waits for a lock
   * before the next starts); the holder commits and both end. What each batch wrote.
   */
  async function raceBehindHolder(held: string, first: () => Promise<Set<string>>, second: () => Promise<Set<string>>) {
    const holder = await sqlPoolOf(h.prisma).connect();
    try {
      await holder.query('BEGIN');
      await holder.query('SELECT 1 FROM "messaging"."message" WHERE id = $1 FOR UPDATE', [held]);
      const started = [first()];
      await untilWaiting(1);
      started.push(second());
      await untilWaiting(2);
      await holder.query('COMMIT');
      return await Promise.allSettled(started);
    } finally {
      holder.release();
    }
  }

  it('take the rows in one order, so they never deadlock (a deadlock cost a second and failed a batch)', async () => {
    const store = new StatusStore(sqlPoolOf(h.prisma));
    const [x, y] = (await queued(2)).sort();
    const writes = { x: await sendingWriteNow(store, x!), y: await sendingWriteNow(store, y!) };

    // Taking y first, the second batch would wait for x behind the first, which then waits for
    // y: a deadlock PostgreSQL only breaks after deadlock_timeout (1 s), failing one of them.
    const [a, b] = await raceBehindHolder(x!, () => store.write([writes.x, writes.y]), () => store.write([writes.y, writes.x]));
    expect(a).toEqual({ status: 'fulfilled', value: new Set([x, y]) });
    // Planned from the same revisions: the second writes nothing and its caller plans again.
    expect(b).toEqual({ status: 'fulfilled', value: new Set() });
    for (const id of [x!, y!]) expect((await historyOf(id)).map((entry) => entry.status)).toEqual(['QUEUED', 'SENDING']);
  });

  it('take them in one order whatever the plan reads first (the ids, or the places in the table)', async () => {
    const pool = sqlPoolOf(h.prisma);
    const store = new StatusStore(pool);
    // Two messages whose places in the table are in the other order than their ids: the one
    // written first has the larger id.
    let x = '';
    let y = '';
    for (let tries = 0; x === ''; tries += 1) {
      const [earlier, later] = await queued(2);
      if (earlier! > later!) [x, y] = [later!, earlier!];
      if (tries > 20) throw new Error('no pair stored against the order of its ids');
    }
    const writes = { x: await sendingWriteNow(store, x), y: await sendingWriteNow(store, y) };

    // A session whose plans read the messages by their place in the table (a bitmap scan, hashed),
    // new so that it plans the store's statements under these settings.
    const byPlace = new pg.Client({
      connectionString: h.databaseUrl,
      options: '-c plan_cache_mode=force_generic_plan -c enable_nestloop=off -c enable_mergejoin=off -c enable_indexscan=off -c enable_seqscan=off',
    });
    await byPlace.connect();
    try {
      // Read by place, y comes first: without locking by id first, the second batch held y while
      // waiting for x behind the first, which then waited for y.
      const [a, b] = await raceBehindHolder(x, () => store.write([writes.x, writes.y]), () => new StatusStore(byPlace).write([writes.x, writes.y]));
      expect(a).toEqual({ status: 'fulfilled', value: new Set([x, y]) });
      expect(b).toEqual({ status: 'fulfilled', value: new Set() });
    } finally {
      await byPlace.end();
    }
  });
});
