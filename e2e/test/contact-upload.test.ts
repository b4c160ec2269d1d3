import { inviteAndJoin, registerUser, startTestSystem, type SeededUser, type TestSystem } from '@switchboard/testkit';

/**
 * Bulk imports of large CSV files go to `POST /uploads/contacts` on the gateway (a raw body,
 * streamed to the contact subgraph with the caller signed in) instead of through a GraphQL body.
 */
let system: TestSystem;
let admin: SeededUser;
let viewer: SeededUser;

const IMPORT_JOB = `query Job($id: ID!) { importJob(id: $id) { status totalRows createdCount failedCount errors { row reason } } }`;

const upload = (csv: string, token?: string, query = '?defaultCountry=GB') =>
  fetch(`${system.gatewayUrl.replace(/\/graphql$/u, '')}/uploads/contacts${query}`, {
    method: 'POST',
    headers: { 'content-type': 'text/csv', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: csv,
  });

beforeAll(async () => {
  system = await startTestSystem();
  admin = await registerUser(system);
  viewer = await inviteAndJoin(system, admin, 'VIEWER');
});

afterAll(async () => {
  await system?.close();
});

it('imports an uploaded CSV through the gateway; a bad row is reported and the good ones land', async () => {
  const rows = Array.from({ length: 500 }, (_, i) => `Person ${i},+4420718${String(30000 + i).padStart(5, '0')},p${i}@example.com`);
  const csv = ['name,phone,email', ...rows, 'Broken,12,not-an-email'].join('\n');
  const response = await upload(csv, admin.accessToken);
  expect(response.status).toBe(202);
  const body = (await response.json()) as { importJob: { id: string; status: string; totalRows: number } };
  expect(body.importJob).toMatchObject({ totalRows: 501 });
  const jobId = body.importJob.id;

  let job: { status: string; totalRows: number; createdCount: number; failedCount: number; errors: { row: number; reason: string }[] } | undefined;
  const until = Date.now() + 30_000;
  while (Date.now() < until) {
    const result = await system.graphql(IMPORT_JOB, { id: jobId }, { token: admin.accessToken });
    job = (result.data as { importJob: typeof job }).importJob;
    if (job && (job.status === 'COMPLETED' || job.status === 'FAILED')) break;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  expect(job).toMatchObject({ status: 'COMPLETED', totalRows: 501, createdCount: 500, failedCount: 1 });
  expect(job!.errors[0]!.row).toBe(501);
});

it('refuses an upload without a token (401) and from a VIEWER (403), importing nothing', async () => {
  const csv = 'name,phone\nNobody,+442071838750\n';
  expect((await upload(csv)).status).toBe(401);
  const forged = await fetch(`${system.gatewayUrl.replace(/\/graphql$/u, '')}/uploads/contacts`, {
    method: 'POST',
    headers: { 'content-type': 'text/csv', 'x-switchboard-caller': 'forged.header' },
    body: csv,
  });
  expect(forged.status).toBe(401);
  const asViewer = await upload(csv, viewer.accessToken);
  expect(asViewer.status).toBe(403);
  const search = await system.graphql(`query { contacts(first: 5, filter: { search: "Nobody" }) { edges { node { id } } } }`, {}, { token: admin.accessToken });
  expect((search.data as { contacts: { edges: unknown[] } }).contacts.edges).toHaveLength(0);
});
