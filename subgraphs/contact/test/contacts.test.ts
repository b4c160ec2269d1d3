import { CONTACT_FIELDS, startContactHarness, type ContactHarness, type Member } from './harness';

let harness: ContactHarness;
let admin: Member;
let agent: Member;
let viewer: Member;

beforeAll(async () => {
  harness = await startContactHarness();
  admin = harness.member('ADMIN');
  agent = harness.member('AGENT', admin.organizationId);
  viewer = harness.member('VIEWER', admin.organizationId);
});

afterAll(() => harness?.close());

const CREATE = `mutation Create($input: CreateContactInput!) { createContact(input: $input) { ${CONTACT_FIELDS} } }`;
const UPDATE = `mutation Update($id: ID!, $input: UpdateContactInput!) { updateContact(id: $id, input: $input) { ${CONTACT_FIELDS} } }`;

async function create(member: Member, input: Record<string, unknown>) {
  const result = await member.graphql(CREATE, { input });
  if (result.errors) throw new Error(JSON.stringify(result.errors));
  return result.data.createContact;
}

describe('createContact', () => {
  it('normalises phone and email, and starts with UNKNOWN consent on every channel', async () => {
    const contact = await create(agent, {
      name: '  Ada   Lovelace ',
      phone: '020 7946 0001',
      defaultCountry: 'gb',
      email: 'Ada@Example.COM',
      whatsappId: '+44 20 7946 0001',
      tags: ['VIP', 'vip', ' Lead '],
      attributes: { company: 'Analytical Engines', seats: 3 },
      favourite: true,
    });
    expect(contact).toMatchObject({
      name: 'Ada Lovelace',
      phone: '+442079460001',
      email: 'ada@example.com',
      whatsappId: '442079460001',
      tags: ['vip', 'lead'],
      attributes: { company: 'Analytical Engines', seats: 3 },
      favourite: true,
      consent: [
        { channel: 'EMAIL', status: 'UNKNOWN', source: null, updatedAt: null },
        { channel: 'SMS', status: 'UNKNOWN', source: null, updatedAt: null },
        { channel: 'WHATSAPP', status: 'UNKNOWN', source: null, updatedAt: null },
      ],
    });
    expect(new Date(contact.createdAt).getTime()).toBeGreaterThan(Date.now() - 60_000);
  });

  it('records consent given at creation with its source', async () => {
    const contact = await create(agent, {
      name: 'Consenting Carl',
      email: 'carl@example.com',
      consent: [{ channel: 'EMAIL', status: 'OPTED_IN', source: 'web-form' }, { channel: 'SMS', status: 'OPTED_OUT' }],
    });
    expect(contact.consent[0]).toMatchObject({ channel: 'EMAIL', status: 'OPTED_IN', source: 'web-form' });
    expect(contact.consent[1]).toMatchObject({ channel: 'SMS', status: 'OPTED_OUT', source: 'api' });
    expect(contact.consent[0].updatedAt).toEqual(expect.any(String));
  });

  it.each([
    ['a short number', { name: 'P', phone: '123', defaultCountry: 'GB' }, 'phone', 'TOO_SHORT'],
    ['a national number without a country', { name: 'P', phone: '020 7946 0000' }, 'phone', 'INVALID_COUNTRY'],
    ['an unassigned range', { name: 'P', phone: '+1 999 555 0100' }, 'phone', 'INVALID_NUMBER'],
    ['an unknown default country', { name: 'P', phone: '+442079460000', defaultCountry: 'ZZ' }, 'defaultCountry', 'INVALID_COUNTRY'],
    ['a bad email', { name: 'P', email: 'not-an-email' }, 'email', 'INVALID_EMAIL'],
    ['a blank name', { name: '  ', email: 'blank@example.com' }, 'name', 'REQUIRED'],
    ['no way to reach them', { name: 'Nobody' }, 'phone', 'REQUIRED'],
    ['9 KB of attributes', { name: 'P', email: 'big@example.com', attributes: { notes: 'x'.repeat(9000) } }, 'attributes', 'TOO_LARGE'],
    ['attributes that are a list', { name: 'P', email: 'arr@example.com', attributes: [1, 2] }, 'attributes', 'NOT_AN_OBJECT'],
  ])('refuses %s with BAD_USER_INPUT on %s', async (_label, input, field, reason) => {
    const result = await agent.graphql(CREATE, { input });
    expect(result.status).toBe(200);
    expect(result.data).toBeNull();
    expect(result.errors).toEqual([
      expect.objectContaining({ extensions: expect.objectContaining({ code: 'BAD_USER_INPUT', field, reason }) }),
    ]);
  });

  it('refuses a duplicate phone or email (any letter case) with CONFLICT naming the existing contact', async () => {
    const first = await create(agent, { name: 'Grace Hopper', phone: '+12025550142', email: 'grace@example.com' });
    const samePhone = await agent.graphql(CREATE, { input: { name: 'Other', phone: '(202) 555-0142', defaultCountry: 'US' } });
    expect(samePhone.errors?.[0]?.extensions).toEqual({ code: 'CONFLICT', field: 'phone', existingContactId: first.id });
    const sameEmail = await agent.graphql(CREATE, { input: { name: 'Other', email: 'GRACE@example.com' } });
    expect(sameEmail.errors?.[0]?.extensions).toEqual({ code: 'CONFLICT', field: 'email', existingContactId: first.id });
  });

  it('allows the same phone in another organization', async () => {
    await create(agent, { name: 'Shared Number', phone: '+12025550143' });
    const other = harness.member('AGENT');
    const contact = await create(other, { name: 'Shared Number', phone: '+12025550143' });
    expect(contact.phone).toBe('+12025550143');
  });

  it('needs the AGENT role', async () => {
    const result = await viewer.graphql(CREATE, { input: { name: 'V', email: 'v@example.com' } });
    expect(result.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });
});

describe('updateContact', () => {
  it('changes only what is given, clears with null, and re-checks uniqueness', async () => {
    const contact = await create(agent, { name: 'Alan Turing', phone: '+442079460002', email: 'alan@example.com', tags: ['math'] });
    const other = await create(agent, { name: 'Joan Clarke', email: 'joan@example.com' });

    const renamed = await agent.graphql(UPDATE, { id: contact.id, input: { name: 'Alan M. Turing', email: null, favourite: true } });
    expect(renamed.data.updateContact).toMatchObject({ name: 'Alan M. Turing', phone: '+442079460002', email: null, tags: ['math'], favourite: true });

    const taken = await agent.graphql(UPDATE, { id: other.id, input: { phone: '020 7946 0002', defaultCountry: 'GB' } });
    expect(taken.errors?.[0]?.extensions).toEqual({ code: 'CONFLICT', field: 'phone', existingContactId: contact.id });

    const bad = await agent.graphql(UPDATE, { id: other.id, input: { phone: '12', defaultCountry: 'GB' } });
    expect(bad.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'phone', reason: 'TOO_SHORT' });

    const nothingLeft = await agent.graphql(UPDATE, { id: other.id, input: { email: null } });
    expect(nothingLeft.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'phone', reason: 'REQUIRED' });

    // Keeping its own phone is not a conflict with itself.
    const same = await agent.graphql(UPDATE, { id: contact.id, input: { phone: '+442079460002', attributes: { a: 1 } } });
    expect(same.data.updateContact).toMatchObject({ phone: '+442079460002', attributes: { a: 1 } });
  });

  it('is NOT_FOUND for unknown ids and for ids that are not ids', async () => {
    for (const id of ['00000000-0000-4000-8000-000000000000', 'not-an-id']) {
      const result = await agent.graphql(UPDATE, { id, input: { name: 'X' } });
      expect(result.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    }
  });
});

describe('deleteContact and setConsent', () => {
  it('deletes for ADMIN only', async () => {
    const contact = await create(agent, { name: 'Short Lived', email: 'short@example.com' });
    const denied = await agent.graphql('mutation($id: ID!) { deleteContact(id: $id) }', { id: contact.id });
    expect(denied.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const deleted = await admin.graphql('mutation($id: ID!) { deleteContact(id: $id) }', { id: contact.id });
    expect(deleted.data).toEqual({ deleteContact: contact.id });
    const again = await admin.graphql('mutation($id: ID!) { deleteContact(id: $id) }', { id: contact.id });
    expect(again.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    const read = await viewer.graphql('query($id: ID!) { contact(id: $id) { id } }', { id: contact.id });
    expect(read.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    // Its email is free again.
    await create(agent, { name: 'Reborn', email: 'short@example.com' });
  });

  it('records consent per channel with source and time; VIEWER cannot', async () => {
    const contact = await create(agent, { name: 'Opt Out Olly', phone: '+12025550144' });
    const SET = `mutation($id: ID!, $channel: ConsentChannel!, $status: ConsentStatus!, $source: String) {
      setConsent(contactId: $id, channel: $channel, status: $status, source: $source) {
        consentFor(channel: SMS) { channel status source updatedAt } consent { channel status } } }`;
    const before = Date.now();
    const result = await agent.graphql(SET, { id: contact.id, channel: 'SMS', status: 'OPTED_OUT', source: 'keyword STOP' });
    expect(result.data.setConsent.consentFor).toMatchObject({ channel: 'SMS', status: 'OPTED_OUT', source: 'keyword STOP' });
    expect(new Date(result.data.setConsent.consentFor.updatedAt).getTime()).toBeGreaterThanOrEqual(before - 1000);
    expect(result.data.setConsent.consent.map((c: { status: string }) => c.status)).toEqual(['UNKNOWN', 'OPTED_OUT', 'UNKNOWN']);

    const denied = await viewer.graphql(SET, { id: contact.id, channel: 'SMS', status: 'OPTED_IN' });
    expect(denied.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const tooLong = await agent.graphql(SET, { id: contact.id, channel: 'SMS', status: 'OPTED_IN', source: 'x'.repeat(101) });
    expect(tooLong.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'source' });
  });
});
