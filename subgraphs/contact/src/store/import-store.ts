import { Prisma, withTransaction, type PrismaClient } from '@switchboard/db';
import type { ConsentChannel, ConsentStatus } from '../domain/contact-fields';
import type { ImportRowError } from '../domain/import-rows';
import type { ImportJobRecord } from '../domain/types';
import { contactChangedEvents, nextUpdatedAt, notifyRelay } from './outbox';

/** What the import knows of a contact that an incoming row may update. */
export interface UpsertTarget {
  id: string;
  phone: string | null;
  email: string | null;
  tags: string[];
  attributes: Prisma.JsonValue;
}

/** A contact to create. */
export interface ContactInsert {
  id: string;
  name: string;
  sortName: string;
  phone: string | null;
  email: string | null;
  whatsappId: string | null;
  tags: string[];
  attributes: Record<string, unknown>;
  favourite: boolean;
  consent: Partial<Record<ConsentChannel, ConsentStatus>>;
}

/**
 * Final values for a matched contact. null keeps the current value (phone, email, whatsappId,
 * favourite; tags and attributes, which the import has already merged when the row had any).
 */
export interface ContactMerge {
  id: string;
  name: string;
  sortName: string;
  phone: string | null;
  email: string | null;
  whatsappId: string | null;
  tags: string[] | null;
  attributes: Record<string, unknown> | null;
  favourite: boolean | null;
  consent: Partial<Record<ConsentChannel, ConsentStatus>>;
}

export interface UpsertPlan<T> {
  inserts: ContactInsert[];
  updates: ContactMerge[];
  outcome: T;
}

export interface ImportProgress {
  processedRows: number;
  createdCount: number;
  updatedCount: number;
  failedCount: number;
  errors: ImportRowError[];
}

const UNFINISHED = ['PENDING', 'RUNNING'] as const;

/** Import jobs, and the bulk writes of an import batch. */
export class ImportStore {
  constructor(private readonly prisma: PrismaClient) {}

  createJob(data: {
    organizationId: string;
    createdByUserId: string;
    format: 'CSV' | 'ROWS';
    defaultCountry: string | null;
    totalRows: number;
  }): Promise<ImportJobRecord> {
    return this.prisma.contactImportJob.create({ data });
  }

  findJob(organizationId: string, id: string): Promise<ImportJobRecord | null> {
    return this.prisma.contactImportJob.findFirst({ where: { id, organizationId } });
  }

  countUnfinished(organizationId: string): Promise<number> {
    return this.prisma.contactImportJob.count({ where: { organizationId, status: { in: [...UNFINISHED] } } });
  }

  markRunning(id: string, at: Date): Promise<unknown> {
    return this.prisma.contactImportJob.update({ where: { id }, data: { status: 'RUNNING', startedAt: at } });
  }

  /** Heartbeat for jobs waiting in this process's queue. */
  touch(ids: readonly string[]): Promise<unknown> {
    return this.prisma.contactImportJob.updateMany({
      where: { id: { in: [...ids] }, status: { in: [...UNFINISHED] } },
      data: { updatedAt: new Date() },
    });
  }

  saveProgress(id: string, progress: ImportProgress, errorsChanged: boolean): Promise<unknown> {
    return this.prisma.contactImportJob.update({
      where: { id },
      data: {
        processedRows: progress.processedRows,
        createdCount: progress.createdCount,
        updatedCount: progress.updatedCount,
        failedCount: progress.failedCount,
        ...(errorsChanged ? { errors: progress.errors as unknown as Prisma.InputJsonArray } : {}),
      },
    });
  }

  finish(
    id: string,
    outcome: { status: 'COMPLETED' | 'FAILED'; progress: ImportProgress; totalRows?: number; failureReason?: string; at: Date },
  ): Promise<ImportJobRecord> {
    return this.prisma.contactImportJob.update({
      where: { id },
      data: {
        status: outcome.status,
        processedRows: outcome.progress.processedRows,
        createdCount: outcome.progress.createdCount,
        updatedCount: outcome.progress.updatedCount,
        failedCount: outcome.progress.failedCount,
        errors: outcome.progress.errors as unknown as Prisma.InputJsonArray,
        finishedAt: outcome.at,
        ...(outcome.totalRows !== undefined ? { totalRows: outcome.totalRows } : {}),
        ...(outcome.failureReason ? { failureReason: outcome.failureReason } : {}),
      },
    });
  }

  /** Marks a job FAILED if it is still unfinished and has not moved since `staleBefore`. */
  async failIfStale(id: string, staleBefore: Date, reason: string, at: Date): Promise<void> {
    await this.prisma.contactImportJob.updateMany({
      where: { id, status: { in: [...UNFINISHED] }, updatedAt: { lt: staleBefore } },
      data: { status: 'FAILED', failureReason: reason, finishedAt: at },
    });
  }

  /** Refreshes the planner's statistics after a large import (search plans depend on them). */
  async analyze(): Promise<void> {
    await this.prisma.$executeRaw`ANALYZE contact.contact`;
  }

  /**
   * One batch in one transaction: locks the organization's contacts holding any of these phones or
   * emails, lets `decide` match rows against them, then inserts the new contacts and updates the
   * matched ones (statements of 200 rows). New rows that meet a contact created meanwhile are
   * skipped (ON CONFLICT DO NOTHING) and reported back as not inserted, for the caller to retry.
   */
  upsertBatch<T>(
    organizationId: string,
    keys: { phones: string[]; emails: string[] },
    decide: (existing: UpsertTarget[]) => UpsertPlan<T>,
    traceId: string | null = null,
  ): Promise<{ outcome: T; inserted: Set<string>; updated: string[] }> {
    return withTransaction(
      this.prisma,
      async (tx) => {
        const existing =
          keys.phones.length + keys.emails.length === 0
            ? []
            : await tx.$queryRaw<UpsertTarget[]>`
                SELECT id, phone, email, tags, attributes FROM contact.contact
                WHERE organization_id = ${organizationId}::uuid
                  AND (phone = ANY(ARRAY(SELECT jsonb_array_elements_text(${JSON.stringify(keys.phones)}::jsonb)))
                    OR email = ANY(ARRAY(SELECT jsonb_array_elements_text(${JSON.stringify(keys.emails)}::jsonb))))
                ORDER BY id
                FOR UPDATE`;
        const plan = decide(existing);
        const inserted = new Set<string>();
        for (const chunk of chunks(plan.inserts)) {
          const count = await insertContacts(tx, organizationId, chunk, traceId);
          if (count === chunk.length) {
            for (const row of chunk) inserted.add(row.id);
          } else {
            // Some rows met a contact created meanwhile (rare): find out which went in.
            const ids = chunk.map((row) => row.id);
            const rows = await tx.$queryRaw<{ id: string }[]>`
              SELECT id FROM contact.contact WHERE id = ANY(${ids}::uuid[])`;
            for (const row of rows) inserted.add(row.id);
          }
        }
        for (const chunk of chunks(plan.updates)) await updateContacts(tx, organizationId, chunk, traceId);
        return { outcome: plan.outcome, inserted, updated: plan.updates.map((update) => update.id) };
      },
      { timeout: 60_000, maxWait: 10_000 },
    );
  }
}

/**
 * Rows per statement. A statement's JSON parameter stays well under V8's large-object size
 * (128 KB): large strings are only reclaimed by full garbage collections, and a 100,000-row import
 * would pile them up (hundreds of MB of RSS) before one runs.
 */
const ROWS_PER_STATEMENT = 200;

function* chunks<T>(rows: readonly T[]): Generator<T[]> {
  for (let i = 0; i < rows.length; i += ROWS_PER_STATEMENT) yield rows.slice(i, i + ROWS_PER_STATEMENT);
}

/**
 * Rows travel as ONE JSON parameter unpacked by jsonb_to_recordset, not as a dozen arrays of
 * values, with one-letter keys and absent values left out: the fewer bytes and objects per
 * statement, the less garbage a 100,000-row import leaves for the collector.
 */
function batchJson(rows: readonly (ContactInsert | ContactMerge)[]): string {
  return JSON.stringify(
    rows.map((row) => {
      const compact: Record<string, unknown> = { i: row.id, n: row.name, s: row.sortName };
      if (row.phone !== null) compact.p = row.phone;
      if (row.email !== null) compact.e = row.email;
      if (row.whatsappId !== null) compact.w = row.whatsappId;
      if (row.tags !== null && row.tags.length > 0) compact.t = row.tags;
      if (row.attributes !== null && Object.keys(row.attributes).length > 0) compact.a = row.attributes;
      if (row.favourite !== null) compact.f = row.favourite;
      if (row.consent.EMAIL) compact.ce = row.consent.EMAIL;
      if (row.consent.SMS) compact.cs = row.consent.SMS;
      if (row.consent.WHATSAPP) compact.cw = row.consent.WHATSAPP;
      return compact;
    }),
  );
}

const BATCH_COLUMNS = Prisma.sql`u(i uuid, n text, s text, p text, e text, w text, t text[], a jsonb, f boolean,
  ce contact.consent_status, cs contact.consent_status, cw contact.consent_status)`;

/** search_text as searchTextOf() builds it: sort name, email, phone digits, joined by U+001F. */
const searchText = (sortName: Prisma.Sql, email: Prisma.Sql, phone: Prisma.Sql) =>
  Prisma.sql`${sortName} || chr(31) || coalesce(${email}, '') || chr(31) || coalesce(regexp_replace(${phone}, '\\D', '', 'g'), '')`;

/**
 * Inserts new contacts (source `import`), skipping any that meet a unique phone / email, and — in
 * the same statement — one CREATED `contact.changed` outbox row per contact that went in. Returns
 * how many went in.
 */
async function insertContacts(tx: Prisma.TransactionClient, organizationId: string, rows: ContactInsert[], traceId: string | null): Promise<number> {
  const [result] = await tx.$queryRaw<{ inserted: number; notified: number }[]>`
    WITH written AS (
      INSERT INTO contact.contact AS c (id, organization_id, name, sort_name, search_text, phone, email, whatsapp_id, tags,
        attributes, favourite, email_consent, email_consent_source, email_consent_at, sms_consent, sms_consent_source,
        sms_consent_at, whatsapp_consent, whatsapp_consent_source, whatsapp_consent_at, source, version, created_at, updated_at)
      SELECT u.i, ${organizationId}::uuid, u.n, u.s, ${searchText(Prisma.sql`u.s`, Prisma.sql`u.e`, Prisma.sql`u.p`)},
        u.p, u.e, u.w, coalesce(u.t, '{}'), coalesce(u.a, '{}'), coalesce(u.f, false),
        coalesce(u.ce, 'UNKNOWN'), CASE WHEN u.ce IS NULL THEN NULL ELSE 'import' END, CASE WHEN u.ce IS NULL THEN NULL ELSE now() END,
        coalesce(u.cs, 'UNKNOWN'), CASE WHEN u.cs IS NULL THEN NULL ELSE 'import' END, CASE WHEN u.cs IS NULL THEN NULL ELSE now() END,
        coalesce(u.cw, 'UNKNOWN'), CASE WHEN u.cw IS NULL THEN NULL ELSE 'import' END, CASE WHEN u.cw IS NULL THEN NULL ELSE now() END,
        'import', 1, now(), now()
      FROM jsonb_to_recordset(${batchJson(rows)}::jsonb) AS ${BATCH_COLUMNS}
      ON CONFLICT DO NOTHING
      RETURNING c.*
    ),
    events AS (${contactChangedEvents('written', 'CREATED', traceId)})
    SELECT (SELECT count(*) FROM written)::int AS inserted, ${notifyRelay('events')} AS notified`;
  return result?.inserted ?? 0;
}

/** Updates matched contacts and writes, in the same statement, one UPDATED outbox row for each. */
async function updateContacts(tx: Prisma.TransactionClient, organizationId: string, rows: ContactMerge[], traceId: string | null): Promise<void> {
  await tx.$queryRaw`
    WITH written AS (
      UPDATE contact.contact c SET
        name = u.n,
        sort_name = u.s,
        search_text = ${searchText(Prisma.sql`u.s`, Prisma.sql`coalesce(u.e, c.email)`, Prisma.sql`coalesce(u.p, c.phone)`)},
        phone = coalesce(u.p, c.phone),
        email = coalesce(u.e, c.email),
        whatsapp_id = coalesce(u.w, c.whatsapp_id),
        tags = coalesce(u.t, c.tags),
        attributes = coalesce(u.a, c.attributes),
        favourite = coalesce(u.f, c.favourite),
        email_consent = coalesce(u.ce, c.email_consent),
        email_consent_source = CASE WHEN u.ce IS NULL THEN c.email_consent_source ELSE 'import' END,
        email_consent_at = CASE WHEN u.ce IS NULL THEN c.email_consent_at ELSE now() END,
        sms_consent = coalesce(u.cs, c.sms_consent),
        sms_consent_source = CASE WHEN u.cs IS NULL THEN c.sms_consent_source ELSE 'import' END,
        sms_consent_at = CASE WHEN u.cs IS NULL THEN c.sms_consent_at ELSE now() END,
        whatsapp_consent = coalesce(u.cw, c.whatsapp_consent),
        whatsapp_consent_source = CASE WHEN u.cw IS NULL THEN c.whatsapp_consent_source ELSE 'import' END,
        whatsapp_consent_at = CASE WHEN u.cw IS NULL THEN c.whatsapp_consent_at ELSE now() END,
        version = c.version + 1,
        updated_at = ${nextUpdatedAt(Prisma.sql`now()`)}
      FROM jsonb_to_recordset(${batchJson(rows)}::jsonb) AS ${BATCH_COLUMNS}
      WHERE c.id = u.i AND c.organization_id = ${organizationId}::uuid
      RETURNING c.*
    ),
    events AS (${contactChangedEvents('written', 'UPDATED', traceId)})
    SELECT (SELECT count(*) FROM written)::int AS updated, ${notifyRelay('events')} AS notified`;
}
