import { CONTACT_FIELDS, startContactHarness, type ContactHarness, type GraphQLResult, type Json, type Member } from './harness';

let harness: ContactHarness;
let agent: Member;
let viewer: Member;
let admin: Member;
const ids: Record<string, string> = {};

const LIST = `query List($filter: ContactFilter, $first: Int, $after: String) {
  contacts(filter: $filter, first: $first, after: $after) {
    edges { cursor node { id name phone email tags favourite } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    totalCount
  } }`;

async function create(input: Record<string, unknown>): Promise<string> {
  const result = await agent.graphql(`mutation($input: CreateContactInput!) { createContact(input: $input) { id } }`, { input });
  if (result.errors) throw new Error(JSON.stringify(result.errors));
  return result.data.createContact.id;
}

async function names(filter: Record<string, unknown>, member: Member = viewer): Promise<string[]> {
  const result = await member.graphql(LIST, { filter, first: 100 });
  if (result.errors) throw new Error(JSON.stringify(result.errors));
  return result.data.contacts.edges.map((edge: { node: { name: string } }) => edge.node.name);
}

beforeAll(async () => {
  harness = await startContactHarness();
  admin = harness.member('ADMIN');
  agent = harness.member('AGENT', admin.organizationId);
  viewer = harness.member('VIEWER', admin.organizationId);
  ids.jonathan = await create({ name: 'Jonathan Smith', phone: '+442079460101', email: 'jon@acme.io', tags: ['vip', 'lead'] });
  ids.emile = await create({ name: 'Émile Zola', phone: '+33612345678', email: 'emile@roman.fr', tags: ['vip'], favourite: true });
  ids.ann = await create({ name: 'ann lee', email: 'ann.lee@example.com', consent: [{ channel: 'SMS', status: 'OPTED_IN' }] });
  ids.bob = await create({ name: 'Bob Brown', phone: '+12025550100', tags: ['lead'] });
  ids.zed = await create({ name: 'Zed', whatsappId: '12025550199' });
  for (let i = 0; i < 20; i++) await create({ name: `Member ${String(i).padStart(2, '0')}`, email: `member${i}@bulk.io` });
});

afterAll(() => harness?.close());

describe('contacts connection', () => {
  it('orders by name regardless of letter case and accents', async () => {
    const all = await names({});
    expect(all.slice(0, 3)).toEqual(['ann lee', 'Bob Brown', 'Émile Zola']);
    expect(all[all.length - 1]).toBe('Zed');
  });

  it('pages with opaque cursors to the end, and counts', async () => {
    const seen: string[] = [];
    let after: string | null = null;
    let pages = 0;
    for (;;) {
      const result: GraphQLResult = await viewer.graphql(LIST, { first: 10, after });
      const connection: Json = result.data!.contacts;
      expect(connection.totalCount).toBe(25);
      seen.push(...connection.edges.map((edge: { node: { id: string } }) => edge.node.id));
      pages++;
      expect(connection.pageInfo.hasPreviousPage).toBe(after !== null);
      if (!connection.pageInfo.hasNextPage) break;
      after = connection.pageInfo.endCursor;
    }
    expect(pages).toBe(3);
    expect(new Set(seen).size).toBe(25);
  });

  it('keeps a cursor valid after the row it points at is deleted', async () => {
    const temp = await create({ name: 'Member 05b', email: 'temp@bulk.io' });
    const first = await viewer.graphql(LIST, { filter: { search: 'bulk.io' }, first: 7 });
    const cursor = first.data.contacts.pageInfo.endCursor;
    expect(first.data.contacts.edges[6].node.name).toBe('Member 05b');
    await admin.graphql('mutation($id: ID!) { deleteContact(id: $id) }', { id: temp });
    const next = await viewer.graphql(LIST, { filter: { search: 'bulk.io' }, first: 2, after: cursor });
    expect(next.data.contacts.edges.map((edge: { node: { name: string } }) => edge.node.name)).toEqual(['Member 06', 'Member 07']);
  });

  it('refuses a garbage cursor and an out-of-range page size', async () => {
    const garbage = await viewer.graphql(LIST, { first: 10, after: 'bm90LWEtY3Vyc29y' });
    expect(garbage.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'after' });
    const huge = await viewer.graphql(LIST, { first: 1000 });
    expect(huge.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'first' });
  });
});

describe('search and filters', () => {
  it.each([
    ['a part of the name, any case', 'SMITH', ['Jonathan Smith']],
    ['a misspelt name', 'jonathon', ['Jonathan Smith']],
    ['a name typed without its accent', 'emile zola', ['Émile Zola']],
    ['part of an email', 'roman.fr', ['Émile Zola']],
    ['digits of a phone number', '7946 0101', ['Jonathan Smith']],
    ['a national number with its trunk 0', '06 12 34 56', ['Émile Zola']],
    ['the E.164 form', '+12025550100', ['Bob Brown']],
    ['LIKE wildcards, taken literally', '%', []],
    ['something nobody has', 'qwxzv', []],
  ])('finds contacts by %s', async (_label, search, expected) => {
    expect(await names({ search })).toEqual(expected);
  });

  it('filters by tags (all of them), favourite and consent', async () => {
    expect(await names({ tags: ['vip'] })).toEqual(['Émile Zola', 'Jonathan Smith']);
    expect(await names({ tags: ['VIP', 'lead'] })).toEqual(['Jonathan Smith']);
    expect(await names({ favourite: true })).toEqual(['Émile Zola']);
    expect(await names({ consent: { channel: 'SMS', status: 'OPTED_IN' } })).toEqual(['ann lee']);
    expect((await names({ consent: { channel: 'SMS', status: 'UNKNOWN' } })).length).toBe(24);
    expect(await names({ search: 'o', tags: ['lead'] })).toEqual(['Bob Brown', 'Jonathan Smith']);
  });

  it('refuses an over-long search', async () => {
    const result = await viewer.graphql(LIST, { filter: { search: 'x'.repeat(101) } });
    expect(result.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'search' });
  });
});

describe('groups', () => {
  const GROUP = 'id name memberCount contacts(first: 10) { edges { node { name } } totalCount }';

  it('creates, renames, fills, empties and deletes a group', async () => {
    const created = await agent.graphql(`mutation { createContactGroup(input: { name: " Newsletter " }) { ${GROUP} } }`);
    const group = created.data.createContactGroup;
    expect(group).toMatchObject({ name: 'Newsletter', memberCount: 0, contacts: { edges: [], totalCount: 0 } });

    const duplicate = await agent.graphql(`mutation { createContactGroup(input: { name: "NEWSLETTER" }) { id } }`);
    expect(duplicate.errors?.[0]?.extensions).toEqual({ code: 'CONFLICT', field: 'name', existingGroupId: group.id });

    const added = await agent.graphql(`mutation($g: ID!, $c: [ID!]!) { addContactsToGroup(groupId: $g, contactIds: $c) { ${GROUP} } }`, {
      g: group.id,
      c: [ids.bob, ids.ann, ids.bob, ids.emile],
    });
    expect(added.data.addContactsToGroup).toMatchObject({
      memberCount: 3,
      contacts: { edges: [{ node: { name: 'ann lee' } }, { node: { name: 'Bob Brown' } }, { node: { name: 'Émile Zola' } }], totalCount: 3 },
    });
    // Adding again is harmless.
    const again = await agent.graphql(`mutation($g: ID!, $c: [ID!]!) { addContactsToGroup(groupId: $g, contactIds: $c) { memberCount } }`, {
      g: group.id,
      c: [ids.bob],
    });
    expect(again.data.addContactsToGroup.memberCount).toBe(3);

    expect(await names({ groupId: group.id })).toEqual(['ann lee', 'Bob Brown', 'Émile Zola']);
    const contact = await viewer.graphql(`query($id: ID!) { contact(id: $id) { groups { name } } }`, { id: ids.bob });
    expect(contact.data.contact.groups).toEqual([{ name: 'Newsletter' }]);

    const renamed = await agent.graphql(`mutation($id: ID!) { renameContactGroup(id: $id, name: "Weekly news") { name } }`, { id: group.id });
    expect(renamed.data.renameContactGroup.name).toBe('Weekly news');

    const removed = await agent.graphql(`mutation($g: ID!, $c: [ID!]!) { removeContactsFromGroup(groupId: $g, contactIds: $c) { memberCount } }`, {
      g: group.id,
      c: [ids.bob, ids.jonathan],
    });
    expect(removed.data.removeContactsFromGroup.memberCount).toBe(2);

    const deniedDelete = await agent.graphql(`mutation($id: ID!) { deleteContactGroup(id: $id) }`, { id: group.id });
    expect(deniedDelete.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const deleted = await admin.graphql(`mutation($id: ID!) { deleteContactGroup(id: $id) }`, { id: group.id });
    expect(deleted.data.deleteContactGroup).toBe(group.id);
    const gone = await viewer.graphql(`query($id: ID!) { contactGroup(id: $id) { id } }`, { id: group.id });
    expect(gone.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    // The contacts stay.
    const ann = await viewer.graphql(`query($id: ID!) { contact(id: $id) { name groups { id } } }`, { id: ids.ann });
    expect(ann.data.contact).toEqual({ name: 'ann lee', groups: [] });
  });

  it('adds nothing when any id is not a contact of the organization', async () => {
    const created = await agent.graphql(`mutation { createContactGroup(input: { name: "Strict" }) { id } }`);
    const groupId = created.data.createContactGroup.id;
    const missing = '00000000-0000-4000-8000-00000000abcd';
    const result = await agent.graphql(`mutation($g: ID!, $c: [ID!]!) { addContactsToGroup(groupId: $g, contactIds: $c) { memberCount } }`, {
      g: groupId,
      c: [ids.ann, missing, 'garbage'],
    });
    expect(result.errors?.[0]?.extensions).toMatchObject({ code: 'NOT_FOUND', field: 'contactIds', missingContactIds: [missing, 'garbage'], missingCount: 2 });
    const group = await viewer.graphql(`query($id: ID!) { contactGroup(id: $id) { memberCount } }`, { id: groupId });
    expect(group.data.contactGroup.memberCount).toBe(0);
  });

  it('lists groups by name with member counts, and only VIEWER-safe reads for viewers', async () => {
    await agent.graphql(`mutation { createContactGroup(input: { name: "alpha" }) { id } }`);
    await agent.graphql(`mutation { createContactGroup(input: { name: "Beta" }) { id } }`);
    const result = await viewer.graphql(`{ contactGroups(first: 2) { edges { node { name memberCount } } pageInfo { hasNextPage endCursor } totalCount } }`);
    expect(result.data.contactGroups.edges.map((edge: { node: { name: string } }) => edge.node.name)).toEqual(['alpha', 'Beta']);
    expect(result.data.contactGroups.totalCount).toBe(3);
    const next = await viewer.graphql(`query($after: String) { contactGroups(first: 2, after: $after) { edges { node { name } } pageInfo { hasNextPage } } }`, {
      after: result.data.contactGroups.pageInfo.endCursor,
    });
    expect(next.data.contactGroups).toEqual({ edges: [{ node: { name: 'Strict' } }], pageInfo: { hasNextPage: false } });
    const denied = await viewer.graphql(`mutation { createContactGroup(input: { name: "Nope" }) { id } }`);
    expect(denied.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });
});

describe('tenant isolation', () => {
  let outsider: Member;
  beforeAll(() => {
    outsider = harness.member('OWNER');
  });

  it('never shows another organization’s contacts: by id, list or search', async () => {
    const byId = await outsider.graphql(`query($id: ID!) { contact(id: $id) { ${CONTACT_FIELDS} } }`, { id: ids.jonathan });
    expect(byId.data).toEqual({ contact: null });
    expect(byId.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expect(await names({}, outsider)).toEqual([]);
    expect(await names({ search: 'Smith' }, outsider)).toEqual([]);
  });

  it('never changes another organization’s contacts or groups', async () => {
    const update = await outsider.graphql(`mutation($id: ID!) { updateContact(id: $id, input: { name: "Hacked" }) { id } }`, { id: ids.bob });
    expect(update.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    const consent = await outsider.graphql(`mutation($id: ID!) { setConsent(contactId: $id, channel: SMS, status: OPTED_OUT) { id } }`, { id: ids.bob });
    expect(consent.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    const remove = await outsider.graphql(`mutation($id: ID!) { deleteContact(id: $id) }`, { id: ids.bob });
    expect(remove.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');

    const theirGroup = await outsider.graphql(`mutation { createContactGroup(input: { name: "Mine" }) { id } }`);
    const steal = await outsider.graphql(`mutation($g: ID!, $c: [ID!]!) { addContactsToGroup(groupId: $g, contactIds: $c) { memberCount } }`, {
      g: theirGroup.data.createContactGroup.id,
      c: [ids.bob],
    });
    expect(steal.errors?.[0]?.extensions).toMatchObject({ code: 'NOT_FOUND', missingContactIds: [ids.bob] });

    const ourGroup = await agent.graphql(`mutation { createContactGroup(input: { name: "Ours" }) { id } }`);
    const groupId = ourGroup.data.createContactGroup.id;
    for (const query of [
      `query($id: ID!) { contactGroup(id: $id) { id } }`,
      `mutation($id: ID!) { renameContactGroup(id: $id, name: "x") { id } }`,
      `mutation($id: ID!) { deleteContactGroup(id: $id) }`,
      `query($id: ID!) { contacts(filter: { groupId: $id }) { totalCount } }`,
    ]) {
      const result = await outsider.graphql(query, { id: groupId });
      expect(result.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    }
    const bob = await viewer.graphql(`query($id: ID!) { contact(id: $id) { name consent { status } } }`, { id: ids.bob });
    expect(bob.data.contact).toEqual({ name: 'Bob Brown', consent: [{ status: 'UNKNOWN' }, { status: 'UNKNOWN' }, { status: 'UNKNOWN' }] });
  });
});

describe('typo-tolerant search', () => {
  it('lists similar names when nothing contains the term, and pages through them', async () => {
    await create({ name: 'Jonathan Adams', email: 'adams@typo.io' });
    await create({ name: 'Jonathan Brown', email: 'brown@typo.io' });
    const first = await viewer.graphql(LIST, { filter: { search: 'jonathon' }, first: 2 });
    const page = first.data.contacts;
    expect(page.edges.map((edge: Json) => edge.node.name)).toEqual(['Jonathan Adams', 'Jonathan Brown']);
    expect(page.pageInfo.hasNextPage).toBe(true);
    expect(page.totalCount).toBe(3);
    const next = await viewer.graphql(LIST, { filter: { search: 'jonathon' }, first: 2, after: page.pageInfo.endCursor });
    expect(next.data.contacts.edges.map((edge: Json) => edge.node.name)).toEqual(['Jonathan Smith']);
    expect(next.data.contacts.pageInfo.hasNextPage).toBe(false);
    // A term that is contained somewhere never mixes in similar names.
    expect(await names({ search: 'jonathan' })).toEqual(['Jonathan Adams', 'Jonathan Brown', 'Jonathan Smith']);
  });
});
