/**
 * `npm run bench:contacts`: the contact subgraph at 100,000 contacts, through the gateway. Starts
 * the whole system in-process on a fresh database (MAX_BODY_BYTES raised so a ~7 MB CSV fits),
 * registers a user (OWNER of a new organization), then measures
 *   1. importing a generated CSV of BENCH_ROWS contacts (valid phone numbers, emails, tags and an
 *      attribute): the mutation's answer time, rows/s until the job is COMPLETED, and the peak RSS
 *      of this process (`process.resourceUsage().maxRSS` — gateway, seven subgraphs and this
 *      client together);
 *   2. BENCH_SEARCHES searches with varied terms (first and last names, full names, typos, phone
 *      digits, email fragments, no match), one at a time: p50 / p99;
 *   3. `contacts(first: 50)`: the first page against a page after BENCH_DEEP_ROWS rows (the
 *      cursor is reached by walking the list), BENCH_PAGE_SAMPLES times each: p50 / p99.
 * Prints each figure beside its target (import < 30 s and RSS < 512 MB, search p99 < 50 ms, a deep
 * page as fast as the first).
 */
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { z } from 'zod';
import { loadConfig } from '@switchboard/config';
import { registerUser, startTestSystem, type TestSystem } from '@switchboard/testkit';

const config = loadConfig(
  z.object({
    BENCH_ROWS: z.coerce.number().int().min(1_000).max(100_000).default(100_000),
    BENCH_SEARCHES: z.coerce.number().int().positive().default(300),
    BENCH_PAGE_SAMPLES: z.coerce.number().int().positive().default(100),
    BENCH_DEEP_ROWS: z.coerce.number().int().positive().default(90_000),
  }),
);

const print = (line: string) => process.stdout.write(`${line}\n`);

const FIRST_NAMES = [
  'Olivia', 'Liam', 'Emma', 'Noah', 'Amelia', 'Oliver', 'Sophia', 'Elijah', 'Charlotte', 'James', 'Ava', 'William',
  'Isabella', 'Benjamin', 'Mia', 'Lucas', 'Evelyn', 'Henry', 'Harper', 'Theodore', 'Luna', 'Jack', 'Camila', 'Levi',
  'Gianna', 'Alexander', 'Elizabeth', 'Jackson', 'Eleanor', 'Mateo', 'Ella', 'Daniel', 'Abigail', 'Michael', 'Sofia',
  'Mason', 'Avery', 'Sebastian', 'Scarlett', 'Ethan', 'Emily', 'Logan', 'Aria', 'Owen', 'Penelope', 'Samuel', 'Chloe',
  'Jacob', 'Layla', 'Asher', 'Mila', 'Aiden', 'Nora', 'John', 'Hazel', 'Joseph', 'Madison', 'Wyatt', 'Ellie', 'David',
  'Jonathan', 'Margaret', 'Zoë', 'Émile', 'José', 'Søren', 'Siobhan', 'Aoife', 'Priya', 'Wei',
];
const LAST_NAMES = [
  'Smith', 'Johnson', 'Williams', 'Brown', 'Jones', 'Garcia', 'Miller', 'Davis', 'Rodriguez', 'Martinez', 'Hernandez',
  'Lopez', 'Gonzalez', 'Wilson', 'Anderson', 'Thomas', 'Taylor', 'Moore', 'Jackson', 'Martin', 'Lee', 'Perez', 'Thompson',
  'White', 'Harris', 'Sanchez', 'Clark', 'Ramirez', 'Lewis', 'Robinson', 'Walker', 'Young', 'Allen', 'King', 'Wright',
  'Scott', 'Torres', 'Nguyen', 'Hill', 'Flores', 'Green', 'Adams', 'Nelson', 'Baker', 'Hall', 'Rivera', 'Campbell',
  'Mitchell', 'Carter', 'Roberts', "O'Brien", 'Müller', 'Kowalski', 'Okafor', 'Tanaka', 'Haddad', 'Novak', 'Rossi',
];
const DOMAINS = ['gmail.com', 'outlook.com', 'yahoo.com', 'acme.io', 'example.org', 'fastmail.fm', 'proton.me'];
const AREA_CODES = ['202', '212', '312', '415', '617', '713', '305', '206'];
const TAGS = ['lead', 'customer', 'vip', 'newsletter', 'churned', 'partner'];

/** mulberry32: a small seeded PRNG, so every run imports the same contacts. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const pick = <T>(next: () => number, list: readonly T[]): T => list[Math.floor(next() * list.length)]!;

function contactRow(i: number, next: () => number): string {
  const first = pick(next, FIRST_NAMES);
  const last = pick(next, LAST_NAMES);
  // Unique per row: the area code cycles, the local number counts up.
  const area = AREA_CODES[i % AREA_CODES.length]!;
  const phone = `+1${area}${String(2_000_000 + Math.floor(i / AREA_CODES.length)).padStart(7, '0')}`;
  const local = `${first}.${last}`.normalize('NFKD').replace(/\p{M}+/gu, '').replace(/[^A-Za-z.]/g, '').toLowerCase();
  const email = `${local}${i}@${pick(next, DOMAINS)}`;
  const tags = `${pick(next, TAGS)};${pick(next, TAGS)}`;
  return `${first} ${last},${phone},${email},${tags},${1 + Math.floor(next() * 500)}`;
}

/** The CSV as pieces of 1,000 lines: the bench never holds one 7 MB string plus a 100,000-line array. */
function generateCsv(rows: number): string[] {
  const next = random(42);
  const pieces = ['name,phone,email,tags,account\n'];
  for (let start = 0; start < rows; start += 1_000) {
    const lines: string[] = [];
    for (let i = start; i < Math.min(rows, start + 1_000); i++) lines.push(contactRow(i, next));
    pieces.push(`${lines.join('\n')}\n`);
  }
  return pieces;
}

/**
 * POSTs `importContacts(input: { csv })` to the gateway, streaming the JSON body piece by piece
 * (each CSV piece JSON-escaped as it is written), as a lean client would upload a file.
 */
function postImport(gatewayUrl: string, token: string, pieces: readonly string[]): Promise<{ status: number; body: string }> {
  const target = new URL(gatewayUrl);
  const query = 'mutation($csv: String) { importContacts(input: { csv: $csv }) { id status totalRows } }';
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        hostname: target.hostname,
        port: target.port,
        path: target.pathname,
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    void (async () => {
      const write = (text: string) => (req.write(text) ? Promise.resolve() : new Promise<void>((done) => req.once('drain', done)));
      await write(`{"query":${JSON.stringify(query)},"variables":{"csv":"`);
      for (const piece of pieces) await write(JSON.stringify(piece).slice(1, -1));
      req.end('"}}');
    })().catch(reject);
  });
}

const SEARCH_TERMS = [
  'olivia', 'martinez', 'Olivia Martinez', 'james smith', 'JOHNSON', 'okafor', 'tanaka', 'müller', 'muller', 'zoe', 'emile',
  'jonathon', 'margret', 'willaims', 'rodriguez', 'nguyen', 'sofia', 'siobhan', 'lee', 'king',
  '212200', '415 200 01', '+1617200', '(305) 200-1', '2020200', '7132000',
  'gmail', '@acme.io', 'olivia.martinez', 'proton.me', 'fastmail', 'smith12', 'harper.garcia', 'outlook.com',
  'zzqx', 'no such person', 'x', 'ab', 'liam', 'noah w', 'charlotte bro', 'evelyn h',
];

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

function summary(latencies: number[]): { p50: number; p99: number; max: number } {
  const sorted = [...latencies].sort((a, b) => a - b);
  return { p50: percentile(sorted, 50), p99: percentile(sorted, 99), max: sorted[sorted.length - 1] ?? NaN };
}

const ms = (value: number) => `${value.toFixed(1)} ms`;
const verdict = (ok: boolean) => (ok ? 'ok  ' : 'MISS');

async function main(): Promise<void> {
  print(`bench:contacts — ${config.BENCH_ROWS.toLocaleString('en')} contacts, through the gateway (whole system in this process)`);
  const system: TestSystem = await startTestSystem({ env: { MAX_BODY_BYTES: String(32 * 1024 * 1024) }, logLevel: 'warn' });
  try {
    const owner = await registerUser(system, { organizationName: 'Bench Contacts' });
    const call = async (query: string, variables?: Record<string, unknown>) => {
      const result = await system.graphql(query, variables, { token: owner.accessToken });
      if (result.status !== 200 || result.errors) throw new Error(`HTTP ${result.status}: ${JSON.stringify(result.errors).slice(0, 500)}`);
      return result.data;
    };

    const baselineRssMb = process.memoryUsage().rss / 1024 / 1024;

    // 1. Import
    const peaks = { heapUsed: 0, heapTotal: 0, external: 0, arrayBuffers: 0 };
    const sampler = setInterval(() => {
      const usage = process.memoryUsage();
      for (const key of Object.keys(peaks) as (keyof typeof peaks)[]) peaks[key] = Math.max(peaks[key], usage[key] / 1024 / 1024);
    }, 50);
    let csv: string[] | null = generateCsv(config.BENCH_ROWS);
    const csvBytes = csv.reduce((total, piece) => total + Buffer.byteLength(piece), 0);
    const importStarted = performance.now();
    const response = await postImport(system.gatewayUrl, owner.accessToken, csv);
    csv = null;
    const accepted = performance.now() - importStarted;
    print(`DEBUG at accept ${JSON.stringify({ ...process.memoryUsage(), maxRSS: process.resourceUsage().maxRSS * 1024 }, (_k, v) => (typeof v === 'number' ? Math.round(v / 1048576) : v))}`);
    const answer = JSON.parse(response.body) as { data?: { importContacts?: { id: string } }; errors?: unknown };
    const job = answer.data?.importContacts;
    if (response.status !== 200 || !job) throw new Error(`importContacts: HTTP ${response.status} ${response.body.slice(0, 500)}`);
    let finished: { status: string; processedRows: number; createdCount: number; failedCount: number; failureReason: string | null; errors: unknown[] };
    for (;;) {
      finished = (
        await call(`query($id: ID!) { importJob(id: $id) { status processedRows createdCount failedCount failureReason errors { row reason } } }`, {
          id: job.id,
        })
      ).importJob;
      if (finished.status === 'COMPLETED' || finished.status === 'FAILED') break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const importSeconds = (performance.now() - importStarted) / 1000;
    const peakRssMb = process.resourceUsage().maxRSS / 1024;
    clearInterval(sampler);
    print(`DEBUG peaks ${JSON.stringify(peaks)}`);
    if (finished.status !== 'COMPLETED' || finished.createdCount !== config.BENCH_ROWS) {
      throw new Error(`import ended ${finished.status}: ${JSON.stringify(finished).slice(0, 500)}`);
    }
    print('');
    print(`import      ${(csvBytes / 1024 / 1024).toFixed(1)} MB CSV, ${finished.createdCount.toLocaleString('en')} created, ${finished.failedCount} failed`);
    print(`  ${verdict(importSeconds < 30)} total ${importSeconds.toFixed(1)} s (target < 30 s) — ${Math.round(finished.processedRows / importSeconds).toLocaleString('en')} rows/s; mutation answered in ${ms(accepted)}`);
    print(`  ${verdict(peakRssMb < 512)} peak RSS ${peakRssMb.toFixed(0)} MB (target < 512 MB; the whole process — ${baselineRssMb.toFixed(0)} MB before the import)`);

    // 2. Search
    const SEARCH = `query($search: String) { contacts(filter: { search: $search }, first: 20) { edges { node { id name phone email } } } }`;
    for (const search of SEARCH_TERMS.slice(0, 10)) await call(SEARCH, { search }); // warm-up
    const searchLatencies: number[] = [];
    const perTerm = new Map<string, { hits: number; worst: number }>();
    for (let i = 0; i < config.BENCH_SEARCHES; i++) {
      const search = SEARCH_TERMS[i % SEARCH_TERMS.length]!;
      const t0 = performance.now();
      const data = await call(SEARCH, { search });
      const elapsed = performance.now() - t0;
      searchLatencies.push(elapsed);
      const entry = perTerm.get(search) ?? { hits: data.contacts.edges.length, worst: 0 };
      entry.worst = Math.max(entry.worst, elapsed);
      perTerm.set(search, entry);
    }
    const search = summary(searchLatencies);
    const slowest = [...perTerm.entries()].sort((a, b) => b[1].worst - a[1].worst).slice(0, 3);
    print('');
    print(`search      ${config.BENCH_SEARCHES} searches over ${SEARCH_TERMS.length} terms (first: 20), one at a time`);
    print(`  ${verdict(search.p99 < 50)} p50 ${ms(search.p50)}, p99 ${ms(search.p99)} (target p99 < 50 ms), max ${ms(search.max)}`);
    print(`       slowest terms: ${slowest.map(([term, s]) => `"${term}" ${ms(s.worst)} (${s.hits} hits)`).join(', ')}`);

    // 3. First page against a deep page
    const PAGE = `query($after: String) { contacts(first: 50, after: $after) { edges { cursor node { id name phone email tags } } pageInfo { hasNextPage endCursor } } }`;
    const WALK = `query($after: String) { contacts(first: 200, after: $after) { pageInfo { hasNextPage endCursor } } }`;
    let deepCursor: string | null = null;
    for (let walked = 0; walked < Math.min(config.BENCH_DEEP_ROWS, config.BENCH_ROWS - 50); walked += 200) {
      deepCursor = (await call(WALK, { after: deepCursor })).contacts.pageInfo.endCursor;
    }
    const sample = async (after: string | null) => {
      const latencies: number[] = [];
      for (let i = 0; i < config.BENCH_PAGE_SAMPLES; i++) {
        const t0 = performance.now();
        const data = await call(PAGE, { after });
        latencies.push(performance.now() - t0);
        if (data.contacts.edges.length !== 50) throw new Error('a page came back short');
      }
      return summary(latencies);
    };
    await sample(null); // warm-up
    const first = await sample(null);
    const deep = await sample(deepCursor);
    print('');
    print(`pages       contacts(first: 50), ${config.BENCH_PAGE_SAMPLES} requests each, one at a time`);
    print(`       first page            p50 ${ms(first.p50)}, p99 ${ms(first.p99)}`);
    print(`  ${verdict(deep.p50 <= first.p50 * 1.5 + 1)} after ${config.BENCH_DEEP_ROWS.toLocaleString('en')} rows   p50 ${ms(deep.p50)}, p99 ${ms(deep.p99)} (target: as fast as the first)`);
  } finally {
    await system.close();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
