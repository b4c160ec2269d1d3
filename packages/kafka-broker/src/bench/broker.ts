/**
 * Broker benchmark: the broker runs as a child process (the CLI, with a temp data dir) so its CPU
 * time and RSS are measured apart from the kafkajs clients, which all run in this process (the
 * producers of the throughput phase in worker threads, since kafkajs spends ~20 µs of CPU encoding
 * each 1 KB record and one thread could not feed the broker fast enough). The latency phase is
 * repeated with a minimal raw-protocol client to show how much of it is the broker's.
 *
 *   npm run bench:broker -- [--messages 1000000] [--size 1024] [--batch 1000] [--producers 2]
 *                           [--rate 5000] [--seconds 10] [--warmup-seconds 2]
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { Kafka, logLevel, type Consumer, type ISocketFactory, type Producer } from 'kafkajs';
import { rawLatency } from './raw-latency';

process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1';

interface ProcessSample {
  rssBytes: number;
  cpuSeconds: number;
}

const CLOCK_TICKS = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

function sampleProcess(pid: number): ProcessSample {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  // /proc/<pid>/stat: the command may contain spaces, so split after the closing parenthesis.
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  return { rssBytes: rssKb * 1024, cpuSeconds: (utime + stime) / CLOCK_TICKS };
}

/**
 * kafkajs leaves Nagle's algorithm on; with the receiver's delayed ACKs that stalls the tail of
 * large requests for up to 40 ms. Every Kafka client worth measuring sets TCP_NODELAY, so do we.
 */
const noDelaySocketFactory: ISocketFactory = ({ host, port, onConnect }) => {
  const socket = net.connect({ host, port }, onConnect);
  socket.setNoDelay(true);
  socket.setKeepAlive(true, 60_000);
  return socket;
};

function kafkaClient(brokers: string, clientId: string): Kafka {
  return new Kafka({ clientId, brokers: [brokers], logLevel: logLevel.NOTHING, socketFactory: noDelaySocketFactory });
}

interface ProducerJob {
  brokers: string;
  topic: string;
  messages: number;
  size: number;
  batch: number;
  inFlight: number;
}

/** Worker thread body: one kafkajs producer sending its share of the messages. */
async function producerWorker(job: ProducerJob): Promise<void> {
  const producer = kafkaClient(job.brokers, 'bench-producer').producer({ allowAutoTopicCreation: false });
  await producer.connect();
  const value = Buffer.alloc(job.size, 0x78);
  const messages = Array.from({ length: job.batch }, () => ({ value }));
  let sent = 0;
  const sendLoop = async (): Promise<void> => {
    while (sent < job.messages) {
      const count = Math.min(job.batch, job.messages - sent);
      sent += count;
      await producer.send({ topic: job.topic, acks: -1, messages: count === job.batch ? messages : messages.slice(0, count) });
    }
  };
  await Promise.all(Array.from({ length: job.inFlight }, sendLoop));
  await producer.disconnect();
}

function runProducerWorker(job: ProducerJob): Promise<void> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(__filename, { workerData: job });
    worker.once('message', () => resolve());
    worker.once('error', reject);
    worker.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`producer worker exited with ${code}`))));
  });
}

function clientCpuSeconds(): number {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1e6;
}

async function startBrokerProcess(dataDir: string): Promise<{ child: ChildProcess; brokers: string }> {
  const cli = path.join(__dirname, '..', 'cli.js');
  const child = spawn(process.execPath, [cli, '--port', '0', '--data-dir', dataDir, '--max-message-bytes', String(8 << 20)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const brokers = await new Promise<string>((resolve, reject) => {
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening on (\S+)/.exec(output);
      if (match?.[1]) resolve(match[1]);
    });
    child.once('exit', (code) => reject(new Error(`broker exited with ${code}: ${output}`)));
  });
  return { child, brokers };
}

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}

const fmt = (n: number, digits = 0): string =>
  n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

async function waitForAssignment(consumer: Consumer): Promise<void> {
  await new Promise<void>((resolve) => {
    const remove = consumer.on(consumer.events.GROUP_JOIN, () => {
      remove();
      resolve();
    });
  });
}

async function throughputPhase(
  kafka: Kafka,
  brokers: string,
  options: { messages: number; size: number; batch: number; partitions: number; inFlight: number; producers: number },
): Promise<{ produceSeconds: number; endToEndSeconds: number }> {
  const topic = 'bench-throughput';
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: options.partitions }] });
  await admin.disconnect();

  const consumer = kafka.consumer({ groupId: 'bench-throughput', maxWaitTimeInMs: 100 });
  let received = 0;
  let allReceived: () => void = () => {};
  const done = new Promise<void>((resolve) => (allReceived = resolve));
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const joined = waitForAssignment(consumer);
  await consumer.run({
    partitionsConsumedConcurrently: options.partitions,
    eachBatch: async ({ batch }) => {
      received += batch.messages.length;
      if (received >= options.messages) allReceived();
    },
  });
  await joined;

  const started = performance.now();
  const share = Math.ceil(options.messages / options.producers);
  await Promise.all(
    Array.from({ length: options.producers }, (_, i) =>
      runProducerWorker({
        brokers,
        topic,
        messages: Math.min(share, options.messages - i * share),
        size: options.size,
        batch: options.batch,
        inFlight: options.inFlight,
      }),
    ),
  );
  const produced = performance.now();
  await done;
  const consumed = performance.now();
  await consumer.disconnect();
  return { produceSeconds: (produced - started) / 1000, endToEndSeconds: (consumed - started) / 1000 };
}

async function latencyPhase(
  kafka: Kafka,
  producer: Producer,
  options: { rate: number; seconds: number; warmupSeconds: number; size: number },
): Promise<{ latencies: Float64Array; sent: number }> {
  const topic = 'bench-latency';
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: 1 }] });
  await admin.disconnect();

  // Each value starts with the send time (performance.now(), same process) and a "measured" flag.
  const total = options.rate * options.seconds;
  const latencies = new Float64Array(total);
  let received = 0;
  let warmupReceived = 0;
  const consumer = kafka.consumer({ groupId: 'bench-latency', maxWaitTimeInMs: 500 });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const joined = waitForAssignment(consumer);
  await consumer.run({
    eachBatch: async ({ batch }) => {
      const now = performance.now();
      for (const message of batch.messages) {
        const value = message.value;
        if (!value) continue;
        if (value[8] === 1 && received < total) latencies[received++] = now - value.readDoubleBE(0);
        else warmupReceived++;
      }
    },
  });
  await joined;

  const template = Buffer.alloc(options.size, 0x79);
  const send = (count: number, measured: boolean): Promise<unknown> => {
    const now = performance.now();
    const messages = Array.from({ length: count }, () => {
      const value = Buffer.from(template);
      value.writeDoubleBE(now, 0);
      value[8] = measured ? 1 : 0;
      return { value };
    });
    return producer.send({ topic, acks: -1, messages });
  };
  // Warm up: metadata known on both sides, the consumer fetching, the code paths compiled.
  await send(10, false);
  while (warmupReceived < 10) await new Promise((resolve) => setTimeout(resolve, 5));

  const pending = new Set<Promise<unknown>>();
  const runAtRate = async (count: number, measured: boolean): Promise<void> => {
    const started = performance.now();
    let sent = 0;
    while (sent < count) {
      const due = Math.min(count, Math.floor(((performance.now() - started) / 1000) * options.rate));
      if (due > sent) {
        const request = send(due - sent, measured);
        sent = due;
        pending.add(request);
        void request.finally(() => pending.delete(request));
      }
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
  };
  await runAtRate(options.rate * options.warmupSeconds, false);
  await runAtRate(total, true);
  await Promise.all(pending);
  const deadline = Date.now() + 10_000;
  while (received < total && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
  await consumer.disconnect();
  return { latencies: latencies.slice(0, received).sort(), sent: total };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      messages: { type: 'string', default: '1000000' },
      size: { type: 'string', default: '1024' },
      batch: { type: 'string', default: '1000' },
      'in-flight': { type: 'string', default: '4' },
      producers: { type: 'string', default: '2' },
      partitions: { type: 'string', default: '4' },
      rate: { type: 'string', default: '5000' },
      seconds: { type: 'string', default: '10' },
      'warmup-seconds': { type: 'string', default: '2' },
    },
  });
  const messages = Number(values.messages);
  const size = Number(values.size);
  const batch = Number(values.batch);
  const rate = Number(values.rate);
  const seconds = Number(values.seconds);
  const warmupSeconds = Number(values['warmup-seconds']);
  const partitions = Number(values.partitions);
  const inFlight = Number(values['in-flight']);
  const producers = Number(values.producers);

  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kafka-broker-bench-'));
  const { child, brokers } = await startBrokerProcess(dataDir);
  const pid = child.pid as number;
  try {
    const kafka = kafkaClient(brokers, 'bench');
    const producer = kafka.producer({ allowAutoTopicCreation: false });
    await producer.connect();
    const loadBefore = os.loadavg()[0] ?? 0;
    const brokerBefore = sampleProcess(pid);
    const clientBefore = clientCpuSeconds();
    process.stderr.write(`broker pid ${pid} at ${brokers}; producing ${fmt(messages)} × ${size} B…\n`);

    const throughput = await throughputPhase(kafka, brokers, { messages, size, batch, partitions, inFlight, producers });
    const brokerMid = sampleProcess(pid);
    const clientMid = clientCpuSeconds();
    process.stderr.write(`latency phase: ${fmt(rate)} msgs/s for ${seconds} s…\n`);
    const latency = await latencyPhase(kafka, producer, { rate, seconds, warmupSeconds, size });
    await producer.disconnect();
    const brokerAfter = sampleProcess(pid);
    const clientAfter = clientCpuSeconds();
    process.stderr.write(`broker-only latency with a raw-protocol client…\n`);
    const [rawHost, rawPort] = brokers.split(':') as [string, string];
    const raw = await rawLatency(rawHost, Number(rawPort), { rate, seconds, warmupSeconds, size });

    const mb = (messages * size) / (1024 * 1024);
    const rows: [string, string][] = [
      ['messages × size', `${fmt(messages)} × ${fmt(size)} B (${fmt(mb, 1)} MiB), ${batch}/send, ${producers} producers × ${inFlight} sends in flight, ${partitions} partitions`],
      ['produce rate (acks=all)', `${fmt(messages / throughput.produceSeconds)} msgs/s  ${fmt(mb / throughput.produceSeconds, 1)} MiB/s`],
      ['end-to-end throughput', `${fmt(messages / throughput.endToEndSeconds)} msgs/s  ${fmt(mb / throughput.endToEndSeconds, 1)} MiB/s  (${fmt(throughput.endToEndSeconds, 2)} s)`],
      ['latency @ fixed rate', `${fmt(rate)} msgs/s for ${seconds} s (after ${warmupSeconds} s warm-up): ${fmt(latency.latencies.length)}/${fmt(latency.sent)} received`],
      ['latency p50 / p99 / max', `${fmt(percentile(latency.latencies, 50), 2)} / ${fmt(percentile(latency.latencies, 99), 2)} / ${fmt(latency.latencies.at(-1) ?? Number.NaN, 2)} ms`],
      ['  same, raw-protocol client', `${fmt(percentile(raw, 50), 2)} / ${fmt(percentile(raw, 99), 2)} / ${fmt(raw.at(-1) ?? Number.NaN, 2)} ms (${fmt(raw.length)} received; the broker's own share)`],
      ['broker RSS before → after', `${fmt(brokerBefore.rssBytes / 1048576, 1)} MiB → ${fmt(brokerMid.rssBytes / 1048576, 1)} MiB (after throughput) → ${fmt(brokerAfter.rssBytes / 1048576, 1)} MiB (end)`],
      ['CPU s, throughput phase', `broker ${fmt(brokerMid.cpuSeconds - brokerBefore.cpuSeconds, 2)}  client ${fmt(clientMid - clientBefore, 2)}`],
      ['CPU s, latency phase', `broker ${fmt(brokerAfter.cpuSeconds - brokerMid.cpuSeconds, 2)}  client ${fmt(clientAfter - clientMid, 2)}`],
      ['machine', `${os.cpus().length} CPUs, 1-min load average ${fmt(loadBefore, 2)} at start, ${fmt(os.loadavg()[0] ?? 0, 2)} at end`],
    ];
    const width = Math.max(...rows.map(([label]) => label.length));
    const line = '-'.repeat(width + 3 + Math.max(...rows.map(([, v]) => v.length)));
    process.stdout.write(`\nkafka-broker benchmark (kafkajs producer → broker child process → kafkajs consumer group)\n${line}\n`);
    for (const [label, value] of rows) process.stdout.write(`${label.padEnd(width)} | ${value}\n`);
    process.stdout.write(`${line}\n`);
  } finally {
    child.kill('SIGTERM');
    await new Promise((resolve) => child.once('exit', resolve));
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

const fail = (error: unknown): never => {
  process.stderr.write(`benchmark failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
};

if (isMainThread) {
  main().catch(fail);
} else {
  producerWorker(workerData as ProducerJob).then(() => parentPort?.postMessage('done'), fail);
}
