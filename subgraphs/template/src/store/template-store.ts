/**
 * Data access for templates (PostgreSQL schema "template"). The only module that speaks Prisma:
 * it turns rows into the domain's records and every query is scoped by organization.
 */
import { Prisma, withTransaction, type PrismaClient } from '@switchboard/db';
import { appendOutbox, type OutboxEvent } from './outbox';
import type {
  Channel,
  TemplateContent,
  TemplateRecord,
  TemplateStatus,
  TemplateStatusChangeRecord,
  TemplateVersionRecord,
  TemplateView,
  VariableDeclaration,
} from '../domain/types';

const withVersions = { latestVersion: true, activeVersion: true } satisfies Prisma.TemplateInclude;
type TemplateRow = Prisma.TemplateGetPayload<{ include: typeof withVersions }>;
type VersionRow = Prisma.TemplateVersionGetPayload<object>;
type Tx = Prisma.TransactionClient;

/** The consumer already handled this event id (a redelivery). */
export class EventAlreadyHandledError extends Error {
  constructor() {
    super('event already handled');
    this.name = 'EventAlreadyHandledError';
  }
}

/** A live template with the same channel, name and language already exists. */
export class TemplateNameTakenError extends Error {
  constructor() {
    super('template name taken');
    this.name = 'TemplateNameTakenError';
  }
}

export function toVersionRecord(row: VersionRow): TemplateVersionRecord {
  return {
    id: row.id,
    templateId: row.templateId,
    organizationId: row.organizationId,
    version: row.version,
    status: row.status,
    statusReason: row.statusReason,
    content: row.content as unknown as TemplateContent,
    variables: row.variables as unknown as VariableDeclaration[],
    submittedAt: row.submittedAt,
    supersededAt: row.supersededAt,
    createdById: row.createdById,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

function toView(row: TemplateRow): TemplateView {
  if (!row.latestVersion) throw new Error(`template ${row.id} has no latest version`);
  const { latestVersion, activeVersion, nameKey: _nameKey, ...template } = row;
  return {
    ...(template as Omit<TemplateRecord, 'latestVersionId'>),
    latestVersionId: latestVersion.id,
    latest: toVersionRecord(latestVersion),
    active: activeVersion ? toVersionRecord(activeVersion) : null,
  };
}

/** Unique among live templates: case-insensitive name per channel (and language for WhatsApp). */
export function nameKey(organizationId: string, channel: Channel, name: string, language: string | null): string {
  return `${organizationId}:${channel}:${name.toLowerCase()}:${language ?? ''}`;
}

const json = (value: unknown) => value as Prisma.InputJsonValue;

function isUniqueViolation(error: unknown): boolean {
  return error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002';
}

export interface ListQuery {
  channel?: Channel | null;
  status?: TemplateStatus | null;
  search?: string | null;
  sendable?: boolean | null;
  archived: boolean;
  first: number;
  after: { createdAt: Date; id: string } | null;
}

export interface NewTemplate {
  organizationId: string;
  createdById: string;
  channel: Channel;
  name: string;
  language: string | null;
  status: TemplateStatus;
  content: TemplateContent;
  variables: VariableDeclaration[];
}

export interface NewVersion {
  version: number;
  status: TemplateStatus;
  content: TemplateContent;
  variables: VariableDeclaration[];
  createdById: string;
}

export interface StatusChange {
  versionId: string;
  fromStatus: TemplateStatus | null;
  toStatus: TemplateStatus;
  reason: string | null;
  changedById: string | null;
}

const SENDABLE_STATUSES: TemplateStatus[] = ['ACTIVE', 'APPROVED'];

/**
 * The next `updatedAt` of a template: now, but always past the previous value, so that one
 * template's states (and its `template.changed` events) are totally ordered by it even within a
 * millisecond or across writers whose clocks differ a little. Writers hold the row lock.
 */
export function nextUpdatedAt(previous: Date, now: number = Date.now()): Date {
  return new Date(Math.max(now, previous.getTime() + 1));
}

/** Builds the event of a committed-to-be write from the template as stored after it. */
export type ChangeEventBuilder = (after: TemplateView) => OutboxEvent;

/** A consumed event, recorded so that its redelivery is a no-op. */
export interface ConsumedEvent {
  consumer: string;
  eventId: string;
  organizationId: string | null;
  templateId: string | null;
  outcome: string;
}

/** Writes on one locked template, inside the transaction of `TemplateStore.mutate`. */
export class TemplateWriter {
  /** Whether anything was written (then the template's `updatedAt` moves and an event is written). */
  changed = false;
  private templateWritten = false;

  constructor(
    private readonly tx: Tx,
    private readonly template: TemplateView,
  ) {}

  /** Every write of the template row sets `updatedAt` past the previous value (see nextUpdatedAt). */
  async updateTemplate(data: {
    name?: string;
    language?: string | null;
    status?: TemplateStatus;
    latestVersionId?: string;
    activeVersionId?: string | null;
    archivedAt?: Date | null;
    providerTemplateId?: string;
    providerStatusAt?: Date;
  }): Promise<void> {
    this.changed = true;
    this.templateWritten = true;
    const name = data.name ?? this.template.name;
    const language = data.language !== undefined ? data.language : this.template.language;
    const archived = data.archivedAt !== undefined ? data.archivedAt !== null : this.template.archivedAt !== null;
    try {
      await this.tx.template.update({
        where: { id: this.template.id },
        data: {
          ...data,
          nameKey: archived ? null : nameKey(this.template.organizationId, this.template.channel, name, language),
          updatedAt: nextUpdatedAt(this.template.updatedAt),
        },
      });
    } catch (error) {
      if (isUniqueViolation(error)) throw new TemplateNameTakenError();
      throw error;
    }
  }

  /** Writes the template row if only versions changed, so `updatedAt` moves with every change. */
  async touch(): Promise<void> {
    if (this.changed && !this.templateWritten) await this.updateTemplate({});
  }

  /**
   * Records that `consumer` handled `eventId` in this transaction (so its effect and the record
   * commit together). Throws EventAlreadyHandledError when it was recorded before; a concurrent
   * handler of the same id waits on the primary key and then gets that error.
   */
  async recordConsumedEvent(event: Omit<ConsumedEvent, 'organizationId' | 'templateId'>): Promise<void> {
    try {
      await this.tx.templateConsumedEvent.create({
        data: { ...event, organizationId: this.template.organizationId, templateId: this.template.id },
      });
    } catch (error) {
      if (isUniqueViolation(error)) throw new EventAlreadyHandledError();
      throw error;
    }
  }

  async createVersion(data: NewVersion): Promise<TemplateVersionRecord> {
    this.changed = true;
    const row = await this.tx.templateVersion.create({
      data: {
        templateId: this.template.id,
        organizationId: this.template.organizationId,
        version: data.version,
        status: data.status,
        content: json(data.content),
        variables: json(data.variables),
        createdById: data.createdById,
      },
    });
    return toVersionRecord(row);
  }

  async updateVersion(
    id: string,
    data: {
      status?: TemplateStatus;
      statusReason?: string | null;
      content?: TemplateContent;
      variables?: VariableDeclaration[];
      submittedAt?: Date;
      supersededAt?: Date;
    },
  ): Promise<void> {
    this.changed = true;
    const { content, variables, ...rest } = data;
    await this.tx.templateVersion.update({
      where: { id },
      data: {
        ...rest,
        ...(content ? { content: json(content) } : {}),
        ...(variables ? { variables: json(variables) } : {}),
      },
    });
  }

  async recordStatusChange(change: StatusChange): Promise<void> {
    this.changed = true;
    await this.tx.templateStatusChange.create({
      data: { ...change, organizationId: this.template.organizationId },
    });
  }

  async findVersion(version: number): Promise<TemplateVersionRecord | null> {
    const row = await this.tx.templateVersion.findUnique({
      where: { templateId_version: { templateId: this.template.id, version } },
    });
    return row ? toVersionRecord(row) : null;
  }
}

export class TemplateStore {
  constructor(private readonly prisma: PrismaClient) {}

  async findView(organizationId: string, id: string): Promise<TemplateView | null> {
    const row = await this.prisma.template.findFirst({ where: { id, organizationId }, include: withVersions });
    return row ? toView(row) : null;
  }

  async findViews(organizationId: string, ids: readonly string[]): Promise<TemplateView[]> {
    const rows = await this.prisma.template.findMany({ where: { id: { in: [...ids] }, organizationId }, include: withVersions });
    return rows.map(toView);
  }

  async list(organizationId: string, query: ListQuery): Promise<{ views: TemplateView[]; hasNextPage: boolean; totalCount: number }> {
    const filters: Prisma.TemplateWhereInput[] = [
      { organizationId },
      query.archived ? { archivedAt: { not: null } } : { archivedAt: null },
    ];
    if (query.channel) filters.push({ channel: query.channel });
    if (query.status) filters.push({ status: query.status });
    const search = query.search?.trim();
    if (search) {
      // LIKE wildcards in the search are literal characters.
      filters.push({ name: { contains: search.replace(/[\\%_]/g, '\\$&'), mode: 'insensitive' } });
    }
    if (query.sendable === true) {
      filters.push({ archivedAt: null, activeVersion: { is: { status: { in: SENDABLE_STATUSES } } } });
    } else if (query.sendable === false) {
      filters.push({
        OR: [
          { archivedAt: { not: null } },
          { activeVersionId: null },
          { activeVersion: { is: { status: { notIn: SENDABLE_STATUSES } } } },
        ],
      });
    }
    const where: Prisma.TemplateWhereInput = { AND: filters };
    const page: Prisma.TemplateWhereInput = query.after
      ? {
          AND: [
            where,
            {
              OR: [
                { createdAt: { lt: query.after.createdAt } },
                { createdAt: query.after.createdAt, id: { lt: query.after.id } },
              ],
            },
          ],
        }
      : where;
    const [rows, totalCount] = await Promise.all([
      this.prisma.template.findMany({
        where: page,
        include: withVersions,
        orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
        take: query.first + 1,
      }),
      this.prisma.template.count({ where }),
    ]);
    return { views: rows.slice(0, query.first).map(toView), hasNextPage: rows.length > query.first, totalCount };
  }

  async listVersions(organizationId: string, templateId: string): Promise<TemplateVersionRecord[]> {
    const rows = await this.prisma.templateVersion.findMany({
      where: { templateId, organizationId },
      orderBy: { version: 'desc' },
    });
    return rows.map(toVersionRecord);
  }

  async findVersion(organizationId: string, templateId: string, version: number): Promise<TemplateVersionRecord | null> {
    const row = await this.prisma.templateVersion.findFirst({ where: { templateId, organizationId, version } });
    return row ? toVersionRecord(row) : null;
  }

  async listStatusChanges(organizationId: string, versionId: string): Promise<TemplateStatusChangeRecord[]> {
    return this.prisma.templateStatusChange.findMany({
      where: { versionId, organizationId },
      orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
      select: { id: true, versionId: true, fromStatus: true, toStatus: true, reason: true, changedById: true, createdAt: true },
    });
  }

  /** Creates a template with its first version and its event. Throws TemplateNameTakenError. */
  async create(input: NewTemplate, event: ChangeEventBuilder): Promise<TemplateView> {
    try {
      return await withTransaction(this.prisma, async (tx) => {
        const template = await tx.template.create({
          data: {
            organizationId: input.organizationId,
            channel: input.channel,
            name: input.name,
            language: input.language,
            nameKey: nameKey(input.organizationId, input.channel, input.name, input.language),
            status: input.status,
            createdById: input.createdById,
          },
        });
        const version = await tx.templateVersion.create({
          data: {
            templateId: template.id,
            organizationId: input.organizationId,
            version: 1,
            status: input.status,
            content: json(input.content),
            variables: json(input.variables),
            createdById: input.createdById,
          },
        });
        await tx.templateStatusChange.create({
          data: {
            versionId: version.id,
            organizationId: input.organizationId,
            fromStatus: null,
            toStatus: input.status,
            reason: null,
            changedById: input.createdById,
          },
        });
        const row = await tx.template.update({
          where: { id: template.id },
          data: { latestVersionId: version.id, activeVersionId: input.status === 'ACTIVE' ? version.id : null },
          include: withVersions,
        });
        const view = toView(row);
        await appendOutbox(tx, event(view));
        return view;
      });
    } catch (error) {
      if (isUniqueViolation(error)) throw new TemplateNameTakenError();
      throw error;
    }
  }

  /**
   * Runs `change` on the template locked for update (concurrent writers wait their turn) and
   * returns its result with the template as stored afterwards; null when the organization has
   * no such template. When `change` wrote anything, the event `event` builds from the template as
   * stored afterwards is appended to the outbox in the same transaction (exactly one per write).
   */
  async mutate<T>(
    organizationId: string,
    id: string,
    change: (current: TemplateView, writer: TemplateWriter) => Promise<T>,
    event: ChangeEventBuilder,
  ): Promise<{ result: T; view: TemplateView; changed: boolean } | null> {
    return withTransaction(this.prisma, async (tx) => {
      const locked = await tx.$queryRaw<{ id: string }[]>`
        SELECT id FROM "template"."template"
        WHERE id = ${id}::uuid AND organization_id = ${organizationId}::uuid
        FOR UPDATE`;
      if (locked.length === 0) return null;
      const before = await tx.template.findUniqueOrThrow({ where: { id }, include: withVersions });
      const writer = new TemplateWriter(tx, toView(before));
      const result = await change(toView(before), writer);
      await writer.touch();
      const after = toView(await tx.template.findUniqueOrThrow({ where: { id }, include: withVersions }));
      if (writer.changed) await appendOutbox(tx, event(after));
      return { result, view: after, changed: writer.changed };
    });
  }

  /**
   * The live WhatsApp template a provider status report is about: the one that learned the
   * provider's template id, else the one with that name and language (case-insensitive name).
   */
  async findForProviderReport(
    organizationId: string,
    report: { providerTemplateId: string | null; name: string; language: string },
  ): Promise<string | null> {
    if (report.providerTemplateId) {
      const byId = await this.prisma.template.findFirst({
        where: { organizationId, channel: 'WHATSAPP', archivedAt: null, providerTemplateId: report.providerTemplateId },
        select: { id: true },
        orderBy: { createdAt: 'desc' },
      });
      if (byId) return byId.id;
    }
    const byName = await this.prisma.template.findUnique({
      where: { nameKey: nameKey(organizationId, 'WHATSAPP', report.name, report.language) },
      select: { id: true },
    });
    return byName?.id ?? null;
  }

  async isEventConsumed(consumer: string, eventId: string): Promise<boolean> {
    const row = await this.prisma.templateConsumedEvent.findUnique({
      where: { consumer_eventId: { consumer, eventId } },
      select: { eventId: true },
    });
    return row !== null;
  }

  /** Records an event handled without a write (skipped); false when it was recorded before. */
  async recordConsumedEvent(event: ConsumedEvent): Promise<boolean> {
    const { count } = await this.prisma.templateConsumedEvent.createMany({ data: [event], skipDuplicates: true });
    return count === 1;
  }
}
