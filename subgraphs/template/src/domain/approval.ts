/**
 * WhatsApp's template approval lifecycle, per template version:
 *
 *   DRAFT ──submit──▶ PENDING ──▶ APPROVED ◀──▶ PAUSED
 *                        │           │            │
 *                        ▼           └──▶ DISABLED ◀┘
 *                     REJECTED (with a reason)
 *
 * REJECTED and DISABLED are final for a version: editing the template starts a new DRAFT
 * version. APPROVED → DISABLED is allowed because WhatsApp can disable an approved template
 * outright for a policy violation. Email and SMS templates are ACTIVE and have no lifecycle.
 *
 * Pure functions: the template service applies them, whoever asks (an ADMIN, or the
 * provider's status reports through the `template.status_changed` consumer).
 */
import type { Channel, TemplateStatus, TemplateView, TemplateVersionRecord } from './types';

const TRANSITIONS: Readonly<Record<TemplateStatus, readonly TemplateStatus[]>> = {
  ACTIVE: [],
  DRAFT: ['PENDING'],
  PENDING: ['APPROVED', 'REJECTED'],
  APPROVED: ['PAUSED', 'DISABLED'],
  PAUSED: ['APPROVED', 'DISABLED'],
  REJECTED: [],
  DISABLED: [],
};

/** Statuses a reviewer (or the provider) sets; PENDING comes only from a submission. */
export const REVIEW_STATUSES: readonly TemplateStatus[] = ['APPROVED', 'REJECTED', 'PAUSED', 'DISABLED'];

/** Statuses whose version may be used to send. */
const SENDABLE: readonly TemplateStatus[] = ['ACTIVE', 'APPROVED'];

export function canTransition(from: TemplateStatus, to: TemplateStatus): boolean {
  return TRANSITIONS[from].includes(to);
}

export function allowedTransitions(from: TemplateStatus): readonly TemplateStatus[] {
  return TRANSITIONS[from];
}

export type TransitionCheck =
  | { ok: true; reason: string | null }
  | { ok: false; code: 'BAD_USER_INPUT' | 'CONFLICT'; field?: string; message: string };

/** Checks one transition, including the reason rules (REJECTED needs one). */
export function checkTransition(from: TemplateStatus, to: TemplateStatus, reason?: string | null): TransitionCheck {
  const trimmed = reason?.trim() || null;
  if (to === 'REJECTED' && !trimmed) {
    return { ok: false, code: 'BAD_USER_INPUT', field: 'reason', message: 'A rejection needs a reason' };
  }
  if (trimmed && trimmed.length > 1000) {
    return { ok: false, code: 'BAD_USER_INPUT', field: 'reason', message: 'Reason is longer than 1000 characters' };
  }
  if (!canTransition(from, to)) {
    const allowed = TRANSITIONS[from];
    return {
      ok: false,
      code: 'CONFLICT',
      message:
        from === to
          ? `The template is already ${from}`
          : `Cannot go from ${from} to ${to}; from ${from} ${allowed.length ? `only ${allowed.join(' or ')} is possible` : 'no change is possible'}`,
    };
  }
  return { ok: true, reason: to === 'APPROVED' ? null : trimmed };
}

/** What a submission does to the latest version. */
export function checkSubmission(channel: Channel, latest: TemplateVersionRecord): TransitionCheck {
  if (channel !== 'WHATSAPP') {
    return { ok: false, code: 'BAD_USER_INPUT', field: 'id', message: `${channel} templates need no approval: they can be used as they are` };
  }
  if (latest.status !== 'DRAFT') {
    const hint =
      latest.status === 'PENDING'
        ? 'it is already waiting for review'
        : `edit the template to start a new version (version ${latest.version} is ${latest.status})`;
    return { ok: false, code: 'CONFLICT', message: `Only a DRAFT can be submitted; the latest version is ${latest.status}: ${hint}` };
  }
  const withoutExample = latest.variables.filter((v) => v.example === null).map((v) => v.name);
  if (withoutExample.length > 0) {
    return {
      ok: false,
      code: 'BAD_USER_INPUT',
      field: 'variables',
      message: `WhatsApp reviews templates with example values: add an example for ${withoutExample.map((n) => `{{${n}}}`).join(', ')}`,
    };
  }
  return { ok: true, reason: null };
}

/**
 * Which version a status change applies to when the caller names none: the latest version if
 * the change is legal there (a review of the PENDING version), otherwise the active version
 * (pausing or disabling the approved version while a newer one is in DRAFT or review).
 */
export function chooseVersion<V extends { id: string; status: TemplateStatus }>(to: TemplateStatus, latest: V, active: V | null): V {
  if (canTransition(latest.status, to) || !active || active.id === latest.id) return latest;
  return canTransition(active.status, to) ? active : latest;
}

/**
 * What an edit of the content does: email/SMS start a new ACTIVE version; a WhatsApp DRAFT is
 * edited in place; a WhatsApp version under review cannot change; any other WhatsApp version
 * (approved, rejected, paused, disabled) stays as it is and a new DRAFT version is started.
 */
export type EditPlan = { kind: 'inPlace' } | { kind: 'newVersion'; status: TemplateStatus } | { kind: 'refused'; message: string };

export function planEdit(channel: Channel, latest: TemplateVersionRecord): EditPlan {
  if (channel !== 'WHATSAPP') return { kind: 'newVersion', status: 'ACTIVE' };
  if (latest.status === 'DRAFT') return { kind: 'inPlace' };
  if (latest.status === 'PENDING') {
    return { kind: 'refused', message: `Version ${latest.version} is PENDING review: wait for the decision before editing` };
  }
  return { kind: 'newVersion', status: 'DRAFT' };
}

/** Only an APPROVED WhatsApp version (or any email/SMS template) can be sent; never when archived. */
export function isSendable(view: Pick<TemplateView, 'archivedAt' | 'active'>): boolean {
  return view.archivedAt === null && view.active !== null && SENDABLE.includes(view.active.status);
}
