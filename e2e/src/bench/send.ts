/**
 * `npm run bench:send`: the send path end to end, through the gateway, each part in its own process
 * (the production shape, as in docker-compose.yml):
 *   - `broker`:    the embedded Kafka-protocol broker (`packages/kafka-broker/dist/cli.js`);
 *   - `gateway`:   the launcher (`packages/launcher/dist/main.js`) with the gateway and six subgraphs;
 *   - `messaging`: the launcher with the messaging subgraph (mutations, provider webhooks);
 *   - `pipeline`:  the launcher with SERVICES=outbox-relay,consumers;
 *   - `workers`:   the channel-delivery workers (`workers/channel-delivery/dist/main.js`), senders
 *                  read from messaging's table;
 *   - `stand-ins`: the provider stand-ins (`packages/provider-stand-ins/dist/cli.js`), Twilio's
 *                  status callbacks sent at once (no delay), signed, to messaging's /webhooks
 *                  (BENCH_WEBHOOKS=gateway: through the gateway's proxy instead).
 * This process registers a user, creates SMS senders, subscribes to `messageStatusChanged` over
 * graphql-ws, and sends `sendMessage` mutations over HTTP:
 *   1. a warm-up of BENCH_WARMUP_MESSAGES (10,000): the figures are for processes that have been
 *      running, and V8 goes on compiling hot paths for the first tens of thousands of messages (its
 *      compiler threads took 9% of the machine's CPU in the measured phase after a warm-up of 300
 *      messages, 6% after 3,000, 3% after 10,000);
 *   2. BENCH_MESSAGES (10,000) SMS with BENCH_CONCURRENCY (64) mutations in flight: sustained
 *      messages per second from the first mutation to the last DELIVERED, and latencies under load;
 *   3. BENCH_PACED_SECONDS (20) at each of BENCH_PACED_RATES (100 and 10) messages per second:
 *      latencies at a fixed rate (100/s is the target; 10/s is one this machine sustains).
 * Latencies: mutation → provider request (the stand-in's request log), mutation → subscriber
 * notified of DELIVERED, status change (its `occurredAt`) → subscriber notified, and the stages of
 * the first and the last from the outbox's timestamps. Peak RSS (VmHWM) and CPU seconds of each
 * process. A fresh database (dropped at the end) and Redis key prefix. Run it through npm (`npm run
 * bench:send`): the children use the same Node as this process, the project's Node 24 under npm.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, readFileSync, readdirSync, mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createClient, type Client } from 'graphql-ws';
import { Redis } from 'ioredis';
import WebSocket from 'ws';
import { z } from 'zod';
import { env, loadConfig } from '@switchboard/config';
import { DEV_CREDENTIALS } from '@switchboard/provider-stand-ins';
import { createTestDatabase, registerUser, type TestDatabase } from '@switchboard/testkit';
import { percentile as percentileOfSorted } from './closed-loop';

const config = loadConfig(
  z.object({
    BENCH_MESSAGES: z.coerce.number().int().positive().default(10_000),
    BENCH_CONCURRENCY: z.coerce.number().int().positive().default(64),
    /** Paced phases, one per rate (messages per second): the target's 100, and one the pipeline sustains here. */
    BENCH_PACED_RATES: z
      .string()
      .default('100,10')
      .transform((value) => value.split(',').map((rate) => Number(rate.trim())).filter((rate) => rate > 0)),
    BENCH_PACED_SECONDS: z.coerce.number().positive().default(20),
    BENCH_WARMUP_MESSAGES: z.coerce.number().int().min(0).default(10_000),
    /** SMS senders the messages are spread over (each limited to 1,000/s, the API's maximum). */
    BENCH_SENDERS: z.coerce.number().int().positive().default(4),
    REDIS_URL: z.string().default('redis://127.0.0.1:6379'),
    /** Extra environment for the system process (`KEY=value,KEY=value`), to try settings. */
    BENCH_SYSTEM_ENV: z.string().default(''),
    BENCH_PIPELINE_ENV: z.string().default(''),
    BENCH_MESSAGING_ENV: z.string().default(''),
    BENCH_WORKER_ENV: z.string().default(''),
    /**
     * Keeps the benchmark's database, renamed `bench_send_<time>` (its URL is printed), to inspect
     * plans and counters after the run; test runs' sweep of stale test databases leaves it alone.
     */
    BENCH_KEEP_DATABASE: env.boolean.default(false),
    /**
     * Where providers post webhooks: `messaging` (the messaging subgraph's own host, as a deployment
     * that routes `/webhooks/*` straight to it) or `gateway` (through the gateway's proxy).
     */
    BENCH_WEBHOOKS: z.enum(['messaging', 'gateway']).default('messaging'),
    /** Writes a V8 CPU profile of each child process here (`--cpu-prof`), for finding bottlenecks. */
    BENCH_PROFILE_DIR: z.string().optional(),
    /**
     * A Twilio stand-in behaviour rule (JSON) for every send of the run, to measure what a part of the
     * provider's traffic costs: `{"callbacks":{"skip":["sending","sent"]}}` posts only the final
     * status callback. See the stand-ins' README for rules.
     */
    BENCH_TWILIO_RULE: z
      .string()
      .optional()
      .transform((value) => (value ? (JSON.parse(value) as Record<string, unknown>) : undefined)),
    /** Node flags for every child process (space-separated, e.g. `--trace-gc`). */
    BENCH_NODE_FLAGS: z.string().default(''),
    /** Also writes each child process's output to `<dir>/<name>.log` (with BENCH_NODE_FLAGS=--trace-gc, say). */
    BENCH_LOG_DIR: z.string().optional(),
  }),
);

const ROOT = resolve(__dirname, '..', '..', '..');
const print = (line: string) => process.stdout.write(`${line}\n`);
const note = (line: string) => process.stderr.write(`${line}\n`);
const pause = (ms: number) => new Promise((done) => setTimeout(done, ms));

// ---------------------------------------------------------------------------------------------
// Processes

interface Proc {
  name: string;
  child: ChildProcess;
  output: string[];
}

function parseEnv(text: string): Record<string, string> {
  return Object.fromEntries(
    text
      .split(',')
      .map((pair) => pair.trim())
      .filter(Boolean)
      .map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)]),
  );
}

function start(name: string, script: string, args: string[], env: Record<string, string>): Proc {
  const profile = config.BENCH_PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${resolve(config.BENCH_PROFILE_DIR)}`, `--cpu-prof-name=${name}.cpuprofile`] : [];
  const flags = config.BENCH_NODE_FLAGS.split(' ').filter(Boolean);
  const child = spawn(process.execPath, [...flags, ...profile, join(ROOT, script), ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  running.push({ name, child, output });
  const logFile = config.BENCH_LOG_DIR ? createWriteStream(join(resolve(config.BENCH_LOG_DIR), `${name}.log`)) : undefined;
  const keep = (chunk: Buffer) => {
    logFile?.write(chunk);
    output.push(chunk.toString());
    if (output.length > 200) output.shift();
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  child.once('exit', (code, signal) => {
    if (!stopping) note(`[${name}] exited (${code ?? signal}) unexpectedly:\n${output.join('').slice(-3000)}`);
  });
  return { name, child, output };
}

let stopping = false;
/** Every child started, for Ctrl-C. */
const running: Proc[] = [];

async function stop(proc: Proc): Promise<void> {
  if (proc.child.exitCode !== null || proc.child.signalCode !== null) return;
  const exited = new Promise((done) => proc.child.once('exit', done));
  proc.child.kill('SIGTERM');
  const timer = setTimeout(() => proc.child.kill('SIGKILL'), 15_000);
  await exited;
  clearTimeout(timer);
}

/** Peak resident set (VmHWM) and CPU seconds (user + system) of a process, from /proc. */
function usage(pid: number | undefined): { peakRssMb: number; cpuSeconds: number } {
  if (!pid) return { peakRssMb: NaN, cpuSeconds: NaN };
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const hwm = Number(/VmHWM:\s+(\d+) kB/u.exec(status)?.[1] ?? NaN);
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    return { peakRssMb: hwm / 1024, cpuSeconds: ticks / 100 };
  } catch {
    return { peakRssMb: NaN, cpuSeconds: NaN };
  }
}

/** System calls (reads + writes) and context switches (voluntary + involuntary) of a process, from /proc. */
function kernelWork(pid: number | undefined): { syscalls: number; switches: number } {
  if (!pid) return { syscalls: NaN, switches: NaN };
  try {
    const io = readFileSync(`/proc/${pid}/io`, 'utf8');
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const field = (text: string, name: string) => Number(new RegExp(`${name}:\\s+(\\d+)`, 'u').exec(text)?.[1] ?? NaN);
    return {
      syscalls: field(io, 'syscr') + field(io, 'syscw'),
      switches: field(status, 'voluntary_ctxt_switches') + field(status, 'nonvoluntary_ctxt_switches'),
    };
  } catch {
    return { syscalls: NaN, switches: NaN };
  }
}

/**
 * CPU seconds of every PostgreSQL server process on this machine (the database is on it too): the
 * share of the run spent in the database. Only this run should be using the server.
 */
function postgresCpuSeconds(): number {
  let ticks = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/u.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (!stat.includes('(postgres)')) continue;
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // utime + stime, and cutime + cstime: the postmaster's reaped children, so a backend that
      // ended during the phase (a pool closing an idle connection) still counts.
      ticks += Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]);
    } catch {
      // gone meanwhile
    }
  }
  return ticks / 100;
}

/**
 * CPU seconds of the benchmark database's server processes, by the client they serve (their
 * `application_name`): which process's statements the database's share goes to.
 */
async function postgresCpuByClient(database: TestDatabase): Promise<Record<string, number>> {
  const backends = await database.prisma.$queryRaw<{ pid: number; name: string }[]>`
    SELECT pid, application_name AS name FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`;
  const seconds: Record<string, number> = {};
  for (const backend of backends) {
    const cpu = usage(backend.pid).cpuSeconds;
    if (Number.isFinite(cpu)) seconds[backend.name || '(unnamed)'] = (seconds[backend.name || '(unnamed)'] ?? 0) + cpu;
  }
  return seconds;
}

/** The benchmark database's counters: transactions, rows written, rows read. */
async function databaseWork(database: TestDatabase): Promise<Record<string, number>> {
  const [row] = await database.prisma.$queryRaw<Record<string, bigint>[]>`
    SELECT xact_commit + xact_rollback AS transactions, tup_inserted AS inserted, tup_updated AS updated,
           tup_deleted AS deleted, tup_fetched AS fetched, tup_returned AS scanned
    FROM pg_stat_database WHERE datname = current_database()`;
  const tables = await database.prisma.$queryRaw<{ name: string; scanned: bigint }[]>`
    SELECT schemaname || '.' || relname AS name, seq_tup_read AS scanned FROM pg_stat_user_tables WHERE seq_tup_read > 0`;
  return {
    ...Object.fromEntries(Object.entries(row ?? {}).map(([name, value]) => [name, Number(value)])),
    ...Object.fromEntries(tables.map((table) => [`scanned in ${table.name}`, Number(table.scanned)])),
  };
}

async function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => done(port));
    });
  });
}

async function waitUntil(what: string, check: () => Promise<boolean>, timeoutMs = 120_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < until) {
    try {
      if (await check()) return;
    } catch (error) {
      last = error;
    }
    await pause(200);
  }
  throw new Error(`timed out waiting for ${what}${last ? ` (${String(last)})` : ''}`);
}

// ---------------------------------------------------------------------------------------------
// HTTP

const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Body = { data?: any; errors?: { message: string; extensions?: { code?: string } }[] };

function request(
  url: string,
  method: 'GET' | 'POST',
  body?: unknown,
  headers: Record<string, string> = {},
  timeoutMs = 60_000,
): Promise<{ status: number; body: Body }> {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  const target = new URL(url);
  return new Promise((done, fail) => {
    const req = http.request(
      {
        agent,
        hostname: target.hostname,
        port: target.port,
        path: `${target.pathname}${target.search}`,
        method,
        headers: { ...(payload ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } : {}), ...headers },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          try {
            done({ status: res.statusCode ?? 0, body: text ? (JSON.parse(text) as Body) : {} });
          } catch {
            done({ status: res.statusCode ?? 0, body: { errors: [{ message: text.slice(0, 200) }] } });
          }
        });
        res.on('error', fail);
      },
    );
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`${method} ${target.pathname} timed out`)));
    req.on('error', fail);
    req.end(payload);
  });
}

// ---------------------------------------------------------------------------------------------
// Measurements

interface Sent {
  to: string;
  id?: string;
  mutationStart: number;
  mutationEnd?: number;
  failed?: string;
}

const percentile = (values: number[], p: number): number => percentileOfSorted([...values].sort((a, b) => a - b), p);

const ms = (value: number) => (Number.isFinite(value) ? `${value.toFixed(0)} ms` : 'n/a');

/**
 * The stages of "status change → subscriber", from the messaging outbox's own timestamps: the
 * change is reported (the event's occurredAt) → its row is written (created_at: the statement's
 * time) → the relay published it (published_at, stamped after Kafka acknowledged) → the
 * subscriber has it (this process's clock; all on one machine).
 */
async function changeStages(database: TestDatabase, notificationsOf: (messageId: string) => Notification[], messageIds: string[]) {
  const rows = await database.prisma.$queryRaw<{ message_id: string; status: string; created_at: Date; published_at: Date | null }[]>`
    SELECT payload->>'messageId' AS message_id, payload->>'status' AS status, created_at, published_at
      FROM messaging.outbox
     WHERE type = 'message.status_changed' AND payload->>'messageId' = ANY(${messageIds}::text[])`;
  const written: number[] = [];
  const relayed: number[] = [];
  const delivered: number[] = [];
  for (const row of rows) {
    const seen = notificationsOf(row.message_id).find((n) => n.status === row.status);
    if (!seen || !row.published_at) continue;
    written.push(row.created_at.getTime() - seen.occurredAt);
    relayed.push(row.published_at.getTime() - row.created_at.getTime());
    delivered.push(seen.at - row.published_at.getTime());
  }
  return [
    { name: 'reported → written', values: written },
    { name: 'written → published', values: relayed },
    { name: 'published → subscriber', values: delivered },
  ].map(({ name, values }) => ({ name, p50: percentile(values, 50), p99: percentile(values, 99) }));
}

/**
 * The stages of "mutation → provider": the mutation starts → the message and its request event
 * are written (the outbox row's created_at) → the relay published the request → the stand-in has
 * the provider call.
 */
async function sendStages(database: TestDatabase, entries: Sent[], providers: Map<string, number>) {
  const byId = new Map(entries.flatMap((entry) => (entry.id ? [[entry.id, entry] as const] : [])));
  const rows = await database.prisma.$queryRaw<{ message_id: string; created_at: Date; published_at: Date | null }[]>`
    SELECT payload->>'messageId' AS message_id, created_at, published_at
      FROM messaging.outbox
     WHERE type LIKE 'message.requested.%' AND payload->>'messageId' = ANY(${[...byId.keys()]}::text[])`;
  const written: number[] = [];
  const relayed: number[] = [];
  const called: number[] = [];
  for (const row of rows) {
    const entry = byId.get(row.message_id);
    const calledAt = entry && providers.get(entry.to);
    if (!entry || calledAt === undefined || !row.published_at) continue;
    written.push(row.created_at.getTime() - entry.mutationStart);
    relayed.push(row.published_at.getTime() - row.created_at.getTime());
    called.push(calledAt - row.published_at.getTime());
  }
  return [
    { name: 'mutation → written', values: written },
    { name: 'written → published', values: relayed },
    { name: 'published → provider', values: called },
  ].map(({ name, values }) => ({ name, p50: percentile(values, 50), p99: percentile(values, 99) }));
}

interface Notification {
  status: string;
  occurredAt: number;
  at: number;
}

/** Status notifications by message id (what the graphql-ws subscriber received). */
const notifications = new Map<string, Notification[]>();
let subscriberClosed: unknown = null;

async function subscribeToStatuses(wsUrl: string, token: string): Promise<Client> {
  const client = createClient({
    url: wsUrl,
    webSocketImpl: WebSocket,
    retryAttempts: 0,
    lazy: false,
    connectionParams: { authorization: `Bearer ${token}` },
    on: {
      closed: (event) => {
        if (!stopping) subscriberClosed = event;
      },
    },
  });
  client.subscribe(
    { query: 'subscription { messageStatusChanged { messageId status occurredAt } }' },
    {
      next: (value) => {
        const at = Date.now();
        const change = (value.data as { messageStatusChanged?: { messageId: string; status: string; occurredAt: string } } | undefined)?.messageStatusChanged;
        if (!change) return;
        let list = notifications.get(change.messageId);
        if (!list) {
          list = [];
          notifications.set(change.messageId, list);
        }
        list.push({ status: change.status, occurredAt: Date.parse(change.occurredAt), at });
      },
      error: (error) => {
        subscriberClosed = error;
      },
      complete: () => undefined,
    },
  );
  await pause(500);
  return client;
}

/** Twilio request times by recipient, from the stand-in's request log (201 answers). */
async function providerTimes(controlUrl: string): Promise<Map<string, number>> {
  const state = await request(`${controlUrl}/__control`, 'GET');
  const requests = (state.body as unknown as { twilio: { requests: { recipient?: string; status?: number; at: string; path: string }[] } }).twilio.requests;
  const times = new Map<string, number>();
  for (const entry of requests) {
    if (entry.status === 201 && entry.recipient && entry.path.endsWith('/Messages.json') && !times.has(entry.recipient)) {
      times.set(entry.recipient, Date.parse(entry.at));
    }
  }
  return times;
}

let numberSequence = 0;
/** A distinct US number per message: +1 415 2xx xxxx … (the recipient identifies the message at the stand-in). */
function nextNumber(): string {
  numberSequence += 1;
  const exchange = 200 + Math.floor(numberSequence / 10_000);
  return `+1415${exchange}${String(numberSequence % 10_000).padStart(4, '0')}`;
}

interface PhaseResult {
  name: string;
  messages: number;
  mutationErrors: number;
  seconds: number;
  deliveredPerSecond: number;
  mutationP50: number;
  mutationP99: number;
  toProviderP50: number;
  toProviderP99: number;
  toSubscriberP50: number;
  toSubscriberP99: number;
  changeToSubscriberP50: number;
  changeToSubscriberP99: number;
  delivered: number;
  /** Where the time goes, p50 / p99 per stage (see sendStages and changeStages). */
  sendStages: { name: string; p50: number; p99: number }[];
  stages: { name: string; p50: number; p99: number }[];
}

async function main(): Promise<void> {
  const [port, kafkaPort, twilioPort, whatsappPort, smtpPort, controlPort] = await Promise.all(Array.from({ length: 6 }, () => freePort()));
  let messagingPort = await freePort();
  while (messagingPort < 1030) messagingPort = await freePort();
  const gateway = `http://127.0.0.1:${port}`;
  const webhooks = config.BENCH_WEBHOOKS === 'messaging' ? `http://127.0.0.1:${messagingPort}` : gateway;
  const database: TestDatabase = await createTestDatabase({ prefix: 'bench_send' });
  await database.prisma.$disconnect();
  const redisKeyPrefix = `sbbench:${randomBytes(4).toString('hex')}:`;
  const kafkaDir = mkdtempSync(join(tmpdir(), 'sb-bench-send-kafka-'));
  const senderCredentialsKey = randomBytes(32).toString('base64');
  const common = { NODE_ENV: 'production', LOG_LEVEL: 'warn', REDIS_URL: config.REDIS_URL, REDIS_KEY_PREFIX: redisKeyPrefix };
  const twilio = DEV_CREDENTIALS.twilio;
  const whatsapp = DEV_CREDENTIALS.whatsapp;
  const procs: Proc[] = [];

  const results: PhaseResult[] = [];
  let usageAtEnd: Record<string, { peakRssMb: number; cpuSeconds: number }> = {};
  try {
    note('Starting the stand-ins, the broker, messaging, the gateway (and six subgraphs), the pipeline (relay, consumers) and the workers…');
    const standIns = start(
      'stand-ins',
      'packages/provider-stand-ins/dist/cli.js',
      [
        '--twilio-port', String(twilioPort), '--whatsapp-port', String(whatsappPort), '--smtp-port', String(smtpPort),
        '--control-port', String(controlPort), '--callback-delay-ms', '0', '--log-level', 'warn',
        '--twilio-inbound-url', `${webhooks}/webhooks/twilio/inbound`, '--whatsapp-webhook-url', `${webhooks}/webhooks/whatsapp`,
      ],
      {},
    );
    procs.push(standIns);
    const controlUrl = `http://127.0.0.1:${controlPort}`;
    await waitUntil('the stand-ins', async () => (await request(`${controlUrl}/__control`, 'GET', undefined, {}, 2_000)).status === 200);
    /** Empties the Twilio stand-in's request log (each phase reads its own), keeping BENCH_TWILIO_RULE. */
    const resetTwilio = async () => {
      await request(`${controlUrl}/__control`, 'POST', { channel: 'twilio', action: 'reset' });
      if (config.BENCH_TWILIO_RULE) {
        const added = await request(`${controlUrl}/__control`, 'POST', { channel: 'twilio', action: 'add-rule', rule: config.BENCH_TWILIO_RULE });
        if (added.status !== 200) throw new Error(`BENCH_TWILIO_RULE was refused: ${JSON.stringify(added.body)}`);
      }
    };
    await resetTwilio();

    const broker = start('broker', 'packages/kafka-broker/dist/cli.js', ['--port', String(kafkaPort), '--data-dir', kafkaDir], {});
    procs.push(broker);
    const brokers = `127.0.0.1:${kafkaPort}`;
    await waitUntil('the broker', async () => broker.output.join('').includes('listening'));

    const systemEnv = {
      ...common,
      PORT: String(port),
      HOST: '127.0.0.1',
      PUBLIC_URL: gateway,
      WEBHOOK_PUBLIC_URL: webhooks,
      DATABASE_URL: database.url,
      MIGRATE_ON_START: 'false',
      JWT_SECRET: randomBytes(32).toString('base64url'),
      INTERNAL_CONTEXT_SECRET: randomBytes(32).toString('base64url'),
      SENDER_CREDENTIALS_KEY: senderCredentialsKey,
      ACCESS_TOKEN_TTL: '7200',
      KAFKA_BROKERS: brokers,
      TWILIO_ACCOUNT_SID: twilio.accountSid,
      TWILIO_AUTH_TOKEN: twilio.authToken,
      TWILIO_API_URL: `http://127.0.0.1:${twilioPort}`,
      WHATSAPP_TOKEN: whatsapp.token,
      WHATSAPP_APP_SECRET: whatsapp.appSecret,
      WHATSAPP_VERIFY_TOKEN: 'bench-verify-token',
      WHATSAPP_API_URL: `http://127.0.0.1:${whatsappPort}`,
      SMTP_URL: `smtp://127.0.0.1:${smtpPort}?ignoreTLS=true`,
      SUBSCRIPTION_QUEUE_SIZE: '10000',
    };
    // Messaging listens on SUBGRAPH_PORT_BASE + 6 (its place in the port convention).
    const messagingUrl = `http://127.0.0.1:${messagingPort}/graphql`;
    const messaging = start('messaging', 'packages/launcher/dist/main.js', [], {
      ...systemEnv,
      SERVICES: 'messaging',
      SUBGRAPH_PORT_BASE: String(messagingPort - 6),
      ...parseEnv(config.BENCH_MESSAGING_ENV),
    });
    procs.push(messaging);
    await waitUntil('the messaging subgraph', async () => (await request(messagingUrl.replace('/graphql', '/healthz'), 'GET', undefined, {}, 2_000)).status === 200);
    const system = start('gateway', 'packages/launcher/dist/main.js', [], {
      ...systemEnv,
      SERVICES: 'gateway,user,team,contact,template,campaign,inbox',
      SUBGRAPH_PORT_BASE: '0',
      SUBGRAPH_URLS: `messaging=${messagingUrl}`,
      ...parseEnv(config.BENCH_SYSTEM_ENV),
    });
    procs.push(system);
    await waitUntil('the gateway', async () => (await request(`${gateway}/readyz`, 'GET', undefined, {}, 2_000)).status === 200);
    note('  gateway ready');

    // The outbox relay and the subgraphs' consumers in a process of their own (the launcher's roles).
    const pipeline = start('pipeline', 'packages/launcher/dist/main.js', [], {
      ...systemEnv,
      SERVICES: 'outbox-relay,consumers',
      ...parseEnv(config.BENCH_PIPELINE_ENV),
    });
    procs.push(pipeline);

    const workers = start('workers', 'workers/channel-delivery/dist/main.js', [], {
      ...common,
      KAFKA_BROKERS: brokers,
      CHANNELS: 'sms',
      SENDER_SOURCE: 'database',
      DATABASE_URL: database.url,
      SENDER_CREDENTIALS_KEY: senderCredentialsKey,
      TWILIO_ACCOUNT_SID: twilio.accountSid,
      TWILIO_AUTH_TOKEN: twilio.authToken,
      TWILIO_API_URL: `http://127.0.0.1:${twilioPort}`,
      TWILIO_STATUS_CALLBACK_URL: `${webhooks}/webhooks/twilio/status`,
      CONSUMER_CONCURRENCY: '8',
      ...parseEnv(config.BENCH_WORKER_ENV),
    });
    procs.push(workers);

    const target = { prisma: database.prisma, graphql: (query: string, variables?: Record<string, unknown>, options: { token?: string } = {}) =>
      request(`${gateway}/graphql`, 'POST', { query, variables }, options.token ? { authorization: `Bearer ${options.token}` } : {}).then((r) => ({ status: r.status, data: r.body.data, errors: r.body.errors })) };
    const owner = await registerUser(target);
    const auth = { authorization: `Bearer ${owner.accessToken}` };
    const senders: string[] = [];
    for (let i = 0; i < config.BENCH_SENDERS; i++) {
      const created = await request(
        `${gateway}/graphql`,
        'POST',
        {
          query: 'mutation($input: CreateSenderInput!) { createSender(input: $input) { id } }',
          variables: { input: { name: `Bulk ${i}`, kind: 'SMS_NUMBER', address: `+1415555${String(100 + i).padStart(4, '0')}`, rateLimitPerSecond: 1000 } },
        },
        auth,
      );
      if (created.body.errors) throw new Error(`createSender failed: ${JSON.stringify(created.body.errors)}`);
      senders.push(created.body.data.createSender.id);
    }
    const subscriber = await subscribeToStatuses(`ws://127.0.0.1:${port}/graphql`, owner.accessToken);

    const sendOne = async (entry: Sent, index: number): Promise<void> => {
      entry.mutationStart = Date.now();
      const response = await request(
        `${gateway}/graphql`,
        'POST',
        {
          query: 'mutation($input: SendMessageInput!) { sendMessage(input: $input) { message { id } } }',
          variables: { input: { channel: 'SMS', senderId: senders[index % senders.length], to: entry.to, body: `Bench message ${index}: your code is ${1000 + (index % 9000)}` } },
        },
        auth,
      ).catch((error: unknown) => ({ status: 0, body: { errors: [{ message: String(error) }] } as Body }));
      entry.mutationEnd = Date.now();
      if (response.body.errors || !response.body.data?.sendMessage) entry.failed = JSON.stringify(response.body.errors).slice(0, 200);
      else entry.id = response.body.data.sendMessage.message.id;
    };
    const delivered = (entry: Sent) => entry.id !== undefined && (notifications.get(entry.id) ?? []).some((n) => n.status === 'DELIVERED');

    const waitAllDelivered = async (entries: Sent[], timeoutMs: number): Promise<number> => {
      const until = Date.now() + timeoutMs;
      for (;;) {
        const pending = entries.filter((entry) => entry.id && !delivered(entry)).length;
        if (pending === 0) return Date.now();
        if (subscriberClosed) throw new Error(`the subscriber was closed: ${JSON.stringify(subscriberClosed)}`);
        if (Date.now() > until) {
          note(`  ${pending} messages not DELIVERED (per the subscriber) after ${timeoutMs / 1000} s`);
          return Date.now();
        }
        await pause(20);
      }
    };

    const analyse = async (name: string, entries: Sent[], seconds: number): Promise<PhaseResult> => {
      const providers = await providerTimes(controlUrl);
      const ok = entries.filter((entry) => entry.id);
      const lastDelivered = Math.max(...ok.map((entry) => notifications.get(entry.id!)?.find((n) => n.status === 'DELIVERED')?.at ?? 0));
      const first = Math.min(...entries.map((entry) => entry.mutationStart));
      const deliveredCount = ok.filter(delivered).length;
      const changeToSubscriber = ok.flatMap((entry) => (notifications.get(entry.id!) ?? []).map((n) => n.at - n.occurredAt));
      return {
        name,
        messages: entries.length,
        mutationErrors: entries.length - ok.length,
        seconds,
        deliveredPerSecond: deliveredCount / ((lastDelivered - first) / 1000),
        mutationP50: percentile(ok.map((e) => e.mutationEnd! - e.mutationStart), 50),
        mutationP99: percentile(ok.map((e) => e.mutationEnd! - e.mutationStart), 99),
        toProviderP50: percentile(ok.flatMap((e) => (providers.has(e.to) ? [providers.get(e.to)! - e.mutationStart] : [])), 50),
        toProviderP99: percentile(ok.flatMap((e) => (providers.has(e.to) ? [providers.get(e.to)! - e.mutationStart] : [])), 99),
        toSubscriberP50: percentile(ok.flatMap((e) => notifications.get(e.id!)?.filter((n) => n.status === 'DELIVERED').map((n) => n.at - e.mutationStart) ?? []), 50),
        toSubscriberP99: percentile(ok.flatMap((e) => notifications.get(e.id!)?.filter((n) => n.status === 'DELIVERED').map((n) => n.at - e.mutationStart) ?? []), 99),
        changeToSubscriberP50: percentile(changeToSubscriber, 50),
        changeToSubscriberP99: percentile(changeToSubscriber, 99),
        delivered: deliveredCount,
        sendStages: await sendStages(database, ok, providers),
        stages: await changeStages(database, (id) => notifications.get(id) ?? [], ok.map((entry) => entry.id!)),
      };
    };

    const burst = async (count: number, concurrency: number): Promise<Sent[]> => {
      const entries: Sent[] = Array.from({ length: count }, () => ({ to: nextNumber(), mutationStart: 0 }));
      let next = 0;
      await Promise.all(
        Array.from({ length: concurrency }, async () => {
          while (next < entries.length) {
            const index = next++;
            await sendOne(entries[index]!, index);
          }
        }),
      );
      return entries;
    };

    const workersReady = async () => {
      const probe = await burst(1, 1);
      await waitAllDelivered(probe, 60_000);
      return delivered(probe[0]!);
    };
    await waitUntil('the workers to deliver', workersReady, 120_000);

    if (config.BENCH_WARMUP_MESSAGES > 0) {
      note(`Warm-up: ${config.BENCH_WARMUP_MESSAGES} messages…`);
      const warm = await burst(config.BENCH_WARMUP_MESSAGES, 16);
      await waitAllDelivered(warm, 300_000);
    }

    note(`Throughput: ${config.BENCH_MESSAGES} SMS, ${config.BENCH_CONCURRENCY} mutations in flight…`);
    await resetTwilio();
    const cpuBefore: Record<string, number> = { ...Object.fromEntries(procs.map((p) => [p.name, usage(p.child.pid).cpuSeconds])), postgres: postgresCpuSeconds() };
    const kernelBefore = Object.fromEntries(procs.map((p) => [p.name, kernelWork(p.child.pid)]));
    const dbBefore = await databaseWork(database);
    const postgresByClientBefore = await postgresCpuByClient(database);
    let started = Date.now();
    const bulk = await burst(config.BENCH_MESSAGES, config.BENCH_CONCURRENCY);
    const mutationsDone = Date.now();
    let ended = await waitAllDelivered(bulk, 300_000);
    const cpuDuring = {
      ...Object.fromEntries(procs.map((p) => [p.name, usage(p.child.pid).cpuSeconds - (cpuBefore[p.name] ?? 0)])),
      postgres: postgresCpuSeconds() - (cpuBefore.postgres ?? 0),
    };
    note(`  mutations took ${((mutationsDone - started) / 1000).toFixed(1)} s; last DELIVERED after ${((ended - started) / 1000).toFixed(1)} s`);
    note(`  CPU seconds during the run: ${Object.entries(cpuDuring).map(([name, s]) => `${name} ${s.toFixed(1)}`).join(', ')}`);
    note(`  CPU ms per message: ${Object.entries(cpuDuring).map(([name, s]) => `${name} ${((s * 1000) / config.BENCH_MESSAGES).toFixed(2)}`).join(', ')}`);
    const perMessage = (value: number) => (value / config.BENCH_MESSAGES).toFixed(1);
    note(`  system calls / context switches per message: ${procs.map((p) => {
      const now = kernelWork(p.child.pid);
      const before = kernelBefore[p.name]!;
      return `${p.name} ${perMessage(now.syscalls - before.syscalls)} / ${perMessage(now.switches - before.switches)}`;
    }).join(', ')}`);
    const postgresByClient = await postgresCpuByClient(database);
    note(`  PostgreSQL CPU ms per message, by client (backends still connected at the end): ${Object.entries(postgresByClient)
      .map(([name, s]) => [name, Math.max(0, s - (postgresByClientBefore[name] ?? 0))] as const)
      .sort((a, b) => b[1] - a[1])
      .map(([name, s]) => `${name} ${((s * 1000) / config.BENCH_MESSAGES).toFixed(2)}`)
      .join(', ')}`);
    await pause(1_000); // PostgreSQL publishes its counters about once a second
    const dbAfter = await databaseWork(database);
    note(`  database work per message: ${Object.entries(dbAfter).filter(([name, value]) => value - (dbBefore[name] ?? 0) >= config.BENCH_MESSAGES / 10).map(([name, value]) => `${name} ${perMessage(value - (dbBefore[name] ?? 0))}`).join(', ')}`);
    results.push(await analyse('throughput', bulk, (ended - started) / 1000));

    for (const rate of config.BENCH_PACED_RATES) {
      note(`Paced: ${rate} msgs/s for ${config.BENCH_PACED_SECONDS} s…`);
      await resetTwilio();
      const pacedCount = Math.round(rate * config.BENCH_PACED_SECONDS);
      const paced: Sent[] = Array.from({ length: pacedCount }, () => ({ to: nextNumber(), mutationStart: 0 }));
      started = Date.now();
      const inFlight: Promise<void>[] = [];
      for (let i = 0; i < pacedCount; i++) {
        const due = started + (i * 1000) / rate;
        const wait = due - Date.now();
        if (wait > 0) await pause(wait);
        inFlight.push(sendOne(paced[i]!, i));
      }
      await Promise.all(inFlight);
      ended = await waitAllDelivered(paced, 300_000);
      results.push(await analyse(`paced ${rate}/s`, paced, (ended - started) / 1000));
    }

    // Cross-check with the database: every message of the run is DELIVERED there too.
    const counts = await database.prisma.$queryRaw<{ status: string; count: bigint }[]>`SELECT status::text AS status, count(*) AS count FROM messaging.message GROUP BY status`;
    note(`  database: ${counts.map((row) => `${row.status} ${row.count}`).join(', ')}`);
    await subscriber.dispose();
    usageAtEnd = { ...Object.fromEntries(procs.map((p) => [p.name, usage(p.child.pid)])), bench: usage(process.pid) };
  } finally {
    stopping = true;
    for (const proc of [...procs].reverse()) await stop(proc);
    if (config.BENCH_KEEP_DATABASE) {
      const kept = await database.keepAs(`bench_send_${new Date().toISOString().replace(/\D/gu, '').slice(0, 14)}`);
      note(`Kept the database for inspection (drop it when done): ${kept}`);
    } else {
      await database.drop().catch(() => undefined);
    }
    rmSync(kafkaDir, { recursive: true, force: true });
    const redis = new Redis(config.REDIS_URL, { lazyConnect: true });
    await redis.connect().catch(() => undefined);
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${redisKeyPrefix}*`, 'COUNT', 1000).catch(() => ['0', [] as string[]] as const);
      cursor = next;
      if (keys.length > 0) await redis.del(...keys);
    } while (cursor !== '0');
    redis.disconnect();
  }

  print('');
  print('| phase | messages | mutation errors | delivered | msgs/s (mutation → DELIVERED) | mutation p50 / p99 | mutation → provider p50 / p99 | mutation → subscriber (DELIVERED) p50 / p99 | status change → subscriber p50 / p99 |');
  print('|---|---|---|---|---|---|---|---|---|');
  for (const r of results) {
    print(
      `| ${r.name} | ${r.messages} | ${r.mutationErrors} | ${r.delivered} | ${r.deliveredPerSecond.toFixed(0)} | ${ms(r.mutationP50)} / ${ms(r.mutationP99)} | ${ms(r.toProviderP50)} / ${ms(r.toProviderP99)} | ${ms(r.toSubscriberP50)} / ${ms(r.toSubscriberP99)} | ${ms(r.changeToSubscriberP50)} / ${ms(r.changeToSubscriberP99)} |`,
    );
  }
  print('');
  for (const stagesOf of [(r: PhaseResult) => r.sendStages, (r: PhaseResult) => r.stages]) {
    print(`| phase | ${results[0] ? stagesOf(results[0]).map((stage) => `${stage.name} p50 / p99`).join(' | ') : ''} |`);
    print(`|---|${results[0] ? stagesOf(results[0]).map(() => '---|').join('') : ''}`);
    for (const r of results) print(`| ${r.name} | ${stagesOf(r).map((stage) => `${ms(stage.p50)} / ${ms(stage.p99)}`).join(' | ')} |`);
    print('');
  }
  print('| process | peak RSS | CPU seconds (whole run) |');
  print('|---|---|---|');
  for (const [name, u] of Object.entries(usageAtEnd)) print(`| ${name} | ${u.peakRssMb.toFixed(0)} MB | ${u.cpuSeconds.toFixed(1)} |`);
  print('');
  print('Processes: broker = embedded Kafka-protocol broker; gateway = gateway (+ subscriptions, /webhooks proxy) and the six other subgraphs; messaging = messaging subgraph (sendMessage, webhooks); pipeline = outbox relay + subgraph consumers (messaging statuses and projections, contact, template); workers = channel-delivery (SMS); stand-ins = Twilio/WhatsApp/SMTP stand-ins; bench = this driver (HTTP client + graphql-ws subscriber).');
}

// Ctrl-C: stop the child processes too (the finally block of main() does the rest).
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    stopping = true;
    for (const proc of running) proc.child.kill('SIGTERM');
    setTimeout(() => process.exit(130), 5_000).unref();
  });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
