/**
 * What a provider's template status report (`template.status_changed`, from WhatsApp's
 * `message_template_status_update` webhook) asks of the approval state machine. Pure: the
 * consumer decodes, this decides, the template service applies (`setApprovalStatus` with no user).
 */
import { REVIEW_STATUSES } from './approval';
import type { TemplateStatus } from './types';

/** A status report as the consumer hands it over (the event's envelope and payload). */
export interface ProviderStatusReport {
  eventId: string;
  organizationId: string | null;
  traceId: string | null;
  providerTemplateId: string;
  name: string;
  language: string;
  /** The provider's event as sent (`APPROVED`, `FLAGGED`, `PENDING_DELETION` …). */
  event: string;
  status: 'PENDING' | 'APPROVED' | 'REJECTED' | 'PAUSED' | 'DISABLED' | null;
  reason: string | null;
  reportedAt: Date;
}

/** What became of a report (recorded with its event id; also the consumer's log line). */
export type ProviderStatusOutcome =
  /** The status was applied (and `template.changed` written with it). */
  | 'APPLIED'
  /** This event id was handled before. */
  | 'DUPLICATE'
  /** Not a status this subgraph sets (FLAGGED, PENDING_DELETION …, PENDING: our own submission). */
  | 'IGNORED'
  /** An event without an organization. */
  | 'NO_ORGANIZATION'
  /** No live WhatsApp template with that provider id, or that name and language. */
  | 'NO_TEMPLATE'
  /** Reported before the last report applied to the template (out of order). */
  | 'STALE'
  /** The state machine refused it (an illegal transition, an archived template …). */
  | 'REFUSED';

export type ProviderStatusPlan =
  | { kind: 'apply'; status: TemplateStatus; reason: string | null }
  | { kind: 'skip'; outcome: Extract<ProviderStatusOutcome, 'IGNORED' | 'NO_ORGANIZATION'>; why: string };

/** WhatsApp sometimes rejects without a reason (`NONE`); the state machine wants one. */
export const DEFAULT_REJECTION_REASON = 'Rejected by WhatsApp (no reason given)';

export function planProviderStatus(report: Pick<ProviderStatusReport, 'organizationId' | 'event' | 'status' | 'reason'>): ProviderStatusPlan {
  if (!report.organizationId) return { kind: 'skip', outcome: 'NO_ORGANIZATION', why: 'the event has no organization' };
  const { status } = report;
  if (status === null) return { kind: 'skip', outcome: 'IGNORED', why: `WhatsApp event ${report.event} is not a template status` };
  if (!REVIEW_STATUSES.includes(status)) {
    return { kind: 'skip', outcome: 'IGNORED', why: `${status} is set by submitting the template, not by the provider's report` };
  }
  const reason = report.reason?.trim() || null;
  return { kind: 'apply', status, reason: status === 'REJECTED' ? (reason ?? DEFAULT_REJECTION_REASON) : reason };
}
