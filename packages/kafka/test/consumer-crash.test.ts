import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';
import { createRedisDedupeStore, runConsumer, type ConsumerHandle } from '../src';
import { committedOffset, log, produce, teamEvents, uniqueName, useConsumerTestBed, waitFor } from './helpers';

jest.setTimeout(60_000);

const bed = useConsumerTestBed('kafka-crash');

interface ChildLine {
  ready?: boolean;
  handled?: string;
  hanging?: string;
  offset?: string;
}

/** Runs fixtures/crashing-consumer.js and collects its JSON lines. */
function startChild(args: string[]): { child: ChildProcess; lines: ChildLine[]; stderr: () => string } {
  const child = spawn(process.execPath, [path.join(__dirname, 'fixtures', 'crashing-consumer.js'), ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: ChildLine[] = [];
  let stderr = '';
  readline.createInterface({ input: child.stdout! }).on('line', (line) => lines.push(JSON.parse(line) as ChildLine));
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return { child, lines, stderr: () => stderr };
}

async function killHard(child: ChildProcess): Promise<void> {
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
}

describe('a consumer killed mid-batch (SIGKILL: no commit, no LeaveGroup)', () => {
  it.each([
    ['committing after every message', 1],
    ['committing every 100 messages', 100],
  ])(
    '%s: a successor in the same group gets exactly the uncommitted messages, and with the dedupe store the handler sees every id once',
    async (_name, commitEvery) => {
      const topic = uniqueName('team.changed');
      const groupId = uniqueName('group');
      const events = teamEvents(12);
      await produce(bed.kafka, topic, events);
      const hangAt = 6;

      const { child, lines, stderr } = startChild([bed.broker.brokers, groupId, topic, String(hangAt), bed.redisPrefix, String(commitEvery)]);
      try {
        await waitFor(() => lines.some((l) => l.hanging), `the child to hang (stderr: ${stderr()})`, 30_000);
      } finally {
        await killHard(child);
      }
      const handledByChild = lines.filter((l) => l.handled).map((l) => l.handled!);
      expect(handledByChild).toEqual(events.slice(0, hangAt - 1).map((e) => e.id));
      const hanging = lines.find((l) => l.hanging)!;
      expect(hanging.hanging).toBe(events[hangAt - 1]!.id);

      const committed = await committedOffset(bed.admin, groupId, topic);
      // Every message before the committed offset was handled; the one in flight never is.
      expect(committed).toBeLessThanOrEqual(hangAt - 1);
      if (commitEvery === 1) expect(committed).toBe(hangAt - 1);

      const handled: string[] = [];
      let successor: ConsumerHandle | undefined;
      try {
        successor = await runConsumer({
          kafka: bed.kafka,
          groupId,
          topics: [topic],
          log,
          maxWaitTimeMs: 100,
          heartbeatIntervalMs: 300,
          retry: { initialMs: 100, maxMs: 500 },
          dedupe: createRedisDedupeStore({ redis: bed.redis, keyPrefix: bed.redisPrefix, leaseMs: 2_000 }),
          handle: async (event) => void handled.push(event.id),
        });
        // Count deliveries (duplicates included) through the stats, offsets through the handler.
        await waitFor(() => handled.length === events.length - (hangAt - 1), 'the rest handled', 30_000);
        const stats = successor.stats();
        // Delivered again: exactly the uncommitted messages (from the committed offset on).
        expect(stats.received).toBe(events.length - Math.max(committed, 0));
        // Handled: exactly the ids the child did not finish, each once, in order.
        expect(handled).toEqual(events.slice(hangAt - 1).map((e) => e.id));
        // What the child handled but had not committed was skipped by the dedupe store.
        expect(stats.duplicates).toBe(hangAt - 1 - Math.max(committed, 0));
      } finally {
        await successor?.stop();
      }
      expect(await committedOffset(bed.admin, groupId, topic)).toBe(events.length);
    },
  );
});
