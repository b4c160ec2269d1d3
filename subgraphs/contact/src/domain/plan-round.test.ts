import type { ImportCandidate } from './import-rows';
import { planRound } from './import-service';

const ids = {
  ann: '00000000-0000-4000-8000-000000000001',
  bob: '00000000-0000-4000-8000-000000000002',
};

function row(row: number, values: Partial<ImportCandidate>): ImportCandidate {
  return {
    row,
    line: row + 1,
    name: `Row ${row}`,
    phone: null,
    email: null,
    whatsappId: null,
    tags: null,
    favourite: null,
    attributes: null,
    consent: {},
    ...values,
  };
}

describe('planRound (matching import rows to contacts)', () => {
  const existing = [
    { id: ids.ann, phone: '+442079460000', email: 'ann@example.com', tags: ['old'], attributes: { plan: 'free', city: 'Leeds' } },
    { id: ids.bob, phone: '+12025550100', email: 'bob@example.com', tags: [], attributes: {} },
  ];

  it('updates by phone first, then by email, and creates the rest', () => {
    const plan = planRound(
      [
        row(1, { phone: '+442079460000', tags: ['new'], attributes: { plan: 'pro' } }),
        row(2, { email: 'bob@example.com', favourite: true }),
        row(3, { phone: '+33612345678', email: 'cid@example.com' }),
      ],
      existing,
    );
    expect(plan.updates).toEqual([
      expect.objectContaining({ id: ids.ann, tags: ['old', 'new'], attributes: { plan: 'pro', city: 'Leeds' } }),
      expect.objectContaining({ id: ids.bob, favourite: true }),
    ]);
    expect(plan.inserts).toEqual([expect.objectContaining({ phone: '+33612345678', email: 'cid@example.com', tags: [], attributes: {}, favourite: false })]);
    expect(plan.outcome.insertedRows.map((inserted) => inserted.candidate.row)).toEqual([3]);
    expect(plan.outcome.errors).toEqual([]);
  });

  it('refuses a row whose phone and email belong to two different contacts', () => {
    const plan = planRound([row(4, { phone: '+442079460000', email: 'bob@example.com' })], existing);
    expect(plan.updates).toEqual([]);
    expect(plan.outcome.errors).toEqual([
      expect.objectContaining({ row: 4, line: 5, field: 'email', reason: 'CONFLICT', message: expect.stringContaining(ids.bob) }),
    ]);
  });

  it('defers a second row for the same person to the next round', () => {
    const plan = planRound(
      [row(1, { phone: '+33612345678' }), row(2, { phone: '+33612345678', email: 'cid@example.com' }), row(3, { email: 'ann@example.com' }), row(4, { phone: '+442079460000' })],
      existing,
    );
    expect(plan.inserts).toHaveLength(1);
    expect(plan.updates.map((update) => update.id)).toEqual([ids.ann]);
    expect(plan.outcome.deferred.map((candidate) => candidate.row)).toEqual([2, 4]);
  });

  it('refuses a row that would push attributes over 8 KB once merged', () => {
    const plan = planRound([row(9, { phone: '+442079460000', attributes: { notes: 'x'.repeat(8180) } })], existing);
    expect(plan.outcome.errors).toEqual([expect.objectContaining({ row: 9, field: 'attributes', reason: 'TOO_LARGE' })]);
  });
});
