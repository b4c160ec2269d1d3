import { CONTACT_UPLOAD_PATH, MAX_UPLOAD_BYTES } from '../src';
import { outboxEvents } from './outbox';
import { startContactHarness, waitForImport, type ContactHarness, type Member } from './harness';

/*
 * POST /uploads/contacts: the CSV as the raw request body, for files too large for a GraphQL
 * request. Same checks and job as importContacts; behind the gateway's signed caller context.
 */

jest.setTimeout(60_000);

let harness: ContactHarness;
let admin: Member;

beforeAll(async () => {
  harness = await startContactHarness({ import: { batchSize: 200 } });
  admin = harness.member('ADMIN');
});

afterAll(() => harness?.close());

function upload(member: Member | null, body: string | Uint8Array<ArrayBuffer>, options: { query?: string; contentType?: string } = {}) {
  return fetch(`${harness.origin}${CONTACT_UPLOAD_PATH}${options.query ?? ''}`, {
    method: 'POST',
    headers: { 'content-type': options.contentType ?? 'text/csv; charset=utf-8', ...(member ? member.callerHeader() : {}) },
    body,
  });
}

describe('POST /uploads/contacts', () => {
  it('imports a CSV body (multi-byte names across 64 KB slices) as a job, with one event per contact', async () => {
    const importer = harness.member('ADMIN');
    const rows = Array.from({ length: 3_000 }, (_, i) => `Zoë Müller-Søren 😀 ${i},020 7946 ${String(i).padStart(4, '0')},zoe${i}@example.org,vip|b2b`);
    const csv = `\uFEFFName;Phone;Email;Tags\n${rows.map((row) => row.replace(/,/g, ';')).join('\r\n')}\r\n`;
    const response = await upload(importer, csv, { query: '?defaultCountry=GB' });
    expect(response.status).toBe(202);
    const { importJob } = (await response.json()) as { importJob: { id: string; status: string; totalRows: number } };
    expect(importJob).toMatchObject({ status: 'PENDING', totalRows: 3_000 });
    const job = await waitForImport(importer, importJob.id);
    expect({ ...job, errors: job.errors.slice(0, 2) }).toMatchObject({ status: 'COMPLETED', createdCount: 3_000, failedCount: 0, errors: [] });
    const stored = await harness.prisma.contact.findFirstOrThrow({ where: { organizationId: importer.organizationId, phone: '+442079462999' } });
    expect(stored).toMatchObject({ name: 'Zoë Müller-Søren 😀 2999', email: 'zoe2999@example.org', tags: ['vip', 'b2b'], source: 'import' });
    const intact = await harness.prisma.contact.count({ where: { organizationId: importer.organizationId, name: { startsWith: 'Zoë Müller-Søren 😀 ' } } });
    expect(intact).toBe(3_000);
    expect(await outboxEvents(harness.prisma, importer.organizationId)).toHaveLength(3_000);
  });

  it('answers problems with the file as a whole like the mutation, before any job exists', async () => {
    const noHeader = await upload(admin, 'just,some,columns\n1,2,3\n');
    expect(noHeader.status).toBe(400);
    expect(await noHeader.json()).toMatchObject({ errors: [{ extensions: { code: 'BAD_USER_INPUT', field: 'csv', reason: 'INVALID_HEADER' } }] });
    const unclosed = await upload(admin, 'name,phone\nAnn,"+44 20\n');
    expect(await unclosed.json()).toMatchObject({ errors: [{ extensions: { reason: 'UNCLOSED_QUOTE', line: 2 } }] });
    const empty = await upload(admin, '');
    expect(await empty.json()).toMatchObject({ errors: [{ extensions: { reason: 'EMPTY' } }] });
    const country = await upload(admin, 'name,phone\nAnn,020 7946 0000\n', { query: '?defaultCountry=XX' });
    expect(await country.json()).toMatchObject({ errors: [{ extensions: { code: 'BAD_USER_INPUT', reason: 'INVALID_COUNTRY' } }] });
    expect(await harness.prisma.contactImportJob.count({ where: { organizationId: admin.organizationId } })).toBe(0);
  });

  it('needs the gateway context (401), ADMIN (403), a CSV content type (415) and a body under the limit (413)', async () => {
    const csv = 'name,email\nAnn,ann@example.org\n';
    expect((await upload(null, csv)).status).toBe(401);
    const agent = await upload(harness.member('AGENT', admin.organizationId), csv);
    expect(agent.status).toBe(403);
    expect(await agent.json()).toMatchObject({ errors: [{ extensions: { code: 'FORBIDDEN' } }] });
    const json = await upload(admin, JSON.stringify({ csv }), { contentType: 'application/json' });
    expect(json.status).toBe(415);
    const tooLarge = await upload(admin, new Uint8Array(MAX_UPLOAD_BYTES + 1).fill(0x61));
    expect(tooLarge.status).toBe(413);
    expect(await tooLarge.json()).toMatchObject({ errors: [{ extensions: { code: 'PAYLOAD_TOO_LARGE', maxBytes: MAX_UPLOAD_BYTES } }] });
    expect(await harness.prisma.contactImportJob.count({ where: { organizationId: admin.organizationId } })).toBe(0);
  });
});
