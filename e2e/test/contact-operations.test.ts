import { inviteAndJoin, registerUser, startTestSystem, type GraphQLResponse, type SeededUser, type TestSystem } from '@switchboard/testkit';

/**
 * Every contact operation through the gateway, as the four roles see it: VIEWER reads, AGENT
 * writes contacts, consent and groups, ADMIN (and OWNER) also deletes and imports. Mistakes come
 * back as typed errors, never a 500.
 */

let system: TestSystem;
let owner: SeededUser;
let admin: SeededUser;
let agent: SeededUser;
let viewer: SeededUser;

const CONTACT = `id name phone email whatsappId tags attributes favourite consent { channel status source updatedAt } groups { name } createdAt updatedAt`;

function ok(result: GraphQLResponse) {
  expect({ status: result.status, errors: result.errors }).toEqual({ status: 200, errors: undefined });
  return result.data;
}

function failure(result: GraphQLResponse) {
  expect(result.status).toBe(200);
  expect(result.errors).toHaveLength(1);
  return result.errors![0]!.extensions;
}

const as = (user: SeededUser) => (query: string, variables?: Record<string, unknown>) => system.graphql(query, variables, { token: user.accessToken });

async function waitForJob(user: SeededUser, id: string) {
  for (let i = 0; i < 600; i++) {
    const job = ok(
      await as(user)(`query($id: ID!) { importJob(id: $id) { id status totalRows processedRows createdCount updatedCount failedCount
        failureReason errors { row line field reason message } } }`, { id }),
    ).importJob;
    if (job.status === 'COMPLETED' || job.status === 'FAILED') return job;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`import ${id} did not finish`);
}

beforeAll(async () => {
  system = await startTestSystem();
  owner = await registerUser(system, { organizationName: 'Contacts Ltd' });
  admin = await inviteAndJoin(system, owner, 'ADMIN');
  agent = await inviteAndJoin(system, owner, 'AGENT');
  viewer = await inviteAndJoin(system, owner, 'VIEWER');
});

afterAll(async () => {
  await system?.close();
});

describe('contacts through the gateway', () => {
  let contactId: string;

  it('an AGENT creates a contact; phone and email are normalised', async () => {
    const created = ok(
      await as(agent)(`mutation($input: CreateContactInput!) { createContact(input: $input) { ${CONTACT} } }`, {
        input: { name: 'Ada Lovelace', phone: '020 7946 0001', defaultCountry: 'GB', email: 'ADA@example.com', tags: ['VIP'], attributes: { plan: 'pro' } },
      }),
    ).createContact;
    expect(created).toMatchObject({ name: 'Ada Lovelace', phone: '+442079460001', email: 'ada@example.com', tags: ['vip'], attributes: { plan: 'pro' }, favourite: false, groups: [] });
    contactId = created.id;
  });

  it('a VIEWER reads it by id, in the list and by search, but cannot write', async () => {
    expect(ok(await as(viewer)(`query($id: ID!) { contact(id: $id) { name } }`, { id: contactId })).contact).toEqual({ name: 'Ada Lovelace' });
    const list = ok(await as(viewer)(`{ contacts(first: 10) { edges { cursor node { id } } pageInfo { hasNextPage endCursor } totalCount } }`)).contacts;
    expect(list).toMatchObject({ edges: [{ node: { id: contactId } }], pageInfo: { hasNextPage: false }, totalCount: 1 });
    const found = ok(await as(viewer)(`{ contacts(filter: { search: "lovelace" }) { edges { node { id } } } }`)).contacts;
    expect(found.edges).toEqual([{ node: { id: contactId } }]);
    expect(failure(await as(viewer)(`mutation { createContact(input: { name: "V", email: "v@example.com" }) { id } }`))?.code).toBe('FORBIDDEN');
    expect(failure(await as(viewer)(`mutation($id: ID!) { updateContact(id: $id, input: { name: "V" }) { id } }`, { id: contactId }))?.code).toBe('FORBIDDEN');
  });

  it('an AGENT updates it and records consent', async () => {
    const updated = ok(await as(agent)(`mutation($id: ID!) { updateContact(id: $id, input: { favourite: true, email: null }) { favourite email } }`, { id: contactId }));
    expect(updated.updateContact).toEqual({ favourite: true, email: null });
    const consent = ok(
      await as(agent)(`mutation($id: ID!) { setConsent(contactId: $id, channel: WHATSAPP, status: OPTED_IN, source: "web-form") { consentFor(channel: WHATSAPP) { status source } } }`, { id: contactId }),
    );
    expect(consent.setConsent.consentFor).toEqual({ status: 'OPTED_IN', source: 'web-form' });
    const filtered = ok(await as(viewer)(`{ contacts(filter: { consent: { channel: WHATSAPP, status: OPTED_IN }, favourite: true }) { totalCount } }`));
    expect(filtered.contacts.totalCount).toBe(1);
  });

  it('answers typed errors for bad input, never a 500', async () => {
    const create = (input: Record<string, unknown>) => as(agent)(`mutation($input: CreateContactInput!) { createContact(input: $input) { id } }`, { input });
    expect(failure(await create({ name: 'P', phone: '12', defaultCountry: 'GB' }))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'phone', reason: 'TOO_SHORT' });
    expect(failure(await create({ name: 'P', phone: '020 7946 0002' }))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'phone', reason: 'INVALID_COUNTRY' });
    expect(failure(await create({ name: 'P', email: 'nope' }))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'email', reason: 'INVALID_EMAIL' });
    expect(failure(await create({ name: 'P', email: 'big@example.com', attributes: { blob: 'x'.repeat(8200) } }))).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'attributes',
      reason: 'TOO_LARGE',
    });
    expect(failure(await create({ name: 'Twin', phone: '+442079460001' }))).toEqual({ code: 'CONFLICT', field: 'phone', existingContactId: contactId });
    expect(failure(await as(viewer)(`{ contacts(after: "garbage") { totalCount } }`))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'after' });
  });

  it('groups: an AGENT creates, renames, fills and empties; only an ADMIN deletes', async () => {
    const group = ok(await as(agent)(`mutation { createContactGroup(input: { name: "Customers" }) { id name memberCount } }`)).createContactGroup;
    expect(group).toMatchObject({ name: 'Customers', memberCount: 0 });
    ok(await as(agent)(`mutation($id: ID!) { renameContactGroup(id: $id, name: "Best customers") { id } }`, { id: group.id }));
    const filled = ok(
      await as(agent)(`mutation($g: ID!, $c: [ID!]!) { addContactsToGroup(groupId: $g, contactIds: $c) { name memberCount contacts { edges { node { id } } } } }`, {
        g: group.id,
        c: [contactId],
      }),
    ).addContactsToGroup;
    expect(filled).toEqual({ name: 'Best customers', memberCount: 1, contacts: { edges: [{ node: { id: contactId } }] } });
    expect(ok(await as(viewer)(`query($g: ID!) { contacts(filter: { groupId: $g }) { totalCount } }`, { g: group.id })).contacts.totalCount).toBe(1);
    expect(ok(await as(viewer)(`{ contactGroups { edges { node { name memberCount } } } }`)).contactGroups.edges).toEqual([
      { node: { name: 'Best customers', memberCount: 1 } },
    ]);
    const emptied = ok(
      await as(agent)(`mutation($g: ID!, $c: [ID!]!) { removeContactsFromGroup(groupId: $g, contactIds: $c) { memberCount } }`, { g: group.id, c: [contactId] }),
    );
    expect(emptied.removeContactsFromGroup.memberCount).toBe(0);
    expect(failure(await as(agent)(`mutation($id: ID!) { deleteContactGroup(id: $id) }`, { id: group.id }))?.code).toBe('FORBIDDEN');
    expect(ok(await as(admin)(`mutation($id: ID!) { deleteContactGroup(id: $id) }`, { id: group.id })).deleteContactGroup).toBe(group.id);
  });

  it('only an ADMIN (or OWNER) imports; the job is followed by polling', async () => {
    const csv = 'name,phone,email\nBob Brown,+12025550100,bob@example.com\nBad Phone,123,\nCid,+33612345678,\n';
    const IMPORT = `mutation($csv: String) { importContacts(input: { csv: $csv, defaultCountry: "US" }) { id status totalRows } }`;
    expect(failure(await as(agent)(IMPORT, { csv }))?.code).toBe('FORBIDDEN');
    const job = ok(await as(admin)(IMPORT, { csv })).importContacts;
    expect(job).toMatchObject({ status: 'PENDING', totalRows: 3 });
    const done = await waitForJob(viewer, job.id);
    expect(done).toMatchObject({ status: 'COMPLETED', processedRows: 3, createdCount: 2, failedCount: 1 });
    expect(done.errors).toEqual([{ row: 2, line: 3, field: 'phone', reason: 'TOO_SHORT', message: expect.any(String) }]);
    const ownerJob = ok(await as(owner)(`mutation { importContacts(input: { rows: [{ name: "Dee", email: "dee@example.com" }] }) { id } }`)).importContacts;
    expect((await waitForJob(owner, ownerJob.id)).createdCount).toBe(1);
  });

  it('a malformed CSV is a clear BAD_USER_INPUT', async () => {
    const IMPORT = `mutation($csv: String) { importContacts(input: { csv: $csv }) { id } }`;
    expect(failure(await as(admin)(IMPORT, { csv: 'name,phone\n"Unclosed,+12025550100\n' }))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'csv', reason: 'UNCLOSED_QUOTE', line: 2 });
    expect(failure(await as(admin)(IMPORT, { csv: 'phone\n+12025550100\n' }))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'csv', reason: 'INVALID_HEADER' });
    const job = ok(await as(admin)(IMPORT, { csv: 'name,phone\nShort\nFine,+12025550101,extra\nGood,+12025550102\n' })).importContacts;
    const done = await waitForJob(admin, job.id);
    expect(done).toMatchObject({ status: 'COMPLETED', createdCount: 1, failedCount: 2 });
    expect(done.errors.map((error: { reason: string }) => error.reason)).toEqual(['COLUMN_COUNT', 'COLUMN_COUNT']);
  });

  it('only an ADMIN deletes a contact', async () => {
    expect(failure(await as(agent)(`mutation($id: ID!) { deleteContact(id: $id) }`, { id: contactId }))?.code).toBe('FORBIDDEN');
    expect(ok(await as(admin)(`mutation($id: ID!) { deleteContact(id: $id) }`, { id: contactId })).deleteContact).toBe(contactId);
    expect(failure(await as(viewer)(`query($id: ID!) { contact(id: $id) { id } }`, { id: contactId }))?.code).toBe('NOT_FOUND');
  });

  it('refuses anonymous callers', async () => {
    const result = await system.graphql(`{ contacts { totalCount } }`);
    expect(result.status).toBe(200);
    expect(result.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });
});
