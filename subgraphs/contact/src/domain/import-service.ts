import { randomUUID } from 'node:crypto';
import type { CountryCode } from 'libphonenumber-js/max';
import type { Logger } from '@switchboard/config';
import { badUserInput, notFound, tooManyRequests } from '@switchboard/subgraph-kit';
import type { ContactCache } from '../store/contact-cache';
import type { ContactInsert, ContactMerge, ImportProgress, ImportStore, UpsertTarget } from '../store/import-store';
import { isUniqueViolation } from '../store/sql';
import { LIMITS, sortKeyOf, type Checked } from './contact-fields';
import { parse as parseCsvSync } from 'csv-parse/sync';
import { CSV_OPTIONS, csvBytes, firstRecordBytes, readCsv, scanCsv, type CsvScan, type CsvText } from './csv-source';
import { isUuid } from './ids';
import {
  checkImportRow,
  csvRecordToRaw,
  jsonRowToRaw,
  readCsvHeader,
  rowError,
  type CsvHeader,
  type ImportCandidate,
  type ImportRowError,
  type RawImportRow,
} from './import-rows';
import { parseCountry } from './phone';
import type { ImportJobRecord } from './types';

export const MAX_IMPORT_ROWS = 100_000;
/** Errors kept on a job; failedCount counts every one. */
export const MAX_STORED_ERRORS = 1_000;
/** Imports of one organization waiting or running at once. */
export const MAX_UNFINISHED_IMPORTS = 3;

export interface ImportCommand {
  /** The CSV file: text (the GraphQL argument) or its UTF-8 bytes (the upload route). */
  csv?: CsvText | null;
  rows?: readonly unknown[] | null;
  defaultCountry?: string | null;
}

export interface ImportOptions {
  /** Rows checked, matched and written per transaction (default 500). */
  batchSize?: number;
  /** Imports running at once in this process, each of a different organization (default 2). */
  concurrency?: number;
  /** An unfinished job untouched this long (by any process) was interrupted (default 5 minutes). */
  staleAfterMs?: number;
}

type ImportSource =
  /** The file as UTF-8 bytes: the only copy a job keeps (a text argument is encoded once, then let go). */
  | { kind: 'csv'; bytes: Buffer; scan: CsvScan; header: CsvHeader }
  | { kind: 'rows'; rows: readonly unknown[] };

interface Batch {
  rows: number;
  candidates: ImportCandidate[];
  errors: ImportRowError[];
}

/** A reason to stop the whole job (as opposed to a row's error). */
class ImportAbort extends Error {}

const MAX_ROUNDS = 5;
/** An import that writes this many rows refreshes the table statistics before it reports COMPLETED. */
const ANALYZE_AFTER_ROWS = 10_000;

/**
 * Bulk import: checks the input as a whole before a job exists (answering BAD_USER_INPUT), then
 * processes it in the background of this process — parse a batch, check each row, upsert the
 * batch in one transaction, record progress — so the mutation answers at once and clients poll
 * `importJob`. A row that fails becomes a row error and never stops the rows around it.
 */
export class ImportService {
  private readonly batchSize: number;
  private readonly concurrency: number;
  private readonly staleAfterMs: number;
  private readonly queue: { job: ImportJobRecord; start: () => Promise<void> }[] = [];
  private readonly runningOrganizations = new Set<string>();
  /** Jobs queued or running in this process. */
  private readonly local = new Set<string>();
  private readonly finished = new Map<string, Promise<void>>();
  private heartbeat: NodeJS.Timeout | undefined;

  constructor(
    private readonly store: ImportStore,
    private readonly cache: ContactCache,
    private readonly log: Logger,
    options: ImportOptions = {},
  ) {
    this.batchSize = options.batchSize ?? 500;
    this.concurrency = options.concurrency ?? 2;
    this.staleAfterMs = options.staleAfterMs ?? 5 * 60_000;
  }

  /** `traceId`: the request that started the import; every contact.changed event of the job carries it. */
  async start(organizationId: string, userId: string, command: ImportCommand, traceId: string | null = null): Promise<ImportJobRecord> {
    const country = this.checkCountry(command.defaultCountry);
    const source = this.checkSource(command);
    const unfinished = await this.store.countUnfinished(organizationId);
    if (unfinished >= MAX_UNFINISHED_IMPORTS) {
      throw tooManyRequests(`This organization already has ${unfinished} imports waiting or running; try again when one finishes`, 30);
    }
    const totalRows = source.kind === 'csv' ? source.scan.records - 1 : source.rows.length;
    const job = await this.store.createJob({
      organizationId,
      createdByUserId: userId,
      format: source.kind === 'csv' ? 'CSV' : 'ROWS',
      defaultCountry: country ?? null,
      totalRows,
    });
    this.log.info({ jobId: job.id, format: job.format, totalRows }, 'contact import queued');
    let resolveFinished!: () => void;
    this.finished.set(job.id, new Promise<void>((resolve) => (resolveFinished = resolve)));
    this.local.add(job.id);
    this.queue.push({
      job,
      start: () =>
        this.run(job, source, country, traceId).finally(() => {
          this.local.delete(job.id);
          this.finished.delete(job.id);
          resolveFinished();
        }),
    });
    this.pump();
    return job;
  }

  /** A job of the organization; an unfinished job nobody has touched for minutes is reported FAILED. */
  async get(organizationId: string, id: string): Promise<ImportJobRecord> {
    let job = isUuid(id) ? await this.store.findJob(organizationId, id) : null;
    if (!job) throw notFound('ImportJob', id);
    const unfinished = job.status === 'PENDING' || job.status === 'RUNNING';
    const staleBefore = new Date(Date.now() - this.staleAfterMs);
    if (unfinished && !this.local.has(job.id) && job.updatedAt < staleBefore) {
      await this.store.failIfStale(job.id, staleBefore, 'The import was interrupted (the server stopped while it ran); rows counted as processed were saved', new Date());
      job = (await this.store.findJob(organizationId, id)) ?? job;
    }
    return job;
  }

  /** Resolves when every import queued or running in this process has finished (tests, shutdown). */
  async drain(): Promise<void> {
    while (this.finished.size > 0) await Promise.all([...this.finished.values()]);
  }

  private checkCountry(code: string | null | undefined): CountryCode | undefined {
    if (code === null || code === undefined || code.trim() === '') return undefined;
    const country = parseCountry(code);
    if (!country) {
      throw badUserInput('defaultCountry must be an ISO 3166-1 alpha-2 country such as GB or US (INVALID_COUNTRY)', 'defaultCountry', {
        reason: 'INVALID_COUNTRY',
      });
    }
    return country;
  }

  private checkSource(command: ImportCommand): ImportSource {
    const hasCsv = command.csv !== null && command.csv !== undefined;
    const hasRows = command.rows !== null && command.rows !== undefined;
    if (hasCsv === hasRows) {
      throw badUserInput('Give exactly one of csv and rows', hasCsv ? 'rows' : 'csv', { reason: 'ONE_SOURCE' });
    }
    if (hasRows) {
      const rows = command.rows!;
      if (rows.length === 0) throw badUserInput('rows is empty', 'rows', { reason: 'EMPTY' });
      if (rows.length > MAX_IMPORT_ROWS) {
        throw badUserInput(`An import has at most ${MAX_IMPORT_ROWS} rows; this one has ${rows.length}`, 'rows', {
          reason: 'TOO_MANY_ROWS',
          maxRows: MAX_IMPORT_ROWS,
        });
      }
      return { kind: 'rows', rows };
    }
    const bytes = csvBytes(command.csv!);
    const scan = scanCsv(bytes);
    if (scan.unclosedQuoteLine !== null) {
      throw badUserInput(`The CSV has a quoted field opened on line ${scan.unclosedQuoteLine} that never closes`, 'csv', {
        reason: 'UNCLOSED_QUOTE',
        line: scan.unclosedQuoteLine,
      });
    }
    if (scan.records === 0) throw badUserInput('The CSV is empty', 'csv', { reason: 'EMPTY' });
    if (scan.records === 1) throw badUserInput('The CSV has a header but no rows', 'csv', { reason: 'EMPTY' });
    if (scan.records - 1 > MAX_IMPORT_ROWS) {
      throw badUserInput(`An import has at most ${MAX_IMPORT_ROWS} rows; this CSV has ${scan.records - 1}`, 'csv', {
        reason: 'TOO_MANY_ROWS',
        maxRows: MAX_IMPORT_ROWS,
      });
    }
    const headerFields = firstRecord(bytes, scan);
    const header = readCsvHeader(headerFields);
    if (!header.ok) throw badUserInput(header.message, 'csv', { reason: 'INVALID_HEADER', line: 1 });
    return { kind: 'csv', bytes, scan, header: header.header };
  }

  /** Starts queued jobs while there is room, one job per organization at a time. */
  private pump(): void {
    while (this.runningOrganizations.size < this.concurrency) {
      const index = this.queue.findIndex((entry) => !this.runningOrganizations.has(entry.job.organizationId));
      if (index === -1) break;
      const [entry] = this.queue.splice(index, 1);
      const organizationId = entry!.job.organizationId;
      this.runningOrganizations.add(organizationId);
      void entry!.start().finally(() => {
        this.runningOrganizations.delete(organizationId);
        this.pump();
      });
    }
    this.updateHeartbeat();
  }

  /** Queued jobs are touched every minute so no process takes them for interrupted ones. */
  private updateHeartbeat(): void {
    if (this.queue.length > 0 && !this.heartbeat) {
      this.heartbeat = setInterval(() => {
        const ids = this.queue.map((entry) => entry.job.id);
        if (ids.length > 0) this.store.touch(ids).catch((err: unknown) => this.log.warn({ err }, 'import heartbeat failed'));
      }, 60_000);
      this.heartbeat.unref();
    } else if (this.queue.length === 0 && this.heartbeat) {
      clearInterval(this.heartbeat);
      this.heartbeat = undefined;
    }
  }

  private async run(job: ImportJobRecord, source: ImportSource, country: CountryCode | undefined, traceId: string | null): Promise<void> {
    const log = this.log.child({ jobId: job.id });
    const progress: ImportProgress = { processedRows: 0, createdCount: 0, updatedCount: 0, failedCount: 0, errors: [] };
    const startedAt = Date.now();
    let batches: AsyncGenerator<Batch> | undefined;
    try {
      await this.store.markRunning(job.id, new Date());
      // Pipelined: the next batch is parsed and checked while this one is being written.
      batches = this.batches(source, country);
      let next = batches.next();
      for (;;) {
        const { value: batch, done } = await next;
        if (done) break;
        next = batches.next();
        next.catch(() => undefined); // surfaced by the await above, on the next turn
        const written = batch.candidates.length > 0 ? await this.writeBatch(job.organizationId, batch.candidates, traceId) : null;
        const errors = [...batch.errors, ...(written?.errors ?? [])].sort((a, b) => a.row - b.row);
        progress.processedRows += batch.rows;
        progress.createdCount += written?.created ?? 0;
        progress.updatedCount += written?.updated ?? 0;
        progress.failedCount += errors.length;
        const room = MAX_STORED_ERRORS - progress.errors.length;
        if (room > 0 && errors.length > 0) progress.errors.push(...errors.slice(0, room));
        await this.store.saveProgress(job.id, progress, room > 0 && errors.length > 0);
      }
      if (progress.createdCount + progress.updatedCount >= ANALYZE_AFTER_ROWS) {
        await this.store.analyze().catch((err: unknown) => log.warn({ err }, 'ANALYZE after the import failed'));
      }
      await this.store.finish(job.id, { status: 'COMPLETED', progress, totalRows: progress.processedRows, at: new Date() });
      log.info(
        { ...countsOf(progress), ms: Date.now() - startedAt },
        'contact import completed',
      );
    } catch (error) {
      const failureReason =
        error instanceof ImportAbort
          ? error.message
          : 'The import stopped on an unexpected error; the rows counted as processed were saved';
      if (!(error instanceof ImportAbort)) log.error({ err: error, ...countsOf(progress) }, 'contact import failed');
      await this.store
        .finish(job.id, { status: 'FAILED', progress, failureReason, at: new Date() })
        .catch((err: unknown) => log.error({ err }, 'could not record the failed import'));
    } finally {
      await batches?.return(undefined).catch(() => undefined); // stops the CSV parser if it is mid-file
    }
  }

  /** Checked rows, a batch at a time: parsing never runs ahead of writing. */
  private async *batches(source: ImportSource, country: CountryCode | undefined): AsyncGenerator<Batch> {
    let batch: Batch = { rows: 0, candidates: [], errors: [] };
    const take = (raw: Checked<RawImportRow>, row: number, line: number | null) => {
      batch.rows++;
      const checked = raw.ok ? checkImportRow(raw.value, { row, line }, country) : raw;
      if (checked.ok) batch.candidates.push(checked.value);
      else batch.errors.push(rowError(row, line, checked.problem));
    };

    if (source.kind === 'rows') {
      await yieldToEventLoop();
      for (const [i, value] of source.rows.entries()) {
        take(jsonRowToRaw(value), i + 1, null);
        if (batch.rows >= this.batchSize) {
          yield batch;
          batch = { rows: 0, candidates: [], errors: [] };
          await yieldToEventLoop(); // let the write of the batch just taken start first
        }
      }
    } else {
      try {
        for await (const record of readCsv(source.bytes, source.scan.delimiter)) {
          if (record.index === 0) continue; // the header, checked before the job started
          if (record.index > MAX_IMPORT_ROWS) throw new ImportAbort(`The CSV has more than ${MAX_IMPORT_ROWS} rows`);
          take(csvRecordToRaw(source.header, record.fields), record.index, record.line);
          if (batch.rows >= this.batchSize) {
            yield batch;
            batch = { rows: 0, candidates: [], errors: [] };
          }
        }
      } catch (error) {
        if (error instanceof ImportAbort) throw error;
        const csvError = error as { code?: unknown; message?: unknown; lines?: unknown };
        if (typeof csvError.code === 'string' && csvError.code.startsWith('CSV_')) {
          throw new ImportAbort(`The CSV could not be read past line ${String(csvError.lines ?? '?')}: ${String(csvError.message)}`);
        }
        throw error;
      }
    }
    if (batch.rows > 0) yield batch;
  }

  /**
   * Upserts checked rows. Rows are matched by phone, then email. A batch goes in rounds: rows that
   * touch a contact, phone or email another row of the round already touches wait for the next
   * round (so a file listing the same person twice applies both rows, in order).
   */
  private async writeBatch(
    organizationId: string,
    candidates: ImportCandidate[],
    traceId: string | null,
  ): Promise<{ created: number; updated: number; errors: ImportRowError[] }> {
    let created = 0;
    let updated = 0;
    const errors: ImportRowError[] = [];
    let pending = candidates;
    for (let round = 1; pending.length > 0; round++) {
      if (round > MAX_ROUNDS) {
        for (const candidate of pending) {
          errors.push(rowError(candidate.row, candidate.line, { field: 'phone', reason: 'CONFLICT', message: 'The contact changed while the row was imported; import it again' }));
        }
        break;
      }
      let result;
      try {
        result = await this.upsertRound(organizationId, pending, traceId);
      } catch (error) {
        // A concurrent write broke a unique constraint inside the round: apply its rows one by one.
        if (!isUniqueViolation(error)) throw error;
        result = await this.upsertOneByOne(organizationId, pending, traceId);
      }
      created += result.created;
      updated += result.updated;
      errors.push(...result.errors);
      pending = result.deferred;
    }
    return { created, updated, errors };
  }

  private async upsertOneByOne(organizationId: string, candidates: ImportCandidate[], traceId: string | null) {
    const total = { created: 0, updated: 0, errors: [] as ImportRowError[], deferred: [] as ImportCandidate[] };
    for (const candidate of candidates) {
      try {
        const result = await this.upsertRound(organizationId, [candidate], traceId);
        total.created += result.created;
        total.updated += result.updated;
        total.errors.push(...result.errors);
        total.deferred.push(...result.deferred);
      } catch (error) {
        if (!isUniqueViolation(error)) throw error;
        total.errors.push(
          rowError(candidate.row, candidate.line, {
            field: 'phone',
            reason: 'CONFLICT',
            message: 'Another contact of this organization has this phone number or email address',
          }),
        );
      }
    }
    return total;
  }

  private async upsertRound(organizationId: string, candidates: ImportCandidate[], traceId: string | null) {
    const keys = {
      phones: candidates.flatMap((c) => (c.phone ? [c.phone] : [])),
      emails: candidates.flatMap((c) => (c.email ? [c.email] : [])),
    };
    const { outcome, inserted, updated } = await this.store.upsertBatch(organizationId, keys, (existing) => planRound(candidates, existing), traceId);
    const deferred = [...outcome.deferred];
    for (const insert of outcome.insertedRows) {
      // Met a contact created meanwhile: next round, the row updates it.
      if (!inserted.has(insert.id)) deferred.push(insert.candidate);
    }
    deferred.sort((a, b) => a.row - b.row);
    await this.cache.invalidate(organizationId, updated);
    return { created: inserted.size, updated: updated.length, errors: outcome.errors, deferred };
  }
}

interface RoundOutcome {
  errors: ImportRowError[];
  deferred: ImportCandidate[];
  insertedRows: { id: string; candidate: ImportCandidate }[];
}

/** Matches a round's rows against the contacts holding their phones / emails: create, update, wait or fail. */
export function planRound(
  candidates: readonly ImportCandidate[],
  existing: readonly UpsertTarget[],
): { inserts: ContactInsert[]; updates: ContactMerge[]; outcome: RoundOutcome } {
  const byPhone = new Map<string, UpsertTarget>();
  const byEmail = new Map<string, UpsertTarget>();
  for (const contact of existing) {
    if (contact.phone) byPhone.set(contact.phone, contact);
    if (contact.email) byEmail.set(contact.email, contact);
  }
  const claimed = new Set<string>();
  const inserts: ContactInsert[] = [];
  const updates: ContactMerge[] = [];
  const outcome: RoundOutcome = { errors: [], deferred: [], insertedRows: [] };

  for (const candidate of candidates) {
    const phoneHolder = candidate.phone ? byPhone.get(candidate.phone) : undefined;
    const emailHolder = candidate.email ? byEmail.get(candidate.email) : undefined;
    if (phoneHolder && emailHolder && phoneHolder.id !== emailHolder.id) {
      outcome.errors.push(
        rowError(candidate.row, candidate.line, {
          field: 'email',
          reason: 'CONFLICT',
          message: `The phone number belongs to contact ${phoneHolder.id} and the email address to contact ${emailHolder.id}`,
        }),
      );
      continue;
    }
    const target = phoneHolder ?? emailHolder;
    const claims = [
      ...(target ? [`id:${target.id}`] : []),
      ...(candidate.phone ? [`phone:${candidate.phone}`] : []),
      ...(candidate.email ? [`email:${candidate.email}`] : []),
    ];
    if (claims.some((claim) => claimed.has(claim))) {
      outcome.deferred.push(candidate);
      continue;
    }
    if (target) {
      const currentAttributes =
        target.attributes && typeof target.attributes === 'object' && !Array.isArray(target.attributes)
          ? (target.attributes as Record<string, unknown>)
          : {};
      const attributes = candidate.attributes ? { ...currentAttributes, ...candidate.attributes } : null;
      if (attributes && Buffer.byteLength(JSON.stringify(attributes), 'utf8') > LIMITS.attributesBytes) {
        outcome.errors.push(
          rowError(candidate.row, candidate.line, {
            field: 'attributes',
            reason: 'TOO_LARGE',
            message: `The contact's attributes with this row's would exceed ${LIMITS.attributesBytes} bytes`,
          }),
        );
        continue;
      }
      const tags = candidate.tags ? [...new Set([...target.tags, ...candidate.tags])] : null;
      if (tags && tags.length > LIMITS.tagsPerContact) {
        outcome.errors.push(
          rowError(candidate.row, candidate.line, {
            field: 'tags',
            reason: 'TOO_MANY',
            message: `The contact's tags with this row's would exceed ${LIMITS.tagsPerContact}`,
          }),
        );
        continue;
      }
      claims.forEach((claim) => claimed.add(claim));
      updates.push({
        id: target.id,
        name: candidate.name,
        sortName: sortKeyOf(candidate.name),
        phone: candidate.phone,
        email: candidate.email,
        whatsappId: candidate.whatsappId,
        tags,
        attributes,
        favourite: candidate.favourite,
        consent: candidate.consent,
      });
    } else {
      claims.forEach((claim) => claimed.add(claim));
      const id = randomUUID();
      inserts.push({
        id,
        name: candidate.name,
        sortName: sortKeyOf(candidate.name),
        phone: candidate.phone,
        email: candidate.email,
        whatsappId: candidate.whatsappId,
        tags: candidate.tags ?? [],
        attributes: candidate.attributes ?? {},
        favourite: candidate.favourite ?? false,
        consent: candidate.consent,
      });
      outcome.insertedRows.push({ id, candidate });
    }
  }
  return { inserts, updates, outcome };
}

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

function countsOf(progress: ImportProgress) {
  const { processedRows, createdCount, updatedCount, failedCount } = progress;
  return { processedRows, createdCount, updatedCount, failedCount };
}

/** The header record, read by the same parser (and options) as the rows. */
function firstRecord(bytes: Buffer, scan: CsvScan): string[] {
  const records = parseCsvSync(firstRecordBytes(bytes), { ...CSV_OPTIONS, delimiter: scan.delimiter }) as string[][];
  return records.find((record) => !(record.length === 1 && record[0] === '')) ?? [];
}
