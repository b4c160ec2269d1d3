import { eventId } from './event-ids';
import { id as catalogId } from './schema-helpers';

describe('event ids', () => {
  it('are UUIDs (version 7) the catalog accepts', () => {
    const id = eventId();
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(catalogId.safeParse(id).success).toBe(true);
  });

  it('sort in the order they were made, also within one millisecond', () => {
    const ids = Array.from({ length: 5000 }, () => eventId(1_700_000_000_000));
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
    const later = eventId(1_700_000_000_500);
    expect([ids[ids.length - 1]!, later].sort()[1]).toBe(later);
  });

  it('draw fresh random bits for every id, across refills of the random pool', () => {
    const ids = Array.from({ length: 2_000 }, (_, i) => eventId(1_800_000_000_000 + i));
    // The last 62 bits are random: repeats would mean pool bytes handed out twice.
    const tails = ids.map((id) => id.slice(19));
    expect(new Set(tails).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});
