import { randomUUID } from 'node:crypto';
import { registerUser, startTestSystem, type GraphQLResponse, type SeededUser, type TestSystem } from '@switchboard/testkit';

/**
 * Tenant isolation of contacts, groups and imports through the gateway: organization A gets
 * NOT_FOUND for every id of organization B — exactly what an unknown id gets — finds none of B's
 * contacts by search, and an import in A never touches B's contact with the same phone or email.
 */

let system: TestSystem;
let alice: SeededUser; // OWNER of organization A
let bob: SeededUser; // OWNER of organization B
const b: { contactId: string; groupId: string; jobId: string; aliceContactId: string; aliceGroupId: string } = {
  contactId: '',
  groupId: '',
  jobId: '',
  aliceContactId: '',
  aliceGroupId: '',
};

function ok(result: GraphQLResponse) {
  expect({ status: result.status, errors: result.errors }).toEqual({ status: 200, errors: undefined });
  return result.data;
}

const as = (user: SeededUser) => (query: string, variables?: Record<string, unknown>) => system.graphql(query, variables, { token: user.accessToken });

const SNAPSHOT = `{ contacts(first: 50) { edges { node { id name phone email tags favourite attributes consent { status source } groups { id } } } totalCount }
  contactGroups { edges { node { id name memberCount } } } }`;

async function waitForJob(user: SeededUser, id: string) {
  for (let i = 0; i < 600; i++) {
    const job = ok(await as(user)(`query($id: ID!) { importJob(id: $id) { status createdCount updatedCount failedCount } }`, { id })).importJob;
    if (job.status === 'COMPLETED' || job.status === 'FAILED') return job;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('import did not finish');
}

beforeAll(async () => {
  system = await startTestSystem();
  alice = await registerUser(system, { organizationName: 'Org A' });
  bob = await registerUser(system, { organizationName: 'Org B' });
  b.contactId = ok(
    await as(bob)(`mutation { createContact(input: { name: "Bobs Secret Client", phone: "+12025550123", email: "secret@client.io", tags: ["b-only"] }) { id } }`),
  ).createContact.id;
  b.groupId = ok(await as(bob)(`mutation { createContactGroup(input: { name: "B Group" }) { id } }`)).createContactGroup.id;
  ok(await as(bob)(`mutation($g: ID!, $c: [ID!]!) { addContactsToGroup(groupId: $g, contactIds: $c) { id } }`, { g: b.groupId, c: [b.contactId] }));
  b.jobId = ok(await as(bob)(`mutation { importContacts(input: { rows: [{ name: "Imported B", email: "imported@b.io" }] }) { id } }`)).importContacts.id;
  await waitForJob(bob, b.jobId);
  b.aliceContactId = ok(await as(alice)(`mutation { createContact(input: { name: "Alice Client", email: "client@a.io" }) { id } }`)).createContact.id;
  b.aliceGroupId = ok(await as(alice)(`mutation { createContactGroup(input: { name: "A Group" }) { id } }`)).createContactGroup.id;
});

afterAll(async () => {
  await system?.close();
});

type Operation = [string, string, (foreignId: string) => Record<string, unknown>, 'contact' | 'group' | 'job'];

const OPERATIONS: Operation[] = [
  ['contact', `query($id: ID!) { contact(id: $id) { id name } }`, (id) => ({ id }), 'contact'],
  ['updateContact', `mutation($id: ID!) { updateContact(id: $id, input: { name: "Taken over" }) { id } }`, (id) => ({ id }), 'contact'],
  ['setConsent', `mutation($id: ID!) { setConsent(contactId: $id, channel: SMS, status: OPTED_OUT) { id } }`, (id) => ({ id }), 'contact'],
  ['deleteContact', `mutation($id: ID!) { deleteContact(id: $id) }`, (id) => ({ id }), 'contact'],
  ['addContactsToGroup (their contact)', `mutation($g: ID!, $c: [ID!]!) { addContactsToGroup(groupId: $g, contactIds: $c) { id } }`, (id) => ({ g: b.aliceGroupId, c: [id] }), 'contact'],
  ['contactGroup', `query($id: ID!) { contactGroup(id: $id) { id name } }`, (id) => ({ id }), 'group'],
  ['contacts in their group', `query($id: ID!) { contacts(filter: { groupId: $id }) { totalCount } }`, (id) => ({ id }), 'group'],
  ['renameContactGroup', `mutation($id: ID!) { renameContactGroup(id: $id, name: "Taken over") { id } }`, (id) => ({ id }), 'group'],
  ['deleteContactGroup', `mutation($id: ID!) { deleteContactGroup(id: $id) }`, (id) => ({ id }), 'group'],
  ['addContactsToGroup (their group)', `mutation($g: ID!, $c: [ID!]!) { addContactsToGroup(groupId: $g, contactIds: $c) { id } }`, (id) => ({ g: id, c: [b.aliceContactId] }), 'group'],
  ['removeContactsFromGroup', `mutation($g: ID!, $c: [ID!]!) { removeContactsFromGroup(groupId: $g, contactIds: $c) { id } }`, (id) => ({ g: id, c: [b.contactId] }), 'group'],
  ['importJob', `query($id: ID!) { importJob(id: $id) { id status } }`, (id) => ({ id }), 'job'],
];

describe('contact tenant isolation through the gateway', () => {
  it.each(OPERATIONS)('%s with another organization’s id: NOT_FOUND like an unknown id; nothing changes', async (_name, query, variables, kind) => {
    const before = ok(await as(bob)(SNAPSHOT));
    const foreignId = kind === 'contact' ? b.contactId : kind === 'group' ? b.groupId : b.jobId;
    const foreign = await as(alice)(query, variables(foreignId));
    const unknown = await as(alice)(query, variables(randomUUID()));
    for (const result of [foreign, unknown]) {
      expect(result.status).toBe(200);
      expect(result.errors).toHaveLength(1);
      expect(result.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    }
    expect(foreign.errors?.[0]?.message.replace(foreignId, '<id>')).toBe(unknown.errors?.[0]?.message.replace(/[0-9a-f-]{36}/, '<id>'));
    expect(ok(await as(bob)(SNAPSHOT))).toEqual(before);
  });

  it('search never finds another organization’s contacts', async () => {
    for (const search of ['Secret Client', 'secret@client.io', '+12025550123', '2025550123', 'client']) {
      const found = ok(await as(alice)(`query($s: String) { contacts(filter: { search: $s }) { edges { node { id name } } totalCount } }`, { s: search })).contacts;
      expect(found.edges.map((edge: { node: { id: string } }) => edge.node.id)).not.toContain(b.contactId);
    }
    const byTag = ok(await as(alice)(`{ contacts(filter: { tags: ["b-only"] }) { totalCount } }`)).contacts;
    expect(byTag.totalCount).toBe(0);
  });

  it('an import in A with B’s phone and email creates A’s own contact and leaves B’s alone', async () => {
    const before = ok(await as(bob)(SNAPSHOT));
    const job = ok(
      await as(alice)(`mutation($csv: String) { importContacts(input: { csv: $csv }) { id } }`, {
        csv: 'name,phone,email,tags\nMine Now,+12025550123,secret@client.io,stolen\n',
      }),
    ).importContacts;
    expect(await waitForJob(alice, job.id)).toMatchObject({ status: 'COMPLETED', createdCount: 1, updatedCount: 0, failedCount: 0 });
    expect(ok(await as(bob)(SNAPSHOT))).toEqual(before);
    const mine = ok(await as(alice)(`{ contacts(filter: { search: "secret@client.io" }) { edges { node { id name tags } } } }`)).contacts.edges;
    expect(mine).toEqual([{ node: { id: expect.any(String), name: 'Mine Now', tags: ['stolen'] } }]);
    expect(mine[0].node.id).not.toBe(b.contactId);
  });
});
