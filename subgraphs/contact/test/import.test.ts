import { randomUUID } from 'node:crypto';
import { searchTextOf } from '../src/domain/contact-fields';
import { startContactTeam, waitForImport, type ContactHarness, type Json, type Member } from './harness';

let harness: ContactHarness;
let admin: Member;
let agent: Member;
let viewer: Member;

const IMPORT = `mutation Import($input: ImportContactsInput!) {
  importContacts(input: $input) { id status totalRows processedRows createdCount updatedCount failedCount errors { row } startedAt finishedAt } }`;

async function startImport(member: Member, input: Record<string, unknown>) {
  const result = await member.graphql(IMPORT, { input });
  if (result.errors) throw new Error(JSON.stringify(result.errors));
  return result.data.importContacts;
}

async function importAndWait(member: Member, input: Record<string, unknown>) {
  const job = await startImport(member, input);
  return waitForImport(member, job.id);
}

async function findByPhone(member: Member, phone: string): Promise<Json> {
  const result = await member.graphql(
    `query($search: String) { contacts(filter: { search: $search }, first: 5) { edges { node {
      id name phone email tags favourite attributes consentFor(channel: SMS) { status source } } } } }`,
    { search: phone },
  );
  return result.data.contacts.edges.map((edge: Json) => edge.node);
}

beforeAll(async () => {
  ({ harness, admin, agent, viewer } = await startContactTeam({ import: { batchSize: 100 } }));
});

afterAll(() => harness?.close());

describe('CSV import', () => {
  it('answers at once with a PENDING job, then imports good rows and reports bad ones by row and line', async () => {
    const existing = await agent.graphql(`mutation { createContact(input: { name: "Old Name", email: "keep@example.com", tags: ["old"], attributes: { tier: "gold" } }) { id } }`);
    const existingId = existing.data.createContact.id;
    const csv = [
      'Name,Phone,Email,Tags,Favourite,SMS consent,Company',
      'Ada Lovelace,020 7946 0010,ada@example.com,VIP;lead,yes,opted_in,Engines',
      'Too Short,123,,,,,',
      'Bad Email,,not-an-email,,,,',
      'Short Row,020 7946 0011',
      ',020 7946 0012,,,,,',
      '"Multi ""Line"" Name",020 7946 0013,,,,,"Acme,\nInc."',
      'Kept Contact,,KEEP@example.com,new,,,',
      'Ada Again,+44 20 7946 0010,,,,,',
      'Bad Consent,020 7946 0014,,,,maybe,',
    ].join('\n');
    const job = await startImport(admin, { csv, defaultCountry: 'GB' });
    expect(job).toMatchObject({ status: 'PENDING', totalRows: 9, processedRows: 0, errors: [], startedAt: null, finishedAt: null });

    const done = await waitForImport(admin, job.id);
    expect(done).toMatchObject({ status: 'COMPLETED', totalRows: 9, processedRows: 9, createdCount: 2, updatedCount: 2, failedCount: 5 });
    expect(done.errors).toEqual([
      { row: 2, line: 3, field: 'phone', reason: 'TOO_SHORT', message: 'Phone number is too short (TOO_SHORT)' },
      { row: 3, line: 4, field: 'email', reason: 'INVALID_EMAIL', message: expect.any(String) },
      { row: 4, line: 5, field: 'csv', reason: 'COLUMN_COUNT', message: 'Row has 2 columns; the header has 7' },
      { row: 5, line: 6, field: 'name', reason: 'REQUIRED', message: 'Name is required' },
      { row: 9, line: 11, field: 'smsConsent', reason: 'INVALID_CONSENT', message: expect.any(String) },
    ]);
    expect(new Date(done.finishedAt).getTime()).toBeGreaterThanOrEqual(new Date(done.startedAt).getTime());

    // Row 8 updated the contact row 1 created (same phone, later in the file).
    expect(await findByPhone(viewer, '+442079460010')).toEqual([
      expect.objectContaining({
        name: 'Ada Again',
        email: 'ada@example.com',
        tags: ['vip', 'lead'],
        favourite: true,
        attributes: { Company: 'Engines' },
        consentFor: { status: 'OPTED_IN', source: 'import' },
      }),
    ]);
    expect(await findByPhone(viewer, '+442079460013')).toEqual([
      expect.objectContaining({ name: 'Multi "Line" Name', attributes: { Company: 'Acme,\nInc.' } }),
    ]);
    // The database builds search_text for imported rows exactly as the API does for created ones.
    const stored = await harness.prisma.contact.findMany({ where: { organizationId: admin.organizationId } });
    expect(stored).toHaveLength(3); // two created, one updated
    for (const contact of stored) expect(contact.searchText).toBe(searchTextOf(contact));
    // Matched by email: name replaced, tags added, attributes merged.
    const kept = await viewer.graphql(`query($id: ID!) { contact(id: $id) { name tags attributes } }`, { id: existingId });
    expect(kept.data.contact).toEqual({ name: 'Kept Contact', tags: ['old', 'new'], attributes: { tier: 'gold' } });
  });

  it.each([
    ['an unclosed quote', 'name,phone\nAnn,+442079460020\n"Bob,+442079460021\n', 'UNCLOSED_QUOTE', /line 3/],
    ['missing header columns', 'phone,email\n+442079460022,a@example.com\n', 'INVALID_HEADER', /missing required columns: name/],
    ['a header without a name for a column', 'name,,phone\nAnn,x,+442079460022\n', 'INVALID_HEADER', /Column 2/],
    ['an empty file', '\n\n', 'EMPTY', /empty/],
    ['a header and no rows', 'name,phone\n', 'EMPTY', /no rows/],
  ])('refuses a CSV with %s as BAD_USER_INPUT on csv, before any job', async (_label, csv, reason, message) => {
    const result = await admin.graphql(IMPORT, { input: { csv } });
    expect(result.status).toBe(200);
    expect(result.errors).toEqual([
      expect.objectContaining({ message: expect.stringMatching(message), extensions: expect.objectContaining({ code: 'BAD_USER_INPUT', field: 'csv', reason }) }),
    ]);
  });

  it('refuses both or neither of csv and rows, and an unknown default country', async () => {
    const both = await admin.graphql(IMPORT, { input: { csv: 'name,phone\nA,1', rows: [{}] } });
    expect(both.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'ONE_SOURCE' });
    const neither = await admin.graphql(IMPORT, { input: {} });
    expect(neither.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'ONE_SOURCE' });
    const country = await admin.graphql(IMPORT, { input: { csv: 'name,phone\nA,1', defaultCountry: 'Britain' } });
    expect(country.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'defaultCountry', reason: 'INVALID_COUNTRY' });
  });

  it('refuses 100,001 rows, as CSV and as JSON rows', async () => {
    const header = 'name,email\n';
    const tooMany = header + 'A,a@example.com\n'.repeat(100_001);
    const csv = await admin.graphql(IMPORT, { input: { csv: tooMany } });
    expect(csv.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'csv', reason: 'TOO_MANY_ROWS', maxRows: 100_000 });
    const rows = await admin.graphql(IMPORT, { input: { rows: Array.from({ length: 100_001 }, () => ({ name: 'A' })) } });
    expect(rows.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'rows', reason: 'TOO_MANY_ROWS' });
  });
});

describe('JSON rows import', () => {
  it('keeps going past bad rows and keeps the first 1,000 errors while counting all', async () => {
    const rows = Array.from({ length: 1_600 }, (_, i) =>
      i % 4 === 0 ? { name: `Good ${i}`, email: `good${i}@rows.io`, attributes: { n: i } } : { name: `Bad ${i}`, email: `bad${i}` },
    );
    const job = await importAndWait(admin, { rows });
    expect(job).toMatchObject({ status: 'COMPLETED', processedRows: 1_600, createdCount: 400, updatedCount: 0, failedCount: 1_200 });
    expect(job.errors).toHaveLength(1_000);
    expect(job.errors[0]).toEqual({ row: 2, line: null, field: 'email', reason: 'INVALID_EMAIL', message: expect.any(String) });
    const count = await viewer.graphql(`{ contacts(filter: { search: "rows.io" }) { totalCount } }`);
    expect(count.data.contacts.totalCount).toBe(400);
  });

  it('reports rows that are not objects or have unknown fields', async () => {
    const job = await importAndWait(admin, { rows: ['text', { name: 'X', phnoe: '1' }, { name: 'Fine', email: 'fine@rows2.io' }] });
    expect(job).toMatchObject({ createdCount: 1, failedCount: 2 });
    expect(job.errors.map((error: Json) => [error.row, error.reason])).toEqual([
      [1, 'NOT_AN_OBJECT'],
      [2, 'UNKNOWN_FIELD'],
    ]);
  });

  it('refuses a row whose phone and email belong to two different contacts', async () => {
    await agent.graphql(`mutation { createContact(input: { name: "P", phone: "+33612345601" }) { id } }`);
    await agent.graphql(`mutation { createContact(input: { name: "E", email: "e@split.io" }) { id } }`);
    const job = await importAndWait(admin, { rows: [{ name: 'Both', phone: '+33612345601', email: 'e@split.io' }] });
    expect(job).toMatchObject({ createdCount: 0, updatedCount: 0, failedCount: 1 });
    expect(job.errors[0]).toMatchObject({ row: 1, field: 'email', reason: 'CONFLICT' });
  });
});

describe('import permissions and isolation', () => {
  it('needs ADMIN to start; any member may follow a job of their organization, nobody else', async () => {
    const denied = await agent.graphql(IMPORT, { input: { rows: [{ name: 'A', email: 'a@perm.io' }] } });
    expect(denied.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const job = await importAndWait(admin, { rows: [{ name: 'A', email: 'a@perm.io' }] });
    const seen = await viewer.graphql(`query($id: ID!) { importJob(id: $id) { status createdCount } }`, { id: job.id });
    expect(seen.data.importJob).toEqual({ status: 'COMPLETED', createdCount: 1 });
    const outsider = harness.member('OWNER');
    const hidden = await outsider.graphql(`query($id: ID!) { importJob(id: $id) { id } }`, { id: job.id });
    expect(hidden.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });

  it('an import never updates another organization’s contact with the same phone or email', async () => {
    const created = await agent.graphql(`mutation { createContact(input: { name: "Ours", phone: "+12025550177", email: "same@iso.io" }) { id } }`);
    const ourId = created.data.createContact.id;
    const other = harness.member('ADMIN');
    const job = await importAndWait(other, { csv: 'name,phone,email\nTheirs,+12025550177,same@iso.io\n' });
    expect(job).toMatchObject({ createdCount: 1, updatedCount: 0, failedCount: 0 });
    const ours = await viewer.graphql(`query($id: ID!) { contact(id: $id) { name } }`, { id: ourId });
    expect(ours.data.contact.name).toBe('Ours');
    const theirs = await other.graphql(`{ contacts(filter: { search: "iso.io" }) { edges { node { id name } } } }`);
    expect(theirs.data.contacts.edges).toEqual([{ node: { id: expect.not.stringMatching(ourId), name: 'Theirs' } }]);
  });
});

describe('interrupted imports', () => {
  it('reports a job nobody has touched for minutes as FAILED', async () => {
    const id = randomUUID();
    await harness.prisma.contactImportJob.create({
      data: {
        id,
        organizationId: admin.organizationId,
        createdByUserId: admin.userId,
        format: 'CSV',
        status: 'RUNNING',
        totalRows: 10,
        processedRows: 4,
        startedAt: new Date(Date.now() - 3_600_000),
        updatedAt: new Date(Date.now() - 3_600_000),
      },
    });
    const result = await viewer.graphql(`query($id: ID!) { importJob(id: $id) { status processedRows failureReason finishedAt } }`, { id });
    expect(result.data.importJob).toMatchObject({ status: 'FAILED', processedRows: 4, failureReason: expect.stringMatching(/interrupted/) });
  });
});
