import type { MessagingContactProjection, MessagingTemplateProjection } from '@switchboard/db';
import { effectiveConsent, planContactBatch, planContactUpsert, planTemplateUpsert, type ContactChange, type ContactState } from './projection-rules';

const ORG = '0b7e9f5c-2f4e-4d6b-8c1a-3e2d1c0b9a88';
const at = (iso: string) => new Date(iso);

function state(overrides: Partial<ContactState> = {}): ContactState {
  return {
    id: '33333333-4444-4555-8666-777777777777',
    organizationId: ORG,
    name: 'Casey',
    phone: '+447911123456',
    email: null,
    whatsappId: null,
    consent: { EMAIL: 'UNKNOWN', SMS: 'OPTED_IN', WHATSAPP: 'UNKNOWN' },
    deleted: false,
    at: at('2026-11-21T10:00:00Z'),
    eventId: null,
    ...overrides,
  };
}

function stored(overrides: Partial<MessagingContactProjection> = {}): MessagingContactProjection {
  return {
    id: '33333333-4444-4555-8666-777777777777',
    organizationId: ORG,
    name: 'Casey',
    phone: '+447911123456',
    email: null,
    whatsappId: null,
    emailConsent: 'UNKNOWN',
    emailConsentAt: at('2026-11-21T10:00:00Z'),
    smsConsent: 'OPTED_IN',
    smsConsentAt: at('2026-11-21T10:00:00Z'),
    whatsappConsent: 'UNKNOWN',
    whatsappConsentAt: at('2026-11-21T10:00:00Z'),
    deleted: false,
    sourceUpdatedAt: at('2026-11-21T10:00:00Z'),
    lastEventId: null,
    updatedAt: at('2026-11-21T10:00:01Z'),
    ...overrides,
  };
}

describe('contact projection rules', () => {
  it('inserts a new contact with each channel consent as of the event', () => {
    const plan = planContactUpsert(null, state());
    expect(plan).toMatchObject({ apply: true, row: { smsConsent: 'OPTED_IN', smsConsentAt: at('2026-11-21T10:00:00Z'), deleted: false } });
  });

  it('ignores an older event, applies the same or a newer one', () => {
    expect(planContactUpsert(stored(), state({ at: at('2026-11-21T09:59:59Z'), name: 'Old' }))).toEqual({ apply: false, reason: 'STALE' });
    expect(planContactUpsert(stored(), state()).apply).toBe(true);
    expect(planContactUpsert(stored(), state({ at: at('2026-11-21T11:00:00Z'), name: 'New' }))).toMatchObject({ apply: true, row: { name: 'New' } });
  });

  it('keeps a keyword applied here after the event was written', () => {
    const afterStop = stored({ smsConsent: 'OPTED_OUT', smsConsentAt: at('2026-11-21T10:30:00Z') });
    // A name change written at 10:15 (before the STOP at 10:30) arrives late.
    const plan = planContactUpsert(afterStop, state({ at: at('2026-11-21T10:15:00Z'), name: 'Casey B' }));
    expect(plan).toMatchObject({ apply: true, row: { name: 'Casey B', smsConsent: 'OPTED_OUT', smsConsentAt: at('2026-11-21T10:30:00Z') } });
    // The contact subgraph's own later decision wins.
    const later = planContactUpsert(afterStop, state({ at: at('2026-11-21T11:00:00Z'), consent: { EMAIL: 'UNKNOWN', SMS: 'OPTED_IN', WHATSAPP: 'UNKNOWN' } }));
    expect(later).toMatchObject({ apply: true, row: { smsConsent: 'OPTED_IN' } });
  });

  it('marks deletions and never takes another organization over', () => {
    expect(planContactUpsert(stored(), state({ deleted: true, at: at('2026-11-21T12:00:00Z') }))).toMatchObject({ apply: true, row: { deleted: true } });
    expect(planContactUpsert(stored({ organizationId: '11111111-1111-4111-8111-111111111111' }), state())).toEqual({ apply: false, reason: 'OTHER_ORGANIZATION' });
  });
});

describe('template projection rules', () => {
  const template = {
    id: '66666666-7777-4888-8999-aaaaaaaaaaaa',
    organizationId: ORG,
    channel: 'SMS' as const,
    name: 'otp',
    language: null,
    status: 'ACTIVE',
    activeVersionId: null,
    content: null,
    variables: null,
    archived: false,
    at: at('2026-11-21T10:00:00Z'),
    eventId: null,
  };
  const existing = { ...template, sourceUpdatedAt: at('2026-11-21T10:00:00Z'), lastEventId: null, updatedAt: new Date() } as MessagingTemplateProjection;

  it('ignores older events only', () => {
    expect(planTemplateUpsert(existing, { ...template, at: at('2026-11-21T09:00:00Z') })).toEqual({ apply: false, reason: 'STALE' });
    expect(planTemplateUpsert(existing, { ...template, status: 'APPROVED', at: at('2026-11-21T11:00:00Z') }).apply).toBe(true);
    expect(planTemplateUpsert(null, template).apply).toBe(true);
  });
});

describe('effective consent', () => {
  it('takes the newest explicit decision; UNKNOWN decides nothing', () => {
    expect(effectiveConsent([null, null])).toBe('UNKNOWN');
    expect(effectiveConsent([{ status: 'UNKNOWN', at: at('2026-11-21T12:00:00Z') }, { status: 'OPTED_OUT', at: at('2026-11-21T10:00:00Z') }])).toBe('OPTED_OUT');
    expect(effectiveConsent([{ status: 'OPTED_IN', at: at('2026-11-21T12:00:00Z') }, { status: 'OPTED_OUT', at: at('2026-11-21T10:00:00Z') }])).toBe('OPTED_IN');
    expect(effectiveConsent([{ status: 'OPTED_IN', at: at('2026-11-21T09:00:00Z') }, { status: 'OPTED_OUT', at: at('2026-11-21T10:00:00Z') }])).toBe('OPTED_OUT');
  });
});

describe('contact batch plan', () => {
  const change = (eventId: string, minute: number, version: number | null, deleted: 'STATE' | 'TOMBSTONE', id = state().id): ContactChange => {
    const at = new Date(Date.parse('2026-11-21T10:00:00Z') + minute * 60_000);
    return { id, organizationId: ORG, version, at, eventId, state: deleted === 'STATE' ? state({ id, at, eventId, name: eventId }) : null };
  };
  const summary = (rounds: ReturnType<typeof planContactBatch>) =>
    rounds.map((writes) => writes.map((w) => (w.kind === 'STATE' ? `state:${w.row.lastEventId}` : `tombstone:${w.eventId}`)));

  it('collapses a contact’s states to the newest, by version when both carry one, else by time', () => {
    expect(summary(planContactBatch([change('a', 1, 1, 'STATE'), change('b', 2, 2, 'STATE'), change('c', 0, 1, 'STATE')]))).toEqual([['state:b']]);
    // Versions decide over clocks; without both versions, time decides.
    expect(summary(planContactBatch([change('a', 5, 2, 'STATE'), change('b', 1, 3, 'STATE')]))).toEqual([['state:b']]);
    expect(summary(planContactBatch([change('a', 5, 2, 'STATE'), change('b', 1, null, 'STATE')]))).toEqual([['state:a']]);
  });

  it('keeps a state before a tombstone (its fields are what the deletion keeps), one write per contact per round', () => {
    const other = '99999999-4444-4555-8666-777777777777';
    const plan = planContactBatch([change('a', 1, 1, 'STATE'), change('x', 1, 1, 'STATE', other), change('b', 2, 2, 'TOMBSTONE'), change('c', 3, 3, 'TOMBSTONE')]);
    expect(summary(plan)).toEqual([['state:a', 'state:x'], ['tombstone:c']]);
    expect(summary(planContactBatch([change('a', 1, 1, 'TOMBSTONE'), change('b', 2, 2, 'STATE')]))).toEqual([['state:b']]);
  });
});
