import { startContactHarness, waitForImport, type ContactHarness, type Json, type Member } from './harness';

let harness: ContactHarness;
let admin: Member;
let contactIds: string[] = [];

const ENTITIES = `query($representations: [_Any!]!) {
  _entities(representations: $representations) { ... on Contact { id name phone consentFor(channel: SMS) { status } } } }`;

const references = (ids: string[]) => ids.map((id) => ({ __typename: 'Contact', id }));

/** SQL statements against the contact table sent while `fn` ran. */
async function contactQueriesDuring(fn: () => Promise<unknown>): Promise<string[]> {
  harness.queries.length = 0;
  await fn();
  return harness.queries.filter((sql) => sql.includes('"contact"."contact"') || sql.includes('contact.contact '));
}

beforeAll(async () => {
  harness = await startContactHarness();
  admin = harness.member('ADMIN');
  const rows = Array.from({ length: 100 }, (_, i) => ({ name: `Entity ${i}`, phone: `+1202555${String(1000 + i)}` }));
  const started = await admin.graphql(`mutation($rows: [JSON!]) { importContacts(input: { rows: $rows }) { id } }`, { rows });
  const job = await waitForImport(admin, started.data.importContacts.id);
  expect(job).toMatchObject({ status: 'COMPLETED', createdCount: 100 });
  const list = await admin.graphql(`{ contacts(first: 100) { edges { node { id } } } }`);
  contactIds = list.data.contacts.edges.map((edge: Json) => edge.node.id);
  expect(contactIds).toHaveLength(100);
});

afterAll(() => harness?.close());

describe('entity resolution', () => {
  it('resolves 100 references with ONE SQL query, then from the cache with none', async () => {
    // Nothing has read these contacts yet: the cache is cold.
    let result: Json;
    const cold = await contactQueriesDuring(async () => {
      result = await admin.graphql(ENTITIES, { representations: references(contactIds) });
    });
    expect(result.errors).toBeUndefined();
    expect(result.data._entities).toHaveLength(100);
    expect(result.data._entities.map((entity: Json) => entity.id)).toEqual(contactIds);
    expect(result.data._entities[0]).toMatchObject({ name: expect.stringMatching(/^Entity \d+$/), consentFor: { status: 'UNKNOWN' } });
    expect(cold).toHaveLength(1);
    expect(harness.queries).toHaveLength(1);

    const warm = await contactQueriesDuring(() => admin.graphql(ENTITIES, { representations: references(contactIds) }));
    expect(warm).toHaveLength(0);
  });

  it('answers null for references of another organization or that are not ids, in the same one query', async () => {
    const outsider = harness.member('OWNER');
    let result: Json;
    const queries = await contactQueriesDuring(async () => {
      result = await outsider.graphql(ENTITIES, { representations: references([contactIds[0]!, contactIds[1]!, 'not-an-id']) });
    });
    expect(result.data._entities).toEqual([null, null, null]);
    expect(queries).toHaveLength(1);
  });

  it('caches with a short TTL', async () => {
    const keys = await harness.redis.keys('*contact:v2:*');
    expect(keys.length).toBeGreaterThanOrEqual(100);
    const ttl = await harness.redis.ttl(keys[0]!.slice(keys[0]!.indexOf('contact:v2:')));
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(30);
  });
});

describe('the cache never hides a write', () => {
  const read = async (id: string) => (await admin.graphql(ENTITIES, { representations: references([id]) })).data._entities[0];

  it('shows an update, a consent change, an import and a delete on the very next read', async () => {
    const id = contactIds[5]!;
    expect((await read(id)).name).toMatch(/^Entity \d+$/);
    expect(await contactQueriesDuring(() => read(id))).toHaveLength(0); // cached

    await admin.graphql(`mutation($id: ID!) { updateContact(id: $id, input: { name: "Renamed" }) { id } }`, { id });
    expect((await read(id)).name).toBe('Renamed');

    await admin.graphql(`mutation($id: ID!) { setConsent(contactId: $id, channel: SMS, status: OPTED_OUT) { id } }`, { id });
    expect((await read(id)).consentFor).toEqual({ status: 'OPTED_OUT' });

    const phone = (await read(id)).phone;
    const started = await admin.graphql(`mutation($rows: [JSON!]) { importContacts(input: { rows: $rows }) { id } }`, {
      rows: [{ name: 'Imported Name', phone }],
    });
    expect(await waitForImport(admin, started.data.importContacts.id)).toMatchObject({ status: 'COMPLETED', updatedCount: 1 });
    expect((await read(id)).name).toBe('Imported Name');

    await admin.graphql(`mutation($id: ID!) { deleteContact(id: $id) }`, { id });
    expect(await read(id)).toBeNull();
  });
});
