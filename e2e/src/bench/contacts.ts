/**
 * `npm run bench:contacts`: the contact subgraph at 100,000 contacts, with the memory of the
 * system under test measured on its own. The system runs in a CHILD process (contacts-system.ts):
 * by default the whole system behind the gateway (`startTestSystem`: fresh database, gateway, seven
 * subgraphs, embedded broker, outbox relay, consumers), or with BENCH_TARGET=subgraph the contact
 * subgraph alone. This process is only the driver: it generates the CSV, sends requests, keeps the
 * latencies — and samples the child's memory from /proc/<pid>/status (VmRSS every 20 ms; VmHWM,
 * the kernel's peak, reset through /proc/<pid>/clear_refs just before the import). It measures
 *   1. importing a generated CSV of BENCH_ROWS contacts (valid phone numbers, emails, tags and an
 *      attribute): BENCH_UPLOAD=graphql sends it as the `importContacts` mutation's `csv` argument
 *      (through the gateway when it is the target), BENCH_UPLOAD=upload (default) as the raw body of
 *      the contact subgraph's `POST /uploads/contacts` (reached directly with the caller header the
 *      gateway would sign: the gateway does not proxy that route yet). Reported: the time until the
 *      job is COMPLETED (rows/s), and the child's RSS before the import, its peak during it, and
 *      the increment;
 *   2. with the whole system, how long the outbox relay takes to publish the import's 100,000
 *      contact.changed events (and messaging's projection to take them in), before measuring on;
 *   3. BENCH_SEARCHES searches with varied terms (first and last names, full names, typos, phone
 *      digits, email fragments, no match), one at a time: p50 / p99;
 *   4. `contacts(first: 50)`: the first page against a page after BENCH_DEEP_ROWS rows (the
 *      cursor is reached by walking the list), BENCH_PAGE_SAMPLES times each: p50 / p99.
 * Prints each figure beside its target (import < 30 s with the importing process under 512 MB,
 * search p99 < 50 ms, a deep page as fast as the first).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { z } from 'zod';
import { CALLER_HEADER, signCaller } from '@switchboard/auth';
import { loadConfig } from '@switchboard/config';
import type { BenchCaller, ParentMessage, SystemMessage } from './contacts-system';

const config = loadConfig(
  z.object({
    BENCH_TARGET: z.enum(['gateway', 'subgraph']).default('gateway'),
    BENCH_UPLOAD: z.enum(['upload', 'graphql']).default('upload'),
    BENCH_ROWS: z.coerce.number().int().min(1_000).max(100_000).default(100_000),
    BENCH_SEARCHES: z.coerce.number().int().positive().default(300),
    BENCH_PAGE_SAMPLES: z.coerce.number().int().positive().default(100),
    BENCH_DEEP_ROWS: z.coerce.number().int().positive().default(90_000),
    /** Node flags of the system process (e.g. `--optimize-for-size`, `--max-old-space-size=256`); none by default. */
    BENCH_SYSTEM_NODE_FLAGS: z.string().default(''),
    /** Longest wait for the outbox relay to publish the import's events (whole system only). */
    BENCH_DRAIN_TIMEOUT_S: z.coerce.number().int().positive().default(600),
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

/** Where the bench sends its requests (from the child's `ready`). */
type Ready = Extract<SystemMessage, { type: 'ready' }>;

// ---------------------------------------------------------------------------------------------
// The system under test, in a child process

class SystemProcess {
  private readonly waiting: ((message: SystemMessage) => void)[] = [];

  private constructor(readonly child: ChildProcess) {
    child.on('message', (message: SystemMessage) => this.waiting.shift()?.(message));
  }

  static async start(): Promise<{ system: SystemProcess; ready: Ready }> {
    const child = fork(join(__dirname, 'contacts-system.js'), [], {
      execArgv: config.BENCH_SYSTEM_NODE_FLAGS.split(/\s+/).filter(Boolean),
      env: { ...process.env, BENCH_TARGET: config.BENCH_TARGET },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const system = new SystemProcess(child);
    const exited = new Promise<never>((_, reject) => child.once('exit', (code) => reject(new Error(`the system process exited (${code})`))));
    const ready = await Promise.race([system.next(), exited]);
    if (ready.type !== 'ready') throw new Error(`unexpected message ${ready.type}`);
    return { system, ready };
  }

  get pid(): number {
    return this.child.pid!;
  }

  next(): Promise<SystemMessage> {
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  async ask(message: ParentMessage): Promise<SystemMessage> {
    const answer = this.next();
    this.child.send(message);
    return answer;
  }

  async close(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.send({ type: 'close' } satisfies ParentMessage);
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 60_000);
    await exited;
    clearTimeout(timer);
  }
}

// ---------------------------------------------------------------------------------------------
// Memory of a process, from /proc/<pid>/status (kB)

function memoryOf(pid: number): { rssMb: number; hwmMb: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { rssMb: kb('VmRSS') / 1024, hwmMb: kb('VmHWM') / 1024 };
}

/** Resets the kernel's peak RSS (VmHWM) of a process of this user; false where not allowed. */
function resetPeak(pid: number): boolean {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

/** Samples a process's VmRSS every `intervalMs` and keeps the highest. */
function sampleRss(pid: number, intervalMs = 20): { stop(): number } {
  let max = memoryOf(pid).rssMb;
  const timer = setInterval(() => {
    try {
      max = Math.max(max, memoryOf(pid).rssMb);
    } catch {
      // the process is gone
    }
  }, intervalMs);
  return {
    stop() {
      clearInterval(timer);
      return max;
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Requests

const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });

function signed(secret: string, caller: BenchCaller): Record<string, string> {
  return { [CALLER_HEADER]: signCaller({ ...caller, requestId: randomUUID() }, secret) };
}

function authHeaders(ready: Ready): Record<string, string> {
  return ready.auth.kind === 'bearer' ? { authorization: `Bearer ${ready.auth.token}` } : signed(ready.auth.secret, ready.auth.caller);
}

/** POSTs a body written piece by piece (a large upload is never one string here). */
function post(url: string, headers: Record<string, string>, pieces: Iterable<string>): Promise<{ status: number; body: string }> {
  const target = new URL(url);
  return new Promise((resolve, reject) => {
    const req = http.request(
      { agent, hostname: target.hostname, port: target.port, path: `${target.pathname}${target.search}`, method: 'POST', headers },
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

/** Response data, read ad hoc. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type GraphQLData = any;

/** Runs one operation; any error (HTTP or GraphQL) stops the bench. */
async function call(ready: Ready, query: string, variables?: Record<string, unknown>): Promise<GraphQLData> {
  const response = await post(ready.graphqlUrl, { 'content-type': 'application/json', ...authHeaders(ready) }, [JSON.stringify({ query, variables })]);
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

/** Starts the import the configured way; returns the job id. */
async function startImport(ready: Ready, pieces: readonly string[]): Promise<string> {
  if (config.BENCH_UPLOAD === 'upload') {
    const response = await post(ready.upload.url, { 'content-type': 'text/csv; charset=utf-8', ...signed(ready.upload.secret, ready.upload.caller) }, pieces);
    const job = (JSON.parse(response.body) as { importJob?: { id: string } }).importJob;
    if (response.status !== 202 || !job) throw new Error(`upload: HTTP ${response.status} ${response.body.slice(0, 500)}`);
    return job.id;
  }
  const response = await post(ready.graphqlUrl, { 'content-type': 'application/json', ...authHeaders(ready) }, importBody(pieces));
  const job = (JSON.parse(response.body) as { data?: { importContacts?: { id: string } } }).data?.importContacts;
  if (response.status !== 200 || !job) throw new Error(`importContacts: HTTP ${response.status} ${response.body.slice(0, 500)}`);
  return job.id;
}

const mb = (value: number) => `${value.toFixed(0)} MB`;

async function main(): Promise<void> {
  const { system, ready } = await SystemProcess.start();
  const how = config.BENCH_UPLOAD === 'upload' ? 'POST /uploads/contacts (raw CSV body)' : `the importContacts mutation (csv argument${ready.auth.kind === 'bearer' ? ', through the gateway' : ''})`;
  print(`bench:contacts — ${config.BENCH_ROWS.toLocaleString('en')} contacts, ${ready.description}; import via ${how}`);
  print(`system process: node ${config.BENCH_SYSTEM_NODE_FLAGS || '(default V8 flags)'}`);
  try {
    // 1. Import
    let csv: string[] | null = generateCsv(config.BENCH_ROWS);
    const csvBytes = csv.reduce((total, piece) => total + Buffer.byteLength(piece), 0);
    await new Promise((resolve) => setTimeout(resolve, 2_000)); // let the started system settle
    const baseline = memoryOf(system.pid);
    const peakReset = resetPeak(system.pid);
    const sampler = sampleRss(system.pid);
    const importStarted = performance.now();
    const jobId = await startImport(ready, csv);
    csv = null;
    const accepted = performance.now() - importStarted;
    const acceptedRss = memoryOf(system.pid).rssMb;
    let finished: GraphQLData;
    for (;;) {
      finished = (
        await call(ready, `query($id: ID!) { importJob(id: $id) { status processedRows createdCount failedCount failureReason errors { row reason } } }`, { id: jobId })
      ).importJob;
      if (finished.status === 'COMPLETED' || finished.status === 'FAILED') break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const importSeconds = (performance.now() - importStarted) / 1000;
    const sampledPeak = sampler.stop();
    const after = memoryOf(system.pid);
    const peakMb = peakReset ? Math.max(after.hwmMb, sampledPeak) : sampledPeak;
    if (finished.status !== 'COMPLETED' || finished.createdCount !== config.BENCH_ROWS) {
      throw new Error(`import ended ${finished.status}: ${JSON.stringify(finished).slice(0, 500)}`);
    }
    const driverPeak = process.resourceUsage().maxRSS / 1024;
    print('');
    print(`import      ${(csvBytes / 1024 / 1024).toFixed(1)} MB CSV, ${finished.createdCount.toLocaleString('en')} created, ${finished.failedCount} failed`);
    print(`  ${verdict(importSeconds < 30)} total ${importSeconds.toFixed(1)} s (target < 30 s) — ${Math.round(finished.processedRows / importSeconds).toLocaleString('en')} rows/s; accepted in ${ms(accepted)}`);
    print(`  ${verdict(peakMb < 512)} system process (pid ${system.pid}) RSS: ${mb(baseline.rssMb)} before the import, peak ${mb(peakMb)} during it (target < 512 MB), increment ${mb(peakMb - baseline.rssMb)}`);
    print(`       (${peakReset ? 'peak = VmHWM reset just before the import' : 'VmHWM could not be reset: peak = highest 20 ms sample'}; highest sample ${mb(sampledPeak)}; ${mb(acceptedRss)} once the upload was accepted, ${mb(after.rssMb)} at the end)`);
    print(`       bench driver (this process, generating and sending the CSV): peak RSS ${mb(driverPeak)}`);

    // 2. The outbox relay publishing the import's events (whole system only)
    if (ready.relays) {
      const drainStarted = performance.now();
      resetPeak(system.pid);
      const drainSampler = sampleRss(system.pid, 100);
      let counts: Extract<SystemMessage, { type: 'outbox' }>;
      for (;;) {
        counts = (await system.ask({ type: 'outbox' })) as typeof counts;
        if (counts.unpublished === 0 || (performance.now() - drainStarted) / 1000 > config.BENCH_DRAIN_TIMEOUT_S) break;
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
      const drainSeconds = (performance.now() - drainStarted) / 1000;
      const drainPeak = Math.max(memoryOf(system.pid).hwmMb, drainSampler.stop());
      print('');
      print(
        `events      ${counts.total.toLocaleString('en')} contact.changed in the outbox; ${counts.unpublished === 0 ? 'all published' : `${counts.unpublished.toLocaleString('en')} still unpublished`} ${drainSeconds.toFixed(1)} s after the import completed`,
      );
      print(`       system process peak RSS meanwhile: ${mb(drainPeak)}`);
      if (counts.projected !== null) {
        const elapsed = (performance.now() - importStarted) / 1000;
        print(
          `       messaging's contact projection (its consumer of contact.changed, same process) holds ${counts.projected.toLocaleString('en')} contacts ${elapsed.toFixed(0)} s after the import started (~${Math.round(counts.projected / elapsed)}/s); it keeps consuming while the rest is measured`,
        );
      }
    }

    // 3. Search
    const SEARCH = `query($search: String) { contacts(filter: { search: $search }, first: 20) { edges { node { id name phone email } } } }`;
    for (const search of SEARCH_TERMS.slice(0, 10)) await call(ready, SEARCH, { search }); // warm-up
    const searchLatencies: number[] = [];
    const perTerm = new Map<string, { hits: number; worst: number }>();
    for (let i = 0; i < config.BENCH_SEARCHES; i++) {
      const search = SEARCH_TERMS[i % SEARCH_TERMS.length]!;
      const t0 = performance.now();
      const data = await call(ready, SEARCH, { search });
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

    // 4. First page against a deep page
    const PAGE = `query($after: String) { contacts(first: 50, after: $after) { edges { cursor node { id name phone email tags } } pageInfo { hasNextPage endCursor } } }`;
    const WALK = `query($after: String) { contacts(first: 200, after: $after) { pageInfo { hasNextPage endCursor } } }`;
    let deepCursor: string | null = null;
    for (let walked = 0; walked < Math.min(config.BENCH_DEEP_ROWS, config.BENCH_ROWS - 50); walked += 200) {
      deepCursor = (await call(ready, WALK, { after: deepCursor })).contacts.pageInfo.endCursor;
    }
    const sample = async (after: string | null) => {
      const latencies: number[] = [];
      for (let i = 0; i < config.BENCH_PAGE_SAMPLES; i++) {
        const t0 = performance.now();
        const data = await call(ready, PAGE, { after });
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
    print('');
    print(`system process: ${mb(memoryOf(system.pid).rssMb)} RSS at the end of the bench`);
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
