import { allowedTransitions, canTransition, checkSubmission, checkTransition, chooseVersion, isSendable, planEdit } from './approval';
import type { TemplateStatus, TemplateVersionRecord } from './types';

const STATUSES: TemplateStatus[] = ['ACTIVE', 'DRAFT', 'PENDING', 'APPROVED', 'REJECTED', 'PAUSED', 'DISABLED'];
const LEGAL: [TemplateStatus, TemplateStatus][] = [
  ['DRAFT', 'PENDING'],
  ['PENDING', 'APPROVED'],
  ['PENDING', 'REJECTED'],
  ['APPROVED', 'PAUSED'],
  ['APPROVED', 'DISABLED'],
  ['PAUSED', 'APPROVED'],
  ['PAUSED', 'DISABLED'],
];
const isLegal = (from: TemplateStatus, to: TemplateStatus) => LEGAL.some(([f, t]) => f === from && t === to);
const ALL_PAIRS = STATUSES.flatMap((from) => STATUSES.map((to) => [from, to] as [TemplateStatus, TemplateStatus]));

function version(overrides: Partial<TemplateVersionRecord> = {}): TemplateVersionRecord {
  return {
    id: 'v1',
    templateId: 't',
    organizationId: 'o',
    version: 1,
    status: 'DRAFT',
    statusReason: null,
    content: { channel: 'WHATSAPP', category: 'UTILITY', header: null, body: 'Hi {{1}}!', footer: null, buttons: [] },
    variables: [{ name: '1', type: 'STRING', example: 'Ann', description: null }],
    submittedAt: null,
    supersededAt: null,
    createdById: 'u',
    createdAt: new Date(0),
    updatedAt: new Date(0),
    ...overrides,
  };
}

describe('approval state machine', () => {
  it.each(ALL_PAIRS.filter(([from, to]) => isLegal(from, to)))('%s → %s is legal', (from, to) => {
    expect(canTransition(from, to)).toBe(true);
    expect(checkTransition(from, to, 'because').ok).toBe(true);
  });

  it.each(ALL_PAIRS.filter(([from, to]) => !isLegal(from, to)))('%s → %s is refused with CONFLICT naming the current state', (from, to) => {
    expect(canTransition(from, to)).toBe(false);
    const check = checkTransition(from, to, 'because');
    expect(check).toMatchObject({ ok: false, code: 'CONFLICT' });
    if (!check.ok) expect(check.message).toContain(from);
  });

  it('says which moves are possible from the current state', () => {
    expect(checkTransition('DRAFT', 'APPROVED')).toEqual({
      ok: false,
      code: 'CONFLICT',
      message: 'Cannot go from DRAFT to APPROVED; from DRAFT only PENDING is possible',
    });
    expect(checkTransition('REJECTED', 'APPROVED')).toMatchObject({ message: 'Cannot go from REJECTED to APPROVED; from REJECTED no change is possible' });
    expect(checkTransition('APPROVED', 'APPROVED')).toMatchObject({ message: 'The template is already APPROVED' });
  });

  it('requires a reason to reject, and clears it on approval', () => {
    expect(checkTransition('PENDING', 'REJECTED', '  ')).toEqual({ ok: false, code: 'BAD_USER_INPUT', field: 'reason', message: 'A rejection needs a reason' });
    expect(checkTransition('PENDING', 'REJECTED', ' Bad wording ')).toEqual({ ok: true, reason: 'Bad wording' });
    expect(checkTransition('PAUSED', 'APPROVED', 'quality back')).toEqual({ ok: true, reason: null });
    expect(checkTransition('APPROVED', 'PAUSED', 'Low quality')).toEqual({ ok: true, reason: 'Low quality' });
    expect(checkTransition('APPROVED', 'PAUSED', 'x'.repeat(1001))).toMatchObject({ ok: false, field: 'reason' });
  });

  it('has no way out of REJECTED, DISABLED and ACTIVE', () => {
    expect(allowedTransitions('REJECTED')).toEqual([]);
    expect(allowedTransitions('DISABLED')).toEqual([]);
    expect(allowedTransitions('ACTIVE')).toEqual([]);
  });
});

describe('checkSubmission', () => {
  it('submits a WhatsApp DRAFT with examples', () => {
    expect(checkSubmission('WHATSAPP', version())).toEqual({ ok: true, reason: null });
  });

  it('refuses email and SMS templates', () => {
    expect(checkSubmission('EMAIL', version())).toMatchObject({ ok: false, code: 'BAD_USER_INPUT', field: 'id' });
  });

  it.each(['PENDING', 'APPROVED', 'REJECTED', 'PAUSED', 'DISABLED'] as const)('refuses a latest version that is %s, naming it', (status) => {
    const check = checkSubmission('WHATSAPP', version({ status }));
    expect(check).toMatchObject({ ok: false, code: 'CONFLICT' });
    if (!check.ok) expect(check.message).toContain(`latest version is ${status}`);
  });

  it('requires an example for every variable', () => {
    const check = checkSubmission(
      'WHATSAPP',
      version({ variables: [{ name: '1', type: 'STRING', example: null, description: null }, { name: '2', type: 'STRING', example: null, description: null }] }),
    );
    expect(check).toEqual({
      ok: false,
      code: 'BAD_USER_INPUT',
      field: 'variables',
      message: 'WhatsApp reviews templates with example values: add an example for {{1}}, {{2}}',
    });
  });
});

describe('chooseVersion', () => {
  const approved = version({ id: 'v1', version: 1, status: 'APPROVED' });
  const pending = version({ id: 'v2', version: 2, status: 'PENDING' });
  const draft = version({ id: 'v2', version: 2, status: 'DRAFT' });

  it('reviews the latest version', () => {
    expect(chooseVersion('APPROVED', pending, approved)).toBe(pending);
    expect(chooseVersion('REJECTED', pending, approved)).toBe(pending);
  });

  it('pauses or disables the active version while a newer one is a draft or in review', () => {
    expect(chooseVersion('PAUSED', draft, approved)).toBe(approved);
    expect(chooseVersion('DISABLED', pending, approved)).toBe(approved);
  });

  it('falls back to the latest version so the error names its state', () => {
    expect(chooseVersion('APPROVED', draft, null)).toBe(draft);
    expect(chooseVersion('PAUSED', draft, version({ id: 'v1', status: 'DISABLED' }))).toBe(draft);
  });
});

describe('planEdit', () => {
  it('starts a new ACTIVE version for email and SMS', () => {
    expect(planEdit('EMAIL', version({ status: 'ACTIVE' }))).toEqual({ kind: 'newVersion', status: 'ACTIVE' });
  });
  it('edits a WhatsApp DRAFT in place', () => {
    expect(planEdit('WHATSAPP', version({ status: 'DRAFT' }))).toEqual({ kind: 'inPlace' });
  });
  it('refuses while PENDING', () => {
    expect(planEdit('WHATSAPP', version({ status: 'PENDING' }))).toMatchObject({ kind: 'refused' });
  });
  it.each(['APPROVED', 'REJECTED', 'PAUSED', 'DISABLED'] as const)('starts a new DRAFT after %s', (status) => {
    expect(planEdit('WHATSAPP', version({ status }))).toEqual({ kind: 'newVersion', status: 'DRAFT' });
  });
});

describe('isSendable', () => {
  it.each([
    ['ACTIVE', true],
    ['APPROVED', true],
    ['PAUSED', false],
    ['DISABLED', false],
  ] as const)('active version %s → %s', (status, sendable) => {
    expect(isSendable({ archivedAt: null, active: version({ status }) })).toBe(sendable);
  });
  it('is false without an approved version, and once archived', () => {
    expect(isSendable({ archivedAt: null, active: null })).toBe(false);
    expect(isSendable({ archivedAt: new Date(), active: version({ status: 'APPROVED' }) })).toBe(false);
  });
});
