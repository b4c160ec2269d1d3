import type { Logger } from '@switchboard/config';
import { eventCatalog, isUnreadableEventError, type EncodedEvent, type EventCatalog, type EventEnvelope } from '@switchboard/events';
import { backoffMs, connectProducer, sendEvents, sleep, type Kafka, type Producer } from '@switchboard/kafka';
import pg from 'pg';
import { OutboxStore, PLAIN_INDEX_SCANS, type OutboxRow } from './outbox-store';
import { WakeSignal } from './wake-signal';

/** Rows whose payload does not match the catalog are published here (and marked published). */
export const OUTBOX_UNREADABLE_TOPIC = 'outbox.unreadable';
/** Default LISTEN channel: `NOTIFY switchboard_outbox, '<schema>'` after writing outbox rows wakes the relay at once. */
export const DEFAULT_NOTIFY_CHANNEL = 'switchboard_outbox';
/** Published rows are kept this long (hours) by default; see the README for why. */
export const DEFAULT_RETENTION_HOURS = 24;

export interface OutboxRelayOptions {
  /** A pg pool to use (left open on stop), or a URL to open one (closed on stop). */
  pool?: pg.Pool;
  databaseUrl?: string;
  kafka: Kafka;
  /** PostgreSQL schemas whose `outbox` table to relay, or `all`: every schema that has one (looked up at start). */
  schemas: string[] | 'all';
  log: Logger;
  /** Default: the Switchboard catalog. */
  catalog?: EventCatalog;
  /** Rows claimed per transaction (default 100). */
  batchSize?: number;
  /** Poll delay after finding work (default 100 ms), doubling while idle up to `maxPollIntervalMs` (default 500 ms). */
  pollIntervalMs?: number;
  maxPollIntervalMs?: number;
  /** Backoff after a failure (Kafka or PostgreSQL unreachable): from `initialMs` (200) doubling to `maxMs` (5 000). */
  retry?: { initialMs?: number; maxMs?: number };
  /** Longest wait for the broker's acks while the rows stay locked (default 15 s). */
  sendTimeoutMs?: number;
  /** LISTEN channel for early wake-ups (default `switchboard_outbox`; null: poll only). */
  notifyChannel?: string | null;
  /** How often unpublished rows of unknown types are looked for and reported (default 60 s). */
  unknownTypeCheckIntervalMs?: number;
  /**
   * Deletion of published rows. Every `intervalMs` (default 60 s, with ±50 % jitter), for each
   * schema, rows published more than `hours` ago (default 24; 0: never delete) are deleted in
   * statements of at most `batchSize` rows (default 5 000), until none is left or the relay stops.
   * Unpublished rows are never deleted.
   */
  retention?: { hours?: number; batchSize?: number; intervalMs?: number };
}

export interface RelayStats {
  /** Rows published to their topic and marked published. */
  published: number;
  /** Rows whose payload did not match the catalog: published to outbox.unreadable and marked. */
  parked: number;
  /** Transactions that published at least one row. */
  batches: number;
  /** Attempts that failed (Kafka or PostgreSQL trouble) and were retried. */
  failures: number;
  /** Unpublished rows left alone because their type is not in the catalog, by schema and type. */
  unknownTypes: Record<string, Record<string, number>>;
  /** Published rows deleted after their retention. */
  deleted: number;
}

export interface OutboxRelay {
  readonly schemas: string[];
  stats(): RelayStats;
  /** Wakes the loops (of one schema, or all) now instead of at their next poll. */
  wake(schema?: string): void;
  /** Finishes the batch in flight, then stops; nothing is left half-published. */
  stop(): Promise<void>;
}

const CHANNEL_NAME = /^[a-z_][a-z0-9_]{0,62}$/u;

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Schemas that have an `outbox` table. */
async function discoverSchemas(pool: pg.Pool): Promise<string[]> {
  const result = await pool.query<{ schema: string }>(
    `SELECT table_schema AS schema FROM information_schema.tables
      WHERE table_name = 'outbox' AND table_type = 'BASE TABLE' ORDER BY table_schema`,
  );
  return result.rows.map((row) => row.schema);
}

async function missingTables(pool: pg.Pool, schemas: string[]): Promise<string[]> {
  const present = new Set(await discoverSchemas(pool));
  return schemas.filter((schema) => !present.has(schema));
}

/**
 * The transactional-outbox relay. For each schema, in a loop: claim the oldest unpublished rows
 * (`ORDER BY created_at, id … FOR UPDATE SKIP LOCKED`, under a per-schema advisory lock so that
 * only one relay instance publishes a schema at a time), wrap each in the catalog's envelope (event
 * id = row id, so consumers de-duplicate redeliveries), publish them to the catalog's topic and
 * key, wait for the broker's acks, then mark them published in the same transaction. If Kafka is
 * unreachable the transaction rolls back (nothing is marked) and the loop retries with backoff.
 * On a timer, rows published longer ago than the retention are deleted, a bounded batch at a time.
 */
export async function startOutboxRelay(options: OutboxRelayOptions): Promise<OutboxRelay> {
  const log = options.log.child({ component: 'outbox-relay' });
  const catalog = options.catalog ?? eventCatalog;
  const knownTypes = catalog.types();
  const batchSize = options.batchSize ?? 100;
  const pollIntervalMs = options.pollIntervalMs ?? 100;
  const maxPollIntervalMs = Math.max(pollIntervalMs, options.maxPollIntervalMs ?? 500);
  const retryInitialMs = options.retry?.initialMs ?? 200;
  const retryMaxMs = options.retry?.maxMs ?? 5_000;
  const sendTimeoutMs = options.sendTimeoutMs ?? 15_000;
  const notifyChannel = options.notifyChannel === undefined ? DEFAULT_NOTIFY_CHANNEL : options.notifyChannel;
  if (notifyChannel !== null && !CHANNEL_NAME.test(notifyChannel)) throw new Error(`invalid notify channel "${notifyChannel}"`);
  const retentionHours = options.retention?.hours ?? DEFAULT_RETENTION_HOURS;
  const retentionBatchSize = options.retention?.batchSize ?? 5_000;
  const retentionIntervalMs = options.retention?.intervalMs ?? 60_000;
  if (!Number.isFinite(retentionHours) || retentionHours < 0) throw new Error('retention.hours must be a number of hours, 0 or more');
  if (!Number.isSafeInteger(retentionBatchSize) || retentionBatchSize < 1) throw new Error('retention.batchSize must be a positive integer');
  if (!(retentionIntervalMs > 0)) throw new Error('retention.intervalMs must be positive');

  if (!options.pool && !options.databaseUrl) throw new Error('startOutboxRelay needs a pool or a databaseUrl');
  const ownsPool = !options.pool;
  // Bitmap scans off for the relay's statements (see OutboxStore): its own connections from the
  // start, a pool it is given inside each claiming transaction.
  const pool =
    options.pool ??
    new pg.Pool({ connectionString: options.databaseUrl, max: 4, application_name: 'outbox-relay', options: `-c ${PLAIN_INDEX_SCANS}` });
  const onPoolError = (error: Error): void => log.warn({ err: errorText(error) }, 'idle PostgreSQL connection failed');
  pool.on('error', onPoolError);
  /**
   * A pool of our own is ended with its error listener still on: a connection the server ends
   * meanwhile (its database dropped, a restart) must not become an unhandled 'error' event. A
   * pool we were lent only loses our listener.
   */
  const releasePool = async (): Promise<void> => {
    if (ownsPool) await pool.end();
    else pool.off('error', onPoolError);
  };

  let schemas: string[];
  try {
    if (options.schemas === 'all') {
      schemas = await discoverSchemas(pool);
    } else {
      schemas = [...new Set(options.schemas)];
      schemas.forEach((schema) => new OutboxStore(schema)); // validates the names
      const missing = await missingTables(pool, schemas);
      if (missing.length > 0) throw new Error(`no outbox table in schema(s): ${missing.join(', ')}`);
    }
  } catch (error) {
    await releasePool();
    throw error;
  }

  const stats: RelayStats = { published: 0, parked: 0, batches: 0, failures: 0, unknownTypes: {}, deleted: 0 };
  const stopController = new AbortController();
  let stopping = false;
  const signals = new Map(schemas.map((schema) => [schema, new WakeSignal()]));
  const wake = (schema?: string): void => {
    if (schema && signals.has(schema)) signals.get(schema)!.wake();
    else signals.forEach((signal) => signal.wake());
  };

  // One producer shared by the loops; dropped after a failed send so the next attempt reconnects.
  let producer: Producer | null = null;
  let connecting: Promise<Producer> | null = null;
  const getProducer = (): Promise<Producer> => {
    if (producer) return Promise.resolve(producer);
    connecting ??= connectProducer(options.kafka, { log, retry: { retries: 2, initialRetryTime: 100, maxRetryTime: 1_000 } })
      .then(({ producer: connected, idempotent }) => {
        log.info({ idempotent }, 'connected to Kafka');
        producer = connected;
        return connected;
      })
      .finally(() => {
        connecting = null;
      });
    return connecting;
  };
  const dropProducer = (): void => {
    const old = producer;
    producer = null;
    void old?.disconnect().catch(() => {});
  };

  function encodeRows(schema: string, rows: OutboxRow[]): { messages: EncodedEvent[]; parked: number } {
    const messages: EncodedEvent[] = [];
    let parked = 0;
    for (const row of rows) {
      const definition = catalog.find(row.type)!;
      const envelope: EventEnvelope = {
        id: row.id,
        type: row.type,
        version: definition.version,
        organizationId: row.organizationId,
        occurredAt: row.createdAt.toISOString(),
        traceId: row.traceId,
        payload: row.payload,
      };
      try {
        messages.push(catalog.encode(envelope));
      } catch (error) {
        if (!isUnreadableEventError(error)) throw error;
        parked += 1;
        log.error(
          { schema, eventId: row.id, type: row.type, reason: error.reason, issues: error.details.issues },
          `outbox row does not match the event catalog; publishing it to ${OUTBOX_UNREADABLE_TOPIC}`,
        );
        messages.push({
          topic: OUTBOX_UNREADABLE_TOPIC,
          key: row.id,
          value: JSON.stringify(envelope),
          headers: {
            'event-id': row.id,
            'event-type': row.type,
            'x-parked-reason': `${error.reason}: ${error.message}`,
            'x-outbox-schema': schema,
          },
        });
      }
    }
    return { messages, parked };
  }

  // A connection that dies while checked out emits 'error' on its client: handled (the query fails too).
  const guarded = new WeakSet<pg.PoolClient>();
  const guard = (client: pg.PoolClient): void => {
    if (guarded.has(client)) return;
    guarded.add(client);
    client.on('error', (error) => log.debug({ err: errorText(error) }, 'PostgreSQL connection failed'));
  };

  /**
   * One transaction: claim (with BEGIN), publish, mark (with COMMIT): two round trips to
   * PostgreSQL. Returns the number of rows it took care of.
   */
  async function relayOnce(store: OutboxStore): Promise<number> {
    const client = await pool.connect();
    guard(client);
    try {
      const rows = await store.beginAndClaim(client, knownTypes, batchSize);
      if (rows.length === 0) {
        await client.query('ROLLBACK');
        return 0;
      }
      const { messages, parked } = encodeRows(store.schema, rows);
      try {
        // Kafka is only reached when there is something to publish.
        const connected = await getProducer();
        await withTimeout(sendEvents(connected, messages), sendTimeoutMs, 'publishing to Kafka');
      } catch (error) {
        dropProducer();
        throw error;
      }
      await store.markPublishedAndCommit(
        client,
        rows.map((row) => row.id),
      );
      stats.published += rows.length - parked;
      stats.parked += parked;
      stats.batches += 1;
      log.debug({ schema: store.schema, rows: rows.length }, 'outbox rows published');
      return rows.length;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {});
      throw error;
    } finally {
      client.release();
    }
  }

  async function runSchema(schema: string): Promise<void> {
    const store = new OutboxStore(schema);
    const signal = signals.get(schema)!;
    let idleMs = pollIntervalMs;
    let failures = 0;
    let failingSince = 0;
    while (!stopping) {
      let handled: number;
      try {
        handled = await relayOnce(store);
      } catch (error) {
        failures += 1;
        stats.failures += 1;
        if (failures === 1) {
          failingSince = Date.now();
          log.warn({ schema, err: errorText(error) }, 'could not publish outbox rows; retrying with backoff');
        } else {
          log.debug({ schema, failures, err: errorText(error) }, 'still failing to publish outbox rows');
        }
        await sleep(backoffMs(failures, retryInitialMs, retryMaxMs), stopController.signal);
        continue;
      }
      if (failures > 0) {
        log.info({ schema, failedAttempts: failures, downMs: Date.now() - failingSince }, 'publishing outbox rows again');
        failures = 0;
      }
      if (handled >= batchSize) {
        idleMs = pollIntervalMs;
        continue;
      }
      idleMs = handled > 0 ? pollIntervalMs : Math.min(idleMs * 2, maxPollIntervalMs);
      await signal.wait(idleMs, stopController.signal);
    }
  }

  /** Reports unpublished rows of types the catalog does not know, once per type. */
  const reported = new Set<string>();
  async function checkUnknownTypes(): Promise<void> {
    for (const schema of schemas) {
      try {
        const unknown = await new OutboxStore(schema).unknownTypes(pool, knownTypes);
        stats.unknownTypes[schema] = Object.fromEntries(unknown.map((u) => [u.type, u.count]));
        for (const { type, count } of unknown) {
          if (reported.has(`${schema}:${type}`)) continue;
          reported.add(`${schema}:${type}`);
          log.warn(
            { schema, type, count },
            'outbox rows of a type the event catalog does not know stay unpublished until a relay with that type in its catalog runs',
          );
        }
      } catch (error) {
        log.debug({ schema, err: errorText(error) }, 'could not look for unknown outbox types');
      }
    }
  }
  const unknownCheck = (async () => {
    while (!stopping) {
      await checkUnknownTypes();
      await sleep(options.unknownTypeCheckIntervalMs ?? 60_000, stopController.signal);
    }
  })();

  /**
   * Deletes a schema's published rows past the retention, a batch per statement (each its own
   * transaction, so no statement holds many locks or writes much WAL at once), until a batch comes
   * back short: nothing more is due, or another relay instance is deleting this schema's rows.
   */
  async function deleteExpired(schema: string): Promise<void> {
    const store = new OutboxStore(schema);
    let deleted = 0;
    let batches = 0;
    try {
      for (;;) {
        const count = await store.deletePublished(pool, retentionHours, retentionBatchSize);
        deleted += count;
        batches += 1;
        stats.deleted += count;
        if (count < retentionBatchSize || stopping) break;
      }
    } finally {
      if (deleted > 0) log.info({ schema, deleted, batches, retentionHours }, 'deleted published outbox rows past their retention');
    }
  }
  const retentionFailures = new Map<string, number>();
  const retention = (async () => {
    if (retentionHours === 0) return;
    while (!stopping) {
      // Jittered, so relay instances started together do not all try at the same moment.
      await sleep(retentionIntervalMs * (0.5 + Math.random()), stopController.signal);
      for (const schema of schemas) {
        if (stopping) break;
        try {
          await deleteExpired(schema);
          retentionFailures.delete(schema);
        } catch (error) {
          const failures = (retentionFailures.get(schema) ?? 0) + 1;
          retentionFailures.set(schema, failures);
          if (failures === 1) log.warn({ schema, err: errorText(error) }, 'could not delete published outbox rows; trying again at the next interval');
          else log.debug({ schema, failures, err: errorText(error) }, 'still failing to delete published outbox rows');
        }
      }
    }
  })();

  // LISTEN for early wake-ups; polling covers writers that do not NOTIFY and a lost connection.
  let closeListener: (() => void) | null = null;
  const listen = async (): Promise<void> => {
    for (let attempt = 1; notifyChannel !== null && !stopping; attempt++) {
      try {
        const client = await pool.connect();
        try {
          // Ends on a connection error or when the relay stops (also if it stopped while connecting).
          const lost = new Promise<void>((resolve) => {
            client.on('error', () => resolve());
            closeListener = resolve;
            if (stopping) resolve();
          });
          client.on('notification', (message) => {
            if (message.channel === notifyChannel) wake(message.payload || undefined);
          });
          await client.query(`LISTEN ${notifyChannel}`);
          attempt = 0;
          await lost;
        } finally {
          closeListener = null;
          client.release(true);
        }
        if (!stopping) log.warn('lost the LISTEN connection; reconnecting');
      } catch (error) {
        log.debug({ err: errorText(error) }, 'could not LISTEN; polling meanwhile');
        await sleep(backoffMs(Math.max(attempt, 1), retryInitialMs, retryMaxMs), stopController.signal);
      }
    }
  };
  const listening = listen();

  if (schemas.length === 0) log.warn('no outbox table to relay');
  const loops = schemas.map((schema) => runSchema(schema));
  log.info({ schemas, batchSize, notifyChannel, retentionHours }, 'outbox relay started');

  let stopped: Promise<void> | undefined;
  return {
    schemas,
    stats: () => ({ ...stats, unknownTypes: structuredClone(stats.unknownTypes) }),
    wake,
    stop() {
      stopped ??= (async () => {
        stopping = true;
        stopController.abort();
        closeListener?.();
        await Promise.all([...loops, unknownCheck, retention, listening]);
        await connecting?.catch(() => {});
        const last = producer;
        producer = null;
        await last?.disconnect().catch(() => {});
        await releasePool();
        log.info({ published: stats.published, parked: stats.parked }, 'outbox relay stopped');
      })();
      return stopped;
    },
  };
}
