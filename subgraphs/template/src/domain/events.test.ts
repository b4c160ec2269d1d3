import { createEvent, decodeEvent, encodeEvent, templateChanged } from '@switchboard/events';
import { templateChangedEvent, templateChangedPayload } from './events';
import type { TemplateStatus, TemplateVersionRecord, TemplateView } from './types';

const ORG = '0190f0c0-0000-7000-8000-00000000000a';
const TEMPLATE = '0190f0c0-0000-7000-8000-00000000000b';

function version(n: number, status: TemplateStatus, body = `Hi {{1}}, v${n}`): TemplateVersionRecord {
  return {
    id: `0190f0c0-0000-7000-8000-00000000010${n}`,
    templateId: TEMPLATE,
    organizationId: ORG,
    version: n,
    status,
    statusReason: null,
    content: { channel: 'WHATSAPP', category: n === 1 ? 'UTILITY' : 'MARKETING', header: null, body, footer: null, buttons: [] },
    variables: [{ name: '1', type: 'STRING', example: 'Ann', description: null }],
    submittedAt: null,
    supersededAt: null,
    createdById: '0190f0c0-0000-7000-8000-00000000000c',
    createdAt: new Date('2026-11-21T10:00:00.000Z'),
    updatedAt: new Date('2026-11-21T10:00:00.000Z'),
  };
}

function view(latest: TemplateVersionRecord, active: TemplateVersionRecord | null, overrides: Partial<TemplateView> = {}): TemplateView {
  return {
    id: TEMPLATE,
    organizationId: ORG,
    channel: 'WHATSAPP',
    name: 'order_update',
    language: 'en_US',
    status: latest.status,
    latestVersionId: latest.id,
    activeVersionId: active?.id ?? null,
    createdById: latest.createdById,
    archivedAt: null,
    createdAt: new Date('2026-11-21T10:00:00.000Z'),
    updatedAt: new Date('2026-11-21T10:05:00.123Z'),
    providerTemplateId: null,
    providerStatusAt: null,
    latest,
    active,
    ...overrides,
  };
}

describe('template.changed payload', () => {
  it('carries the approved version as activeVersion, with its number, and the latest status', () => {
    const approved = version(1, 'APPROVED');
    const draft = version(2, 'DRAFT', 'Hello {{1}}, a new wording');
    const payload = templateChangedPayload(view(draft, approved), 'UPDATED');
    expect(payload).toEqual({
      templateId: TEMPLATE,
      change: 'UPDATED',
      template: {
        channel: 'WHATSAPP',
        name: 'order_update',
        language: 'en_US',
        status: 'DRAFT',
        category: 'MARKETING',
        activeVersionId: approved.id,
        latestVersionId: draft.id,
        activeVersion: { version: 1, content: approved.content, variables: approved.variables },
        archivedAt: null,
        updatedAt: '2026-11-21T10:05:00.123Z',
      },
    });
    // The catalog accepts it as is.
    expect(templateChanged.payload.parse(payload)).toEqual(payload);
  });

  it('has no activeVersion while nothing is sendable: not approved yet, paused, or archived', () => {
    const pending = version(1, 'PENDING');
    expect(templateChangedPayload(view(pending, null), 'STATUS_CHANGED').template).toMatchObject({ activeVersionId: null, activeVersion: null, status: 'PENDING' });
    const paused = version(1, 'PAUSED');
    expect(templateChangedPayload(view(paused, paused), 'STATUS_CHANGED').template).toMatchObject({ activeVersionId: null, activeVersion: null, status: 'PAUSED' });
    const approved = version(1, 'APPROVED');
    const archivedAt = new Date('2026-11-21T11:00:00.000Z');
    expect(templateChangedPayload(view(approved, approved, { archivedAt }), 'ARCHIVED').template).toMatchObject({
      activeVersion: null,
      archivedAt: '2026-11-21T11:00:00.000Z',
    });
  });

  it('an SMS template has no category and its current version is active', () => {
    const sms: TemplateVersionRecord = { ...version(1, 'ACTIVE'), content: { channel: 'SMS', body: 'Code {{code}}' }, variables: [{ name: 'code', type: 'NUMBER', example: null, description: null }] };
    const payload = templateChangedPayload(view(sms, sms, { channel: 'SMS', name: 'otp', language: null }), 'CREATED');
    expect(payload.template).toMatchObject({ channel: 'SMS', category: null, status: 'ACTIVE', activeVersion: { version: 1, content: sms.content } });
  });

  it('builds the outbox row: a UUIDv7 id, created at the template updatedAt, decodable by the catalog once wrapped', () => {
    const approved = version(1, 'APPROVED');
    const row = templateChangedEvent(view(approved, approved), 'STATUS_CHANGED', { traceId: 'req-1' });
    expect(row).toMatchObject({ type: 'template.changed', organizationId: ORG, traceId: 'req-1', createdAt: new Date('2026-11-21T10:05:00.123Z') });
    expect(row.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    // What the relay does with the row: the envelope with the row's id, the catalog's topic and key.
    const encoded = encodeEvent(createEvent(templateChanged, row.payload as never, { id: row.id, organizationId: ORG, occurredAt: row.createdAt }));
    expect(encoded).toMatchObject({ topic: 'template.changed', key: TEMPLATE });
    expect(decodeEvent(encoded.value)).toMatchObject({ id: row.id, type: 'template.changed', payload: { templateId: TEMPLATE, change: 'STATUS_CHANGED' } });
  });
});
