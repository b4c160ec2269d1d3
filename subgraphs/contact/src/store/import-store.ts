import { Prisma, withTransaction, type PrismaClient } from '@switchboard/db';
import type { ConsentChannel, ConsentStatus } from '../domain/contact-fields';
import type { ImportRowError } from '../domain/import-rows';
import type { ImportJobRecord } from '../domain/types';

/** What the import knows of a contact that an incoming row may update. */
export interface UpsertTarget {
  id: string;
  phone: string | null;
  email: string | null;
  tags: string[];
  attributes: Prisma.JsonValue;
}

interface ContactValues {
  id: string;
  name: string;
  sortName: string;
  whatsappId: string | null;
  tags: string[];
  attributes: Record<string, unknown>;
  consent: Partial<Record<ConsentChannel, ConsentStatus>>;
}

/** A contact to create. */
export interface ContactInsert extends ContactValues {
  phone: string | null;
  email: string | null;
  favourite: boolean;
}

/** Final values for a matched contact; null phone / email / whatsappId / favourite keep the current value. */
export interface ContactMerge extends ContactValues {
  phone: string | null;
  email: string | null;
  favourite: boolean | null;
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

function consentArrays(rows: readonly ContactValues[]) {
  return {
    email: rows.map((row) => row.consent.EMAIL ?? null),
    sms: rows.map((row) => row.consent.SMS ?? null),
    whatsapp: rows.map((row) => row.consent.WHATSAPP ?? null),
  };
}

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

  /**
   * One batch in one transaction: locks the organization's contacts holding any of these phones or
   * emails, lets `decide` match rows against them, then creates the new contacts in one INSERT and
   * updates the matched ones in one UPDATE. New rows that meet a contact created meanwhile are
   * skipped (ON CONFLICT DO NOTHING) and reported back as not inserted, for the caller to retry.
   */
  upsertBatch<T>(
    organizationId: string,
    keys: { phones: string[]; emails: string[] },
    decide: (existing: UpsertTarget[]) => UpsertPlan<T>,
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
                  AND (phone = ANY(${keys.phones}::text[]) OR email = ANY(${keys.emails}::text[]))
                ORDER BY id
                FOR UPDATE`;
        const plan = decide(existing);
        const inserted = new Set<string>();
        if (plan.inserts.length > 0) {
          const rows = await insertContacts(tx, organizationId, plan.inserts);
          for (const row of rows) inserted.add(row.id);
        }
        if (plan.updates.length > 0) await updateContacts(tx, organizationId, plan.updates);
        return { outcome: plan.outcome, inserted, updated: plan.updates.map((update) => update.id) };
      },
      { timeout: 60_000, maxWait: 10_000 },
    );
  }
}

function insertContacts(tx: Prisma.TransactionClient, organizationId: string, rows: ContactInsert[]) {
  const consent = consentArrays(rows);
  return tx.$queryRaw<{ id: string }[]>`
    INSERT INTO contact.contact (id, organization_id, name, sort_name, phone, email, whatsapp_id, tags, attributes, favourite,
      email_consent, email_consent_source, email_consent_at, sms_consent, sms_consent_source, sms_consent_at,
      whatsapp_consent, whatsapp_consent_source, whatsapp_consent_at, created_at, updated_at)
    SELECT u.id, ${organizationId}::uuid, u.name, u.sort_name, u.phone, u.email, u.whatsapp_id,
      ARRAY(SELECT jsonb_array_elements_text(u.tags)), u.attributes, u.favourite,
      COALESCE(u.email_consent::contact.consent_status, 'UNKNOWN'),
      CASE WHEN u.email_consent IS NULL THEN NULL ELSE 'import' END,
      CASE WHEN u.email_consent IS NULL THEN NULL ELSE now() END,
      COALESCE(u.sms_consent::contact.consent_status, 'UNKNOWN'),
      CASE WHEN u.sms_consent IS NULL THEN NULL ELSE 'import' END,
      CASE WHEN u.sms_consent IS NULL THEN NULL ELSE now() END,
      COALESCE(u.whatsapp_consent::contact.consent_status, 'UNKNOWN'),
      CASE WHEN u.whatsapp_consent IS NULL THEN NULL ELSE 'import' END,
      CASE WHEN u.whatsapp_consent IS NULL THEN NULL ELSE now() END,
      now(), now()
    FROM unnest(
      ${rows.map((row) => row.id)}::uuid[], ${rows.map((row) => row.name)}::text[], ${rows.map((row) => row.sortName)}::text[],
      ${rows.map((row) => row.phone)}::text[], ${rows.map((row) => row.email)}::text[],
      ${rows.map((row) => row.whatsappId)}::text[], ${rows.map((row) => JSON.stringify(row.tags))}::jsonb[],
      ${rows.map((row) => JSON.stringify(row.attributes))}::jsonb[], ${rows.map((row) => row.favourite)}::boolean[],
      ${consent.email}::text[], ${consent.sms}::text[], ${consent.whatsapp}::text[]
    ) AS u(id, name, sort_name, phone, email, whatsapp_id, tags, attributes, favourite, email_consent, sms_consent, whatsapp_consent)
    ON CONFLICT DO NOTHING
    RETURNING id`;
}

function updateContacts(tx: Prisma.TransactionClient, organizationId: string, rows: ContactMerge[]) {
  const consent = consentArrays(rows);
  return tx.$executeRaw`
    UPDATE contact.contact c SET
      name = u.name,
      sort_name = u.sort_name,
      phone = COALESCE(u.phone, c.phone),
      email = COALESCE(u.email, c.email),
      whatsapp_id = COALESCE(u.whatsapp_id, c.whatsapp_id),
      tags = ARRAY(SELECT jsonb_array_elements_text(u.tags)),
      attributes = u.attributes,
      favourite = COALESCE(u.favourite, c.favourite),
      email_consent = COALESCE(u.email_consent::contact.consent_status, c.email_consent),
      email_consent_source = CASE WHEN u.email_consent IS NULL THEN c.email_consent_source ELSE 'import' END,
      email_consent_at = CASE WHEN u.email_consent IS NULL THEN c.email_consent_at ELSE now() END,
      sms_consent = COALESCE(u.sms_consent::contact.consent_status, c.sms_consent),
      sms_consent_source = CASE WHEN u.sms_consent IS NULL THEN c.sms_consent_source ELSE 'import' END,
      sms_consent_at = CASE WHEN u.sms_consent IS NULL THEN c.sms_consent_at ELSE now() END,
      whatsapp_consent = COALESCE(u.whatsapp_consent::contact.consent_status, c.whatsapp_consent),
      whatsapp_consent_source = CASE WHEN u.whatsapp_consent IS NULL THEN c.whatsapp_consent_source ELSE 'import' END,
      whatsapp_consent_at = CASE WHEN u.whatsapp_consent IS NULL THEN c.whatsapp_consent_at ELSE now() END,
      updated_at = now()
    FROM unnest(
      ${rows.map((row) => row.id)}::uuid[], ${rows.map((row) => row.name)}::text[], ${rows.map((row) => row.sortName)}::text[],
      ${rows.map((row) => row.phone)}::text[], ${rows.map((row) => row.email)}::text[],
      ${rows.map((row) => row.whatsappId)}::text[], ${rows.map((row) => JSON.stringify(row.tags))}::jsonb[],
      ${rows.map((row) => JSON.stringify(row.attributes))}::jsonb[], ${rows.map((row) => row.favourite)}::boolean[],
      ${consent.email}::text[], ${consent.sms}::text[], ${consent.whatsapp}::text[]
    ) AS u(id, name, sort_name, phone, email, whatsapp_id, tags, attributes, favourite, email_consent, sms_consent, whatsapp_consent)
    WHERE c.id = u.id AND c.organization_id = ${organizationId}::uuid`;
}
