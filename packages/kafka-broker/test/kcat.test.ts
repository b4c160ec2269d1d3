import { spawn } from 'node:child_process';
import { findKcat, kafkaFor, startTestBroker, waitFor, type TestBroker } from './helpers';

interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs kcat with a hard timeout, feeding `input` on stdin. */
function runKcat(args: string[], input = '', timeoutMs = 20_000): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(findKcat() as string, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`kcat ${args.join(' ')} timed out\n${stderr}`));
    }, timeoutMs);
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(input);
  });
}

const kcat = findKcat();
const describeKcat = kcat === null ? describe.skip : describe;

describeKcat('kcat (librdkafka) against the broker', () => {
  let t: TestBroker;

  beforeAll(async () => {
    t = await startTestBroker({ inMemory: true, defaultPartitions: 2 });
  });

  afterAll(async () => {
    await t.broker.close();
  });

  test('-L lists the broker and topics', async () => {
    const admin = kafkaFor(t.broker).admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'listed', numPartitions: 3 }] });
    await admin.disconnect();
    const result = await runKcat(['-b', t.broker.brokers, '-L']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`broker 1 at ${t.broker.brokers}`);
    expect(result.stdout).toMatch(/topic "listed" with 3 partitions/);
    expect(result.stdout).toMatch(/partition 2, leader 1, replicas: 1, isrs: 1/);
  });

  test('-P produces messages that kafkajs consumes', async () => {
    const lines = Array.from({ length: 20 }, (_, i) => `key${i}:value ${i}`);
    const produced = await runKcat(['-b', t.broker.brokers, '-P', '-t', 'from-kcat', '-K:', '-p', '0'], `${lines.join('\n')}\n`);
    expect(produced.code).toBe(0);

    const consumer = kafkaFor(t.broker).consumer({ groupId: 'kafkajs-reads-kcat', maxWaitTimeInMs: 100 });
    const got: string[] = [];
    await consumer.connect();
    await consumer.subscribe({ topic: 'from-kcat', fromBeginning: true });
    await consumer.run({ eachMessage: async ({ message }) => void got.push(`${message.key}:${message.value}`) });
    await waitFor(() => got.length >= 20, 'the messages kcat produced');
    await consumer.disconnect();
    expect(got).toEqual(lines);
  });

  test('kafkajs produces, kcat -C -e consumes (keys, values, headers)', async () => {
    const producer = kafkaFor(t.broker).producer();
    await producer.connect();
    await producer.send({
      topic: 'to-kcat',
      messages: Array.from({ length: 15 }, (_, i) => ({ partition: 0, key: `k${i}`, value: `v${i}`, headers: { n: String(i) } })),
    });
    await producer.disconnect();
    const result = await runKcat(['-b', t.broker.brokers, '-C', '-t', 'to-kcat', '-p', '0', '-o', 'beginning', '-e', '-f', '%o|%k|%s|%h\n']);
    expect(result.code).toBe(0);
    expect(result.stdout.trim().split('\n')).toEqual(Array.from({ length: 15 }, (_, i) => `${i}|k${i}|v${i}|n=${i}`));
  });

  test('a -G consumer group consumes every partition and commits', async () => {
    const producer = kafkaFor(t.broker).producer();
    await producer.connect();
    await producer.send({
      topic: 'kcat-group',
      messages: Array.from({ length: 12 }, (_, i) => ({ partition: i % 2, value: `g${i}` })),
    });
    await producer.disconnect();
    const args = ['-b', t.broker.brokers, '-G', 'kcat-consumers', '-X', 'auto.offset.reset=earliest', '-e', '-f', '%s\n', 'kcat-group'];
    const first = await runKcat(args);
    expect(first.code).toBe(0);
    expect(first.stdout.trim().split('\n').sort()).toEqual(Array.from({ length: 12 }, (_, i) => `g${i}`).sort());

    const admin = kafkaFor(t.broker).admin();
    await admin.connect();
    const [committed] = await admin.fetchOffsets({ groupId: 'kcat-consumers', topics: ['kcat-group'] });
    await admin.disconnect();
    expect(committed?.partitions.map((p) => p.offset).sort()).toEqual(['6', '6']);

    // Running again resumes from the committed offsets: nothing new to read.
    const second = await runKcat(args);
    expect(second.code).toBe(0);
    expect(second.stdout.trim()).toBe('');
  });
});
