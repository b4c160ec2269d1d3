/**
 * The template service: applies the domain rules (validation, approval lifecycle, rendering)
 * to stored templates, scoped to one organization. Resolvers check roles and call it; the
 * consumer of the provider's status reports calls `applyProviderStatus`, which goes through
 * `setApprovalStatus` with no user. Every write commits its `template.changed` outbox event in
 * the same transaction.
 */
import { GraphQLError } from 'graphql';
import { badUserInput, conflict, notFound, userError } from '@switchboard/subgraph-kit';
import type { Logger } from '@switchboard/config';
import { checkSubmission, checkTransition, chooseVersion, isSendable, planEdit, REVIEW_STATUSES } from './approval';
import { decodeCursor, encodeCursor, isUuid } from './cursor';
import { templateChangedEvent, type TemplateChangeKind } from './events';
import { planProviderStatus, type ProviderStatusOutcome, type ProviderStatusReport } from './provider-status';
import { renderContent, type RenderedContent, type RenderFailure } from './render';
import { describeRenderFailure } from './render-for-send';
import { validateTemplateInput, withArticle, type EmailInput, type SmsInput, type TemplateInput, type WhatsAppInput } from './template-input';
import type {
  Channel,
  InputIssue,
  TemplateContent,
  TemplateStatus,
  TemplateStatusChangeRecord,
  TemplateVersionRecord,
  TemplateView,
} from './types';
import type { DeclarationInput } from './variables';
import { EventAlreadyHandledError, TemplateNameTakenError, type TemplateStore } from '../store/template-store';
import type { TemplateCache } from '../store/template-cache';

/** Who acts: a user of the organization, or (userId null) the provider. */
export interface Actor {
  organizationId: string;
  userId: string | null;
  /** The request (or event) that caused the write; carried by its event. */
  traceId?: string | null;
}

/** The consumer group whose handled event ids are recorded for provider status reports. */
export const PROVIDER_STATUS_CONSUMER = 'template';

/** A status change reported by the provider, applied once per event id and never out of order. */
export interface ProviderSource {
  consumer: string;
  eventId: string;
  providerTemplateId: string;
  reportedAt: Date;
}

/** The report is older than the last one applied to the template. */
class StaleReportError extends Error {
  constructor(readonly lastReportedAt: Date) {
    super('stale provider report');
  }
}

/** Codes of the state machine's refusals (the transition cannot happen), as opposed to failures. */
const REFUSAL_CODES = new Set(['CONFLICT', 'BAD_USER_INPUT', 'NOT_FOUND']);

export interface TemplatePatch {
  name?: string | null;
  language?: string | null;
  variables?: readonly DeclarationInput[] | null;
  email?: EmailInput | null;
  sms?: SmsInput | null;
  whatsapp?: WhatsAppInput | null;
}

export interface TemplateListArgs {
  channel?: Channel | null;
  status?: TemplateStatus | null;
  search?: string | null;
  sendable?: boolean | null;
  archived?: boolean | null;
  first?: number | null;
  after?: string | null;
}

export interface TemplatePage {
  edges: { cursor: string; node: TemplateView }[];
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
  totalCount: number;
}

/** A rendering with the template and version it came from. */
export type RenderOutcome = RenderedContent & { templateId: string; version: number };
export type RenderedEmailResult = Extract<RenderOutcome, { channel: 'EMAIL' }>;
export type RenderedSmsResult = Extract<RenderOutcome, { channel: 'SMS' }>;
export type RenderedWhatsAppResult = Extract<RenderOutcome, { channel: 'WHATSAPP' }>;

export const MAX_PAGE_SIZE = 100;

/** A user's input problems as one BAD_USER_INPUT error: the first problem's field, all in `issues`. */
export function invalidInput(issues: readonly InputIssue[]) {
  const [first] = issues;
  const more = issues.length - 1;
  const message = more > 0 ? `${first!.message} (and ${more} more problem${more === 1 ? '' : 's'}: see extensions.issues)` : first!.message;
  return badUserInput(message, first!.field, { issues });
}

function variablesError(failure: RenderFailure) {
  if (failure.kind === 'notAnObject') return badUserInput(failure.message, 'variables');
  return badUserInput(describeRenderFailure(failure), 'variables', {
    missing: failure.missing,
    extra: failure.extra,
    mistyped: failure.mistyped,
  });
}

/** JSON with sorted keys: PostgreSQL's jsonb does not keep key order. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)))
      : v,
  );
}

function contentAsInput(content: TemplateContent): Pick<TemplateInput, 'email' | 'sms' | 'whatsapp'> {
  switch (content.channel) {
    case 'EMAIL':
      return { email: { subject: content.subject, html: content.html, text: content.text } };
    case 'SMS':
      return { sms: { body: content.body } };
    case 'WHATSAPP':
      return {
        whatsapp: {
          category: content.category,
          header: content.header,
          body: content.body,
          footer: content.footer,
          buttons: content.buttons,
        },
      };
  }
}

export class TemplateService {
  constructor(
    private readonly store: TemplateStore,
    private readonly cache: TemplateCache | null,
    private readonly log: Logger,
  ) {}

  /** Hits and misses of the Redis cache (null when it is off). */
  cacheStats() {
    return this.cache ? { ...this.cache.stats } : null;
  }

  /** The template, or null when the organization has none with this id (cached read). */
  async find(organizationId: string, id: string): Promise<TemplateView | null> {
    if (!isUuid(id)) return null;
    const load = () => this.store.findView(organizationId, id);
    return this.cache ? this.cache.get(organizationId, id, load) : load();
  }

  async get(organizationId: string, id: string): Promise<TemplateView> {
    const view = await this.find(organizationId, id);
    if (!view) throw notFound('Template', id);
    return view;
  }

  /** Batch lookup for federation references (not cached: one query for many). */
  async findMany(organizationId: string, ids: readonly string[]): Promise<TemplateView[]> {
    const valid = ids.filter(isUuid);
    return valid.length ? this.store.findViews(organizationId, valid) : [];
  }

  async list(organizationId: string, args: TemplateListArgs): Promise<TemplatePage> {
    const first = args.first ?? 20;
    if (!Number.isInteger(first) || first < 1 || first > MAX_PAGE_SIZE) {
      throw badUserInput(`first must be between 1 and ${MAX_PAGE_SIZE}`, 'first');
    }
    const after = args.after ? decodeCursor(args.after) : null;
    if (args.after && !after) throw badUserInput('after is not a cursor from this list', 'after');
    const page = await this.store.list(organizationId, {
      channel: args.channel,
      status: args.status,
      search: args.search,
      sendable: args.sendable,
      archived: args.archived ?? false,
      first,
      after,
    });
    const edges = page.views.map((node) => ({ cursor: encodeCursor(node), node }));
    return {
      edges,
      pageInfo: {
        hasNextPage: page.hasNextPage,
        hasPreviousPage: after !== null,
        startCursor: edges[0]?.cursor ?? null,
        endCursor: edges.length ? edges[edges.length - 1]!.cursor : null,
      },
      totalCount: page.totalCount,
    };
  }

  versions(view: TemplateView): Promise<TemplateVersionRecord[]> {
    return this.store.listVersions(view.organizationId, view.id);
  }

  statusHistory(version: TemplateVersionRecord): Promise<TemplateStatusChangeRecord[]> {
    return this.store.listStatusChanges(version.organizationId, version.id);
  }

  async create(actor: Actor & { userId: string }, input: TemplateInput): Promise<TemplateView> {
    const validation = validateTemplateInput(input);
    if (!validation.ok) throw invalidInput(validation.issues);
    const { name, language, content, variables } = validation.value;
    try {
      const view = await this.store.create(
        {
          organizationId: actor.organizationId,
          createdById: actor.userId,
          channel: input.channel,
          name,
          language,
          status: input.channel === 'WHATSAPP' ? 'DRAFT' : 'ACTIVE',
          content,
          variables,
        },
        (created) => templateChangedEvent(created, 'CREATED', { traceId: actor.traceId ?? null }),
      );
      this.log.info({ templateId: view.id, channel: view.channel }, 'template created');
      return view;
    } catch (error) {
      if (error instanceof TemplateNameTakenError) throw this.nameTaken(input.channel, name, language);
      throw error;
    }
  }

  async update(actor: Actor & { userId: string }, id: string, patch: TemplatePatch): Promise<TemplateView> {
    return this.write(actor, id, 'UPDATED', async (current, writer) => {
      const merged: TemplateInput = {
        channel: current.channel,
        name: patch.name ?? current.name,
        language: patch.language ?? current.language,
        variables: patch.variables ?? current.latest.variables,
        ...contentAsInput(current.latest.content),
        ...(patch.email ? { email: patch.email } : {}),
        ...(patch.sms ? { sms: patch.sms } : {}),
        ...(patch.whatsapp ? { whatsapp: patch.whatsapp } : {}),
      };
      const validation = validateTemplateInput(merged);
      if (!validation.ok) throw invalidInput(validation.issues);
      const next = validation.value;

      const renamed = next.name !== current.name || next.language !== current.language;
      if (renamed && current.channel === 'WHATSAPP' && (current.latest.version > 1 || current.latest.status !== 'DRAFT')) {
        throw conflict('The name and language of a WhatsApp template cannot change once it was submitted: create a new template', {
          currentStatus: current.latest.status,
        });
      }
      const changed =
        canonical(next.content) !== canonical(current.latest.content) || canonical(next.variables) !== canonical(current.latest.variables);
      if (!renamed && !changed) return;

      const templateUpdate: Parameters<typeof writer.updateTemplate>[0] = { name: next.name, language: next.language };
      if (changed) {
        const plan = planEdit(current.channel, current.latest);
        if (plan.kind === 'refused') throw conflict(plan.message, { currentStatus: current.latest.status });
        if (plan.kind === 'inPlace') {
          await writer.updateVersion(current.latest.id, { content: next.content, variables: next.variables });
        } else {
          const version = await writer.createVersion({
            version: current.latest.version + 1,
            status: plan.status,
            content: next.content,
            variables: next.variables,
            createdById: actor.userId,
          });
          await writer.recordStatusChange({ versionId: version.id, fromStatus: null, toStatus: plan.status, reason: null, changedById: actor.userId });
          templateUpdate.latestVersionId = version.id;
          templateUpdate.status = plan.status;
          if (plan.status === 'ACTIVE') {
            if (current.active) await writer.updateVersion(current.active.id, { supersededAt: new Date() });
            templateUpdate.activeVersionId = version.id;
          }
        }
      }
      await writer.updateTemplate(templateUpdate);
    });
  }

  /** Archives the template (kept for history, no longer listed or sendable). Idempotent. */
  async archive(actor: Actor, id: string): Promise<TemplateView> {
    return this.write(
      actor,
      id,
      'ARCHIVED',
      async (current, writer) => {
        if (!current.archivedAt) await writer.updateTemplate({ archivedAt: new Date() });
      },
      { allowArchived: true },
    );
  }

  async submit(actor: Actor, id: string): Promise<TemplateView> {
    return this.write(actor, id, 'STATUS_CHANGED', async (current, writer) => {
      const check = checkSubmission(current.channel, current.latest);
      if (!check.ok) {
        throw check.code === 'CONFLICT'
          ? conflict(check.message, { currentStatus: current.latest.status })
          : badUserInput(check.message, check.field);
      }
      await writer.updateVersion(current.latest.id, { status: 'PENDING', submittedAt: new Date(), statusReason: null });
      await writer.recordStatusChange({
        versionId: current.latest.id,
        fromStatus: current.latest.status,
        toStatus: 'PENDING',
        reason: null,
        changedById: actor.userId,
      });
      await writer.updateTemplate({ status: 'PENDING' });
    });
  }

  /**
   * Moves a WhatsApp version through review and quality states (APPROVED, REJECTED, PAUSED,
   * DISABLED). Without `version`, see `chooseVersion`. Approving a version makes it the one
   * used to send; the previously active version is superseded.
   *
   * With `provider` (the provider's report, no user): the event id is recorded in the same
   * transaction (EventAlreadyHandledError when it was before), a report older than the last one
   * applied is refused (StaleReportError), and the provider's template id is remembered.
   */
  async setApprovalStatus(
    actor: Actor,
    id: string,
    change: { status: TemplateStatus; reason?: string | null; version?: number | null },
    provider?: ProviderSource,
  ): Promise<TemplateView> {
    if (!REVIEW_STATUSES.includes(change.status)) {
      throw badUserInput(
        `${change.status} cannot be set: use APPROVED, REJECTED, PAUSED or DISABLED (PENDING comes from submitTemplateForApproval, DRAFT from editing)`,
        'status',
      );
    }
    return this.write(actor, id, 'STATUS_CHANGED', async (current, writer) => {
      if (provider) {
        await writer.recordConsumedEvent({ consumer: provider.consumer, eventId: provider.eventId, outcome: 'APPLIED' });
        if (current.providerStatusAt && provider.reportedAt.getTime() < current.providerStatusAt.getTime()) {
          throw new StaleReportError(current.providerStatusAt);
        }
      }
      if (current.channel !== 'WHATSAPP') {
        throw badUserInput(`${current.channel} templates have no approval status`, 'id');
      }
      let target: TemplateVersionRecord;
      if (change.version != null) {
        const found = await writer.findVersion(change.version);
        if (!found) throw badUserInput(`Template ${id} has no version ${change.version}`, 'version');
        target = found;
      } else {
        target = chooseVersion(change.status, current.latest, current.active);
      }
      if (target.supersededAt) {
        throw conflict(`Version ${target.version} was superseded by a newer approved version`, { currentStatus: target.status });
      }
      const check = checkTransition(target.status, change.status, change.reason);
      if (!check.ok) {
        const message = `Version ${target.version} is ${target.status}: ${check.message}`;
        throw check.code === 'CONFLICT'
          ? conflict(message, { currentStatus: target.status, version: target.version })
          : badUserInput(check.message, check.field);
      }
      await writer.updateVersion(target.id, { status: change.status, statusReason: check.reason });
      await writer.recordStatusChange({
        versionId: target.id,
        fromStatus: target.status,
        toStatus: change.status,
        reason: change.reason?.trim() || null,
        changedById: actor.userId,
      });
      const templateUpdate: Parameters<typeof writer.updateTemplate>[0] = provider
        ? { providerTemplateId: provider.providerTemplateId, providerStatusAt: provider.reportedAt }
        : {};
      if (target.id === current.latest.id) templateUpdate.status = change.status;
      if (change.status === 'APPROVED' && current.active?.id !== target.id) {
        if (current.active) await writer.updateVersion(current.active.id, { supersededAt: new Date() });
        templateUpdate.activeVersionId = target.id;
      }
      await writer.updateTemplate(templateUpdate);
      this.log.info(
        { templateId: id, version: target.version, from: target.status, to: change.status, by: provider ? 'provider' : 'user' },
        'template status changed',
      );
    });
  }

  /**
   * Applies a provider's status report (`template.status_changed`) to the organization's live
   * WhatsApp template it is about — by the provider's template id once known, else by name and
   * language — through `setApprovalStatus` with no user. Idempotent on the event id (recorded in
   * the transaction of the change, or alone when skipped). Reports the state machine refuses
   * (an illegal or out-of-order transition, an archived template) and reports about no template
   * are skipped and logged; only unexpected failures (the database) throw, for a retry.
   */
  async applyProviderStatus(report: ProviderStatusReport): Promise<ProviderStatusOutcome> {
    const consumer = PROVIDER_STATUS_CONSUMER;
    const fields = { eventId: report.eventId, providerTemplateId: report.providerTemplateId, event: report.event, status: report.status };
    if (await this.store.isEventConsumed(consumer, report.eventId)) {
      this.log.info(fields, 'template status report already handled; skipping');
      return 'DUPLICATE';
    }
    const skip = async (outcome: ProviderStatusOutcome, templateId: string | null, why: string, level: 'info' | 'warn' = 'info') => {
      const recorded = await this.store.recordConsumedEvent({ consumer, eventId: report.eventId, organizationId: report.organizationId, templateId, outcome });
      if (!recorded) return 'DUPLICATE' as const;
      this.log[level]({ ...fields, templateId, outcome, why }, 'template status report skipped');
      return outcome;
    };

    const plan = planProviderStatus(report);
    if (plan.kind === 'skip') return skip(plan.outcome, null, plan.why);
    const organizationId = report.organizationId!;
    const templateId = await this.store.findForProviderReport(organizationId, report);
    if (!templateId) return skip('NO_TEMPLATE', null, `no live WhatsApp template ${report.name} (${report.language}) in the organization`);

    try {
      await this.setApprovalStatus(
        { organizationId, userId: null, traceId: report.traceId },
        templateId,
        { status: plan.status, reason: plan.reason },
        { consumer, eventId: report.eventId, providerTemplateId: report.providerTemplateId, reportedAt: report.reportedAt },
      );
    } catch (error) {
      if (error instanceof EventAlreadyHandledError) {
        this.log.info({ ...fields, templateId }, 'template status report already handled; skipping');
        return 'DUPLICATE';
      }
      if (error instanceof StaleReportError) {
        return skip('STALE', templateId, `reported before the last report applied (${error.lastReportedAt.toISOString()})`, 'warn');
      }
      const code = error instanceof GraphQLError ? error.extensions.code : undefined;
      if (typeof code === 'string' && REFUSAL_CODES.has(code)) return skip('REFUSED', templateId, `${code}: ${error instanceof Error ? error.message : ''}`, 'warn');
      throw error;
    }
    this.log.info({ ...fields, templateId }, 'template status report applied');
    return 'APPLIED';
  }

  /**
   * Renders a version with the caller's values: the latest version by default (a preview), or
   * the given one.
   */
  async render(organizationId: string, id: string, values: unknown, options: { version?: number | null } = {}): Promise<RenderOutcome> {
    const view = await this.get(organizationId, id);
    let version: TemplateVersionRecord | null = view.latest;
    if (options.version != null) {
      version =
        [view.latest, view.active].find((v) => v?.version === options.version) ??
        (await this.store.findVersion(organizationId, id, options.version));
      if (!version) throw badUserInput(`Template ${id} has no version ${options.version}`, 'version');
    }
    return this.renderVersion(view, version, values);
  }

  /**
   * Renders what would be sent: the active version, only when the template is sendable — an
   * APPROVED WhatsApp version, or any live email/SMS template. Otherwise TEMPLATE_NOT_APPROVED
   * (or CONFLICT for an archived template).
   */
  async renderForSending(organizationId: string, id: string, values: unknown): Promise<RenderOutcome> {
    const view = await this.get(organizationId, id);
    if (view.archivedAt) throw conflict(`Template ${id} is archived and can no longer be sent`, { currentStatus: view.status });
    if (!isSendable(view) || !view.active) {
      const activeStatus = view.active?.status ?? null;
      throw userError(
        'TEMPLATE_NOT_APPROVED',
        activeStatus
          ? `Template ${view.name} cannot be sent: its approved version is ${activeStatus}`
          : `Template ${view.name} cannot be sent before WhatsApp approves it (it is ${view.status})`,
        { currentStatus: view.status, activeStatus },
      );
    }
    return this.renderVersion(view, view.active, values);
  }

  private renderVersion(view: TemplateView, version: TemplateVersionRecord, values: unknown): RenderOutcome {
    const result = renderContent({ name: view.name, language: view.language, content: version.content, variables: version.variables }, values);
    if (!result.ok) throw variablesError(result.failure);
    return { ...result.rendered, templateId: view.id, version: version.version };
  }

  private nameTaken(channel: Channel, name: string, language: string | null) {
    return conflict(
      `${withArticle(channel).replace(/^a/, 'A')} template named "${name}"${language ? ` in ${language}` : ''} already exists`,
      { field: 'name' },
    );
  }

  /**
   * One write: locked, validated by `change`, committed with its `template.changed` event (when
   * `change` wrote anything), then the cache entry dropped.
   */
  private async write(
    actor: Actor,
    id: string,
    kind: TemplateChangeKind,
    change: Parameters<TemplateStore['mutate']>[2],
    options: { allowArchived?: boolean } = {},
  ): Promise<TemplateView> {
    if (!isUuid(id)) throw notFound('Template', id);
    let outcome: Awaited<ReturnType<TemplateStore['mutate']>>;
    try {
      outcome = await this.store.mutate(actor.organizationId, id, async (current, writer) => {
        if (current.archivedAt && !options.allowArchived) {
          throw conflict(`Template ${id} is archived: it can no longer change`, { currentStatus: current.status });
        }
        return change(current, writer);
      }, (after) => templateChangedEvent(after, kind, { traceId: actor.traceId ?? null }));
    } catch (error) {
      if (error instanceof TemplateNameTakenError) throw conflict('Another live template already has this name', { field: 'name' });
      throw error;
    }
    if (!outcome) throw notFound('Template', id);
    await this.cache?.invalidate(actor.organizationId, id);
    return outcome.view;
  }
}
