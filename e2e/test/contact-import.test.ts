import { registerUser, startTestSystem, type GraphQLResponse, type SeededUser, type TestSystem } from '@switchboard/testkit';

/**
 * Bulk imports through the gateway: the row limit, and a realistic file (20,000 rows, ~1.3 MB —
 * above the gateway's default 1 MiB body limit, so this system raises MAX_BODY_BYTES the way a
 * deployment that imports must) where bad rows are reported and never stop the good ones.
 */

let system: TestSystem;
let owner: SeededUser;

function ok(result: GraphQLResponse) {
  expect({ status: result.status, errors: result.errors }).toEqual({ status: 200, errors: undefined });
  return result.data;
}

const call = (query: string, variables?: Record<string, unknown>) => system.graphql(query, variables, { token: owner.accessToken });

async function waitForJob(id: string) {
  const deadline = Date.now() + 120_000;
  for (;;) {
    const job = ok(
      await call(`query($id: ID!) { importJob(id: $id) { status totalRows processedRows createdCount updatedCount failedCount
        failureReason errors { row line field reason } } }`, { id }),
    ).importJob;
    if (job.status === 'COMPLETED' || job.status === 'FAILED') return job;
    if (Date.now() > deadline) throw new Error('import did not finish');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

beforeAll(async () => {
  system = await startTestSystem({ env: { MAX_BODY_BYTES: String(16 * 1024 * 1024) } });
  owner = await registerUser(system, { organizationName: 'Importers' });
});

afterAll(async () => {
  await system?.close();
});

describe('contact imports through the gateway', () => {
  it('refuses 100,001 rows with BAD_USER_INPUT before starting a job', async () => {
    const csv = `name,phone\n${'A,1\n'.repeat(100_001)}`;
    const result = await call(`mutation($csv: String) { importContacts(input: { csv: $csv }) { id } }`, { csv });
    expect(result.status).toBe(200);
    expect(result.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'csv', reason: 'TOO_MANY_ROWS', maxRows: 100_000 });
  });

  it('imports 20,000 rows: bad rows are listed and never stop the good ones; a second pass updates', async () => {
    const lines = ['name,phone,email,tags,city'];
    for (let i = 0; i < 20_000; i++) {
      const phone = `+1202${String(2_000_000 + i).padStart(7, '0')}`;
      if (i % 20 === 7) lines.push(`Broken ${i},+1202,,,`); // too short
      else if (i % 20 === 13) lines.push(`Short ${i}`); // wrong column count
      else lines.push(`Person ${i},${phone},person${i}@import.io,batch,City ${i % 50}`);
    }
    const csv = lines.join('\n');
    expect(csv.length).toBeGreaterThan(1_048_576);
    const started = ok(await call(`mutation($csv: String) { importContacts(input: { csv: $csv }) { id status totalRows } }`, { csv })).importContacts;
    expect(started).toMatchObject({ status: 'PENDING', totalRows: 20_000 });
    const job = await waitForJob(started.id);
    expect(job).toMatchObject({ status: 'COMPLETED', processedRows: 20_000, createdCount: 18_000, updatedCount: 0, failedCount: 2_000 });
    expect(job.errors).toHaveLength(1_000);
    expect(job.errors.slice(0, 2)).toEqual([
      { row: 8, line: 9, field: 'phone', reason: 'TOO_SHORT' },
      { row: 14, line: 15, field: 'csv', reason: 'COLUMN_COUNT' },
    ]);
    expect(ok(await call(`{ contacts(filter: { tags: ["batch"] }) { totalCount } }`)).contacts.totalCount).toBe(18_000);

    // The same people again, by email only, with a new tag: all updated, none created.
    const again = ['name,email,tags', ...Array.from({ length: 500 }, (_, i) => `Renamed ${i * 20},person${i * 20}@import.io,second`)].join('\n');
    const second = ok(await call(`mutation($csv: String) { importContacts(input: { csv: $csv }) { id } }`, { csv: again })).importContacts;
    expect(await waitForJob(second.id)).toMatchObject({ status: 'COMPLETED', createdCount: 0, updatedCount: 500, failedCount: 0 });
    const updated = ok(await call(`{ contacts(filter: { search: "person40@import.io" }) { edges { node { name tags attributes } } } }`)).contacts.edges;
    expect(updated).toEqual([{ node: { name: 'Renamed 40', tags: ['batch', 'second'], attributes: { city: 'City 40' } } }]);
  });
});
