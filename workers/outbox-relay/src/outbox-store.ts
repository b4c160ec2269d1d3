import type pg from 'pg';

/** A row of a `"<schema>"."outbox"` table (the convention of prisma/schema/user.prisma, UserOutboxEvent). */
export interface OutboxRow {
  id: string;
  type: string;
  payload: unknown;
  organizationId: string | null;
  traceId: string | null;
  createdAt: Date;
}

/**
 * The setting under which the relay's statements run. Without it, where the table's statistics
 * are stale or missing (no ANALYZE yet), the planner reads the `published_at IS NULL` range with
 * a bitmap scan and sorts it: every claim then reads the entries of every row published since
 * the last vacuum, and never marks them dead.
 */
export const PLAIN_INDEX_SCANS = 'enable_bitmapscan=off';

/**
 * The settings under which the deletion of published rows runs (one transaction, one statement).
 * Without statistics (no ANALYZE yet, autovacuum off) the planner guesses that a third of the table
 * is older than any cutoff, and then reads the whole table and sorts it rather than read the index
 * until the batch is full: on a large outbox, every batch would read every row. With sequential and
 * bitmap scans off, the deletion is a range scan of the `(published_at, created_at, id)` index in its
 * own order that stops at the batch's limit; as a plain index scan it also marks the entries of rows
 * deleted by the batches before it as dead, so the next batches skip them even before a vacuum.
 */
export const RETENTION_INDEX_SCANS = `SET LOCAL enable_seqscan=off; SET LOCAL ${PLAIN_INDEX_SCANS}`;

const EVENT_TYPE = /^[a-z][a-z0-9_.]*$/u;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/iu;
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/u;

/** Checks a PostgreSQL schema name and quotes it (schema names come from configuration). */
export function outboxTable(schema: string): string {
  if (!SCHEMA_NAME.test(schema)) throw new Error(`invalid outbox schema name "${schema}"`);
  return `"${schema}"."outbox"`;
}

/**
 * SQL of the relay, in one place. Every statement of the publishing path filters on
 * `published_at IS NULL`, which the `(published_at, created_at, id)` index of the convention serves;
 * the deletion of published rows reads the other end of the same index. The claim orders by all three
 * columns (published_at is NULL throughout, so the order is created_at, id): that is the index's
 * own order, so the claim is an index scan that stops at its limit, and a plain index scan marks
 * the entries of rows published meanwhile as dead for the scans after it (a bitmap scan, chosen
 * when a sort is needed anyway, would read every one of them on every claim until a vacuum).
 */
export class OutboxStore {
  private readonly table: string;

  constructor(readonly schema: string) {
    this.table = outboxTable(schema);
  }

  /**
   * The claim: the oldest unpublished rows of `types`, locked, but only while this transaction
   * holds the schema's advisory lock (one relay per schema at a time, so two relay instances never
   * publish one schema's rows out of order); without it, nothing is read or locked. The types
   * (the catalog's) and the schema name are checked, so they can be literals: the claim then goes
   * in the same round trip as BEGIN.
   */
  claimStatement(types: readonly string[], limit: number): string {
    if (!types.every((type) => EVENT_TYPE.test(type))) throw new Error('event types must be lower-case dotted names');
    if (!Number.isSafeInteger(limit) || limit < 1) throw new Error('the claim limit must be a positive integer');
    return `WITH lock AS MATERIALIZED (
              SELECT pg_try_advisory_xact_lock(hashtext('switchboard.outbox-relay'), hashtext('${this.schema}')) AS held)
            SELECT id, type, payload, organization_id, trace_id, created_at
              FROM ${this.table}
             WHERE (SELECT held FROM lock) AND published_at IS NULL AND type = ANY('{${types.join(',')}}'::text[])
             ORDER BY published_at, created_at, id
             LIMIT ${limit}
             FOR UPDATE SKIP LOCKED`;
  }

  /**
   * Opens the claiming transaction (under PLAIN_INDEX_SCANS) and claims, in one round trip.
   * Returns no rows when nothing waits or another relay holds the schema: either way the
   * transaction stays open (roll it back).
   */
  async beginAndClaim(client: pg.PoolClient, types: readonly string[], limit: number): Promise<OutboxRow[]> {
    const results = (await client.query(`BEGIN; SET LOCAL ${PLAIN_INDEX_SCANS}; ${this.claimStatement(types, limit)}`)) as unknown as pg.QueryResult<{
      id: string;
      type: string;
      payload: unknown;
      organization_id: string | null;
      trace_id: string | null;
      created_at: Date;
    }>[];
    return (results[results.length - 1]?.rows ?? []).map((row) => ({
      id: row.id,
      type: row.type,
      payload: row.payload,
      organizationId: row.organization_id,
      traceId: row.trace_id,
      createdAt: row.created_at,
    }));
  }

  /**
   * Marks the claimed rows published and commits, in one round trip. The ids are the rows' own
   * (uuid column values), checked again before they become a literal.
   */
  async markPublishedAndCommit(client: pg.PoolClient, ids: string[]): Promise<void> {
    if (!ids.every((id) => UUID.test(id))) throw new Error('outbox row ids must be UUIDs');
    await client.query(`UPDATE ${this.table} SET published_at = clock_timestamp() WHERE id = ANY('{${ids.join(',')}}'::uuid[]); COMMIT`);
  }

  /**
   * The deletion of published rows: at most `limit` rows published more than `retentionHours` ago,
   * oldest first, but only while this statement's transaction holds the schema's retention lock
   * (one relay instance deletes a schema's rows at a time; the others delete nothing). That lock is
   * not the claim's, so deleting never keeps a relay from publishing. Unpublished rows are never in
   * the range (`published_at` is NULL), however old. The rows are found by the index and deleted
   * by their physical address (`ctid`): no second index is read.
   */
  deletePublishedStatement(retentionHours: number, limit: number): string {
    if (!Number.isFinite(retentionHours) || retentionHours <= 0) throw new Error('the retention must be a positive number of hours');
    if (!Number.isSafeInteger(limit) || limit < 1) throw new Error('the deletion limit must be a positive integer');
    return `WITH lock AS MATERIALIZED (
              SELECT pg_try_advisory_xact_lock(hashtext('switchboard.outbox-relay.retention'), hashtext('${this.schema}')) AS held)
            DELETE FROM ${this.table}
             WHERE ctid = ANY(ARRAY(
                     SELECT ctid FROM ${this.table}
                      WHERE (SELECT held FROM lock) AND published_at < now() - interval '1 hour' * ${retentionHours}
                      ORDER BY published_at, created_at, id
                      LIMIT ${limit}))`;
  }

  /**
   * Deletes one batch of published rows past the retention (under RETENTION_INDEX_SCANS), in one
   * round trip: the statements of one query run as one transaction, so an error rolls all of it
   * back and leaves the connection as it was. Returns how many rows it deleted: fewer than `limit`
   * when no more are due, or none while another relay holds the schema's retention lock.
   */
  async deletePublished(db: pg.Pool, retentionHours: number, limit: number): Promise<number> {
    const results = (await db.query(`${RETENTION_INDEX_SCANS}; ${this.deletePublishedStatement(retentionHours, limit)}`)) as unknown as pg.QueryResult[];
    return results[results.length - 1]?.rowCount ?? 0;
  }

  /** Unpublished rows whose type the relay's catalog does not know, by type. */
  async unknownTypes(db: pg.Pool, known: string[]): Promise<{ type: string; count: number }[]> {
    const result = await db.query<{ type: string; count: string }>(
      `SELECT type, count(*) AS count FROM ${this.table}
        WHERE published_at IS NULL AND NOT (type = ANY($1::text[]))
        GROUP BY type ORDER BY type`,
      [known],
    );
    return result.rows.map((row) => ({ type: row.type, count: Number(row.count) }));
  }
}
