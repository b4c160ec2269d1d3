import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { Consumer } from 'kafkajs';
import { kafkaFor, startTestBroker, waitFor, type TestBroker } from './helpers';

const SESSION_TIMEOUT = 2000;

interface Member {
  consumer: Consumer;
  assigned: number[];
  received: { partition: number; offset: string }[];
}

describe('consumer groups (kafkajs)', () => {
  let t: TestBroker;

  beforeAll(async () => {
    t = await startTestBroker({ inMemory: true });
  });

  afterAll(async () => {
    await t.broker.close();
  });

  async function createTopic(topic: string, partitions: number): Promise<void> {
    const admin = kafkaFor(t.broker).admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: partitions }] });
    await admin.disconnect();
  }

  async function startMember(groupId: string, topic: string): Promise<Member> {
    const consumer = kafkaFor(t.broker).consumer({
      groupId,
      sessionTimeout: SESSION_TIMEOUT,
      rebalanceTimeout: SESSION_TIMEOUT * 2,
      heartbeatInterval: 200,
      maxWaitTimeInMs: 100,
    });
    const member: Member = { consumer, assigned: [], received: [] };
    consumer.on(consumer.events.GROUP_JOIN, (event) => {
      member.assigned = [...(event.payload.memberAssignment[topic] ?? [])].sort((a, b) => a - b);
    });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ partition, message }) => {
        member.received.push({ partition, offset: message.offset });
      },
    });
    return member;
  }

  const split = (members: { assigned: number[] }[], perMember: number, total: number): boolean =>
    members.every((m) => m.assigned.length === perMember) &&
    new Set(members.flatMap((m) => m.assigned)).size === total;

  test('three members split six partitions, and the group rebalances when one leaves', async () => {
    await createTopic('split', 6);
    const members = await Promise.all([0, 1, 2].map(() => startMember('split-group', 'split')));
    await waitFor(() => split(members, 2, 6), 'a 2/2/2 split of 6 partitions');

    const producer = kafkaFor(t.broker).producer();
    await producer.connect();
    for (let partition = 0; partition < 6; partition++) {
      await producer.send({
        topic: 'split',
        messages: Array.from({ length: 10 }, (_, i) => ({ partition, value: `p${partition}-${i}` })),
      });
    }
    await waitFor(() => members.reduce((n, m) => n + m.received.length, 0) >= 60, 'all 60 messages');
    for (const member of members) {
      // Each member only saw its own partitions, and each message was delivered once.
      expect(new Set(member.received.map((r) => r.partition))).toEqual(new Set(member.assigned));
    }
    const all = members.flatMap((m) => m.received.map((r) => `${r.partition}/${r.offset}`));
    expect(new Set(all).size).toBe(60);

    const [first, second, leaving] = members as [Member, Member, Member];
    await leaving.consumer.disconnect(); // sends LeaveGroup
    await waitFor(() => split([first, second], 3, 6), 'a 3/3 split after a member left', 10_000);

    await producer.send({
      topic: 'split',
      messages: Array.from({ length: 6 }, (_, partition) => ({ partition, value: `after-leave-${partition}` })),
    });
    await waitFor(() => first.received.length + second.received.length >= 66 - leaving.received.length, 'messages after the rebalance');
    await producer.disconnect();
    await Promise.all([first.consumer.disconnect(), second.consumer.disconnect()]);
  });

  test('a killed member is evicted after its session timeout and its partitions move', async () => {
    await createTopic('killed', 6);
    const child: ChildProcess = spawn(
      process.execPath,
      [path.join(__dirname, 'fixtures', 'group-member.js'), t.broker.brokers, 'kill-group', 'killed', String(SESSION_TIMEOUT)],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let childAssigned: number[] = [];
    let childErrors = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      for (const line of chunk.toString().split('\n').filter(Boolean)) {
        childAssigned = (JSON.parse(line) as { assigned: number[] }).assigned;
      }
    });
    child.stderr?.on('data', (chunk: Buffer) => (childErrors += chunk.toString()));
    try {
      const members = await Promise.all([0, 1].map(() => startMember('kill-group', 'killed')));
      await waitFor(
        () => split([...members, { assigned: childAssigned }], 2, 6),
        `a 2/2/2 split including the child process ${childErrors}`,
      );
      const killedAt = Date.now();
      child.kill('SIGKILL');
      await waitFor(() => split(members, 3, 6), 'a 3/3 split after the kill', 15_000);
      // Nobody told the broker: only the session timeout can have removed the member.
      expect(Date.now() - killedAt).toBeGreaterThanOrEqual(SESSION_TIMEOUT - 300);
      expect(t.logs.some((l) => l.message === 'member removed' && l.fields?.reason === 'session timeout')).toBe(true);
      await Promise.all(members.map((m) => m.consumer.disconnect()));
    } finally {
      child.kill('SIGKILL');
    }
  });
});
