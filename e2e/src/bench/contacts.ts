/**
 * `npm run bench:contacts`: the contact subgraph at 100,000 contacts. By default through the
 * gateway: the whole system in this process (`startTestSystem`: fresh database, seven subgraphs,
 * gateway; MAX_BODY_BYTES raised so a ~7 MB CSV fits), a registered user (OWNER of a new
 * organization). BENCH_TARGET=subgraph runs the contact subgraph alone instead (fresh database,
 * its own HTTP server, a signed caller header — what the gateway sends), so the memory figure is
 * that of a contact service process. It measures
 *   1. importing a generated CSV of BENCH_ROWS contacts (valid phone numbers, emails, tags and an
 *      attribute), uploaded as a streamed request body: the mutation's answer time, rows/s until
 *      the job is COMPLETED, and the peak RSS of this process (`process.resourceUsage().maxRSS`);
 *   2. BENCH_SEARCHES searches with varied terms (first and last names, full names, typos, phone
 *      digits, email fragments, no match), one at a time: p50 / p99;
 *   3. `contacts(first: 50)`: the first page against a page after BENCH_DEEP_ROWS rows (the
 *      cursor is reached by walking the list), BENCH_PAGE_SAMPLES times each: p50 / p99.
 * Prints each figure beside its target (import < 30 s and RSS < 512 MB, search p99 < 50 ms, a deep
 * page as fast as the first).
 */
import http from 'node:http';
import { randomBytes, randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { Redis } from 'ioredis';
import { z } from 'zod';
import { CALLER_HEADER, signCaller } from '@switchboard/auth';
import { createLogger, env, loadConfig } from '@switchboard/config';
import { contactSubgraph } from '@switchboard/subgraph-contact';
import { startSubgraphServer } from '@switchboard/subgraph-kit';
import { createTestDatabase, registerUser, startTestSystem } from '@switchboard/testkit';

const config = loadConfig(
  z.object({
    REDIS_URL: env.redisUrl,
    BENCH_TARGET: z.enum(['gateway', 'subgraph']).default('gateway'),
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

/** Where the bench sends its GraphQL requests. */
interface Target {
  description: string;
  url: string;
  /** Headers of one request (auth). */
  headers(): Record<string, string>;
  close(): Promise<void>;
}

async function gatewayTarget(): Promise<Target> {
  const system = await startTestSystem({ env: { MAX_BODY_BYTES: String(32 * 1024 * 1024) }, logLevel: 'warn' });
  const owner = await registerUser(system, { organizationName: 'Bench Contacts' });
  return {
    description: 'through the gateway (the whole system in this process)',
    url: system.gatewayUrl,
    headers: () => ({ authorization: `Bearer ${owner.accessToken}` }),
    close: () => system.close(),
  };
}

async function subgraphTarget(): Promise<Target> {
  const database = await createTestDatabase({ prefix: 'bench_contacts' });
  const prefix = `sbt:bench:${randomBytes(6).toString('hex')}:`;
  const redis = new Redis(config.REDIS_URL, { keyPrefix: prefix });
  const log = createLogger('bench-contacts', 'warn');
  const internalSecret = randomBytes(32).toString('base64url');
  const definition = contactSubgraph({
    prisma: database.prisma,
    redis,
    log,
    settings: { jwtSecret: 'unused', accessTokenTtlSeconds: 900, refreshTokenTtlSeconds: 86_400, publicUrl: 'http://localhost' },
  });
  const server = await startSubgraphServer({ definition, port: 0, internalSecret, log });
  const caller = { kind: 'user' as const, userId: randomUUID(), organizationId: randomUUID(), role: 'OWNER' as const, sessionId: randomUUID(), tokenId: randomUUID(), clientIp: '127.0.0.1' };
  return {
    description: 'against the contact subgraph alone (this process: the bench and the subgraph)',
    url: server.url,
    headers: () => ({ [CALLER_HEADER]: signCaller({ ...caller, requestId: randomUUID() }, internalSecret) }),
    async close() {
      await definition.services.imports.drain();
      await server.close();
      const keys = await redis.keys(`${prefix}*`);
      if (keys.length > 0) await redis.del(...keys.map((key) => key.slice(prefix.length)));
      redis.disconnect();
      await database.drop();
    },
  };
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });

/** POSTs a JSON body, written piece by piece (a large upload is never one string here). */
function post(target: Target, pieces: Iterable<string>): Promise<{ status: number; body: string }> {
  const url = new URL(target.url);
  return new Promise((resolve, reject) => {
    const req = http.request(
      { agent, hostname: url.hostname, port: url.port, path: url.pathname, method: 'POST', headers: { 'content-type': 'application/json', ...target.headers() } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    void (async () => {
      for (const piece of pieces) {
        if (!req.write(piece)) await new Promise<void>((done) => req.once('drain', done));
      }
      req.end();
    })().catch(reject);
  });
}

/** Runs one operation; any error (HTTP or GraphQL) stops the bench. */
async function call(target: Target, query: string, variables?: Record<string, unknown>): Promise<GraphQLData> {
  const response = await post(target, [JSON.stringify({ query, variables })]);
  const body = JSON.parse(response.body) as { data?: GraphQLData; errors?: unknown };
  if (response.status !== 200 || body.errors || !body.data) throw new Error(`HTTP ${response.status}: ${response.body.slice(0, 500)}`);
  return body.data;
}

/** `importContacts(input: { csv })` with the CSV pieces JSON-escaped as they are written. */
function* importBody(pieces: readonly string[]): Generator<string> {
  const query = 'mutation($csv: String) { importContacts(input: { csv: $csv }) { id status totalRows } }';
  yield `{"query":${JSON.stringify(query)},"variables":{"csv":"`;
  for (const piece of pieces) yield JSON.stringify(piece).slice(1, -1);
  yield '"}}';
}

/** Response data, read ad hoc. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type GraphQLData = any;

async function main(): Promise<void> {
  const target = config.BENCH_TARGET === 'gateway' ? await gatewayTarget() : await subgraphTarget();
  print(`bench:contacts — ${config.BENCH_ROWS.toLocaleString('en')} contacts, ${target.description}`);
  try {
    const baselineRssMb = process.memoryUsage().rss / 1024 / 1024;

    // 1. Import
    let csv: string[] | null = generateCsv(config.BENCH_ROWS);
    const csvBytes = csv.reduce((total, piece) => total + Buffer.byteLength(piece), 0);
    const importStarted = performance.now();
    const response = await post(target, importBody(csv));
    csv = null;
    const accepted = performance.now() - importStarted;
    const acceptedRssMb = process.memoryUsage().rss / 1024 / 1024;
    const job = (JSON.parse(response.body) as { data?: { importContacts?: { id: string } } }).data?.importContacts;
    if (response.status !== 200 || !job) throw new Error(`importContacts: HTTP ${response.status} ${response.body.slice(0, 500)}`);
    let finished: GraphQLData;
    for (;;) {
      finished = (
        await call(target, `query($id: ID!) { importJob(id: $id) { status processedRows createdCount failedCount failureReason errors { row reason } } }`, {
          id: job.id,
        })
      ).importJob;
      if (finished.status === 'COMPLETED' || finished.status === 'FAILED') break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const importSeconds = (performance.now() - importStarted) / 1000;
    const peakRssMb = process.resourceUsage().maxRSS / 1024;
    if (finished.status !== 'COMPLETED' || finished.createdCount !== config.BENCH_ROWS) {
      throw new Error(`import ended ${finished.status}: ${JSON.stringify(finished).slice(0, 500)}`);
    }
    print('');
    print(`import      ${(csvBytes / 1024 / 1024).toFixed(1)} MB CSV, ${finished.createdCount.toLocaleString('en')} created, ${finished.failedCount} failed`);
    print(`  ${verdict(importSeconds < 30)} total ${importSeconds.toFixed(1)} s (target < 30 s) — ${Math.round(finished.processedRows / importSeconds).toLocaleString('en')} rows/s; mutation answered in ${ms(accepted)}`);
    print(`  ${verdict(peakRssMb < 512)} peak RSS ${peakRssMb.toFixed(0)} MB (target < 512 MB); ${baselineRssMb.toFixed(0)} MB before the import, ${acceptedRssMb.toFixed(0)} MB once the upload was accepted`);
    // 2. Search
    const SEARCH = `query($search: String) { contacts(filter: { search: $search }, first: 20) { edges { node { id name phone email } } } }`;
    for (const search of SEARCH_TERMS.slice(0, 10)) await call(target, SEARCH, { search }); // warm-up
    const searchLatencies: number[] = [];
    const perTerm = new Map<string, { hits: number; worst: number }>();
    for (let i = 0; i < config.BENCH_SEARCHES; i++) {
      const search = SEARCH_TERMS[i % SEARCH_TERMS.length]!;
      const t0 = performance.now();
      const data = await call(target, SEARCH, { search });
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
      deepCursor = (await call(target, WALK, { after: deepCursor })).contacts.pageInfo.endCursor;
    }
    const sample = async (after: string | null) => {
      const latencies: number[] = [];
      for (let i = 0; i < config.BENCH_PAGE_SAMPLES; i++) {
        const t0 = performance.now();
        const data = await call(target, PAGE, { after });
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
    await target.close();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
