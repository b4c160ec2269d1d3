import { randomUUID } from 'node:crypto';
import type { EventEnvelope, SwitchboardEvent } from '@switchboard/events';
import { eventCatalog } from '@switchboard/events';
import { createRedisDedupeStore, ensureTopics } from '../src';
import { committedOffset, freshTopic, pause, produce, readTopic, teamEvents, uniqueName, useConsumerTestBed, waitFor } from './helpers';

const bed = useConsumerTestBed('kafka');

describe('runConsumer', () => {
  it('hands every event to the handler in order and, committing every message, commits each one after the handler resolved', async () => {
    const events = teamEvents(5);
    const { topic, groupId } = await freshTopic(bed.kafka, events);
    const seen: { id: string; offset: string }[] = [];
    const committedWhenCalled: number[] = [];
    const handle = await bed.start({
      groupId,
      topics: [topic],
      commit: { everyMessages: 1 },
      handle: async (event, meta) => {
        committedWhenCalled.push(await committedOffset(bed.admin, groupId, topic));
        seen.push({ id: event.id, offset: meta.offset });
      },
    });
    await waitFor(() => seen.length === 5, '5 events');
    expect(seen.map((s) => s.id)).toEqual(events.map((e) => e.id));
    // When the handler is called for offset n, exactly offsets < n are committed.
    expect(committedWhenCalled).toEqual([-1, 1, 2, 3, 4]);
    await waitFor(async () => (await committedOffset(bed.admin, groupId, topic)) === 5, 'offset 5 committed');
    expect(handle.stats()).toMatchObject({ received: 5, handled: 5, unreadable: 0, duplicates: 0 });
  });

  it('retries a failing handler with backoff and never commits past it', async () => {
    const events = teamEvents(4);
    const { topic, groupId } = await freshTopic(bed.kafka, events);
    const calls: string[] = [];
    let failures = 0;
    const handle = await bed.start({
      groupId,
      topics: [topic],
      handle: async (event, meta) => {
        calls.push(`${event.id}#${meta.attempt}`);
        if (event.id === events[1]!.id && failures < 3) {
          failures += 1;
          // While it keeps failing, only the first event is committed.
          expect(await committedOffset(bed.admin, groupId, topic)).toBe(1);
          throw new Error('database unavailable');
        }
      },
    });
    await waitFor(() => handle.stats().handled === 4, '4 events handled');
    expect(calls).toEqual([
      `${events[0]!.id}#1`,
      `${events[1]!.id}#1`,
      `${events[1]!.id}#2`,
      `${events[1]!.id}#3`,
      `${events[1]!.id}#4`,
      `${events[2]!.id}#1`,
      `${events[3]!.id}#1`,
    ]);
    expect(handle.stats()).toMatchObject({ handled: 4, failedAttempts: 3 });
    await waitFor(async () => (await committedOffset(bed.admin, groupId, topic)) === 4, 'offset 4 committed');
  });

  it('parks unreadable messages on <topic>.unreadable, counts them, and goes on', async () => {
    const topic = uniqueName('team.changed');
    const [first, last] = teamEvents(2);
    const unknownType = JSON.stringify({ ...first, id: randomUUID(), type: 'payment.captured' });
    const badPayload = JSON.stringify({ ...first, id: randomUUID(), payload: { teamId: 'nope' } });
    await produce(bed.kafka, topic, [first!, 'not json at all', null, unknownType, badPayload, last!]);
    const seen: string[] = [];
    const handle = await bed.start({ topics: [topic], handle: async (event) => void seen.push(event.id) });
    await waitFor(() => seen.length === 2, 'both readable events');
    expect(seen).toEqual([first!.id, last!.id]);
    expect(handle.stats()).toMatchObject({ received: 6, handled: 2, unreadable: 4 });

    const parked = await readTopic(bed.kafka, `${topic}.unreadable`, 4);
    expect(parked.map((m) => m.headers?.['x-parked-reason']?.toString().split(':')[0])).toEqual([
      'INVALID_JSON',
      'EMPTY',
      'UNKNOWN_TYPE',
      'INVALID_PAYLOAD',
    ]);
    expect(parked.map((m) => m.headers?.['x-original-offset']?.toString())).toEqual(['1', '2', '3', '4']);
    expect(parked[0]!.value?.toString()).toBe('not json at all');
    expect(parked[0]!.headers?.['x-original-topic']?.toString()).toBe(topic);
  });

  it('skips event ids the group already handled when given a dedupe store', async () => {
    const topic = uniqueName('team.changed');
    const [a, b] = teamEvents(2);
    // The same event published three times (a producer retry, a relay re-run …).
    await produce(bed.kafka, topic, [a!, b!, a!, a!]);
    const seen: string[] = [];
    const handle = await bed.start({
      topics: [topic],
      dedupe: createRedisDedupeStore({ redis: bed.redis, keyPrefix: bed.redisPrefix }),
      handle: async (event) => void seen.push(event.id),
    });
    // `received` counts a message on arrival; wait until each one's outcome is recorded.
    await waitFor(() => handle.stats().handled + handle.stats().duplicates === 4, '4 outcomes');
    expect(seen).toEqual([a!.id, b!.id]);
    expect(handle.stats()).toMatchObject({ received: 4, handled: 2, duplicates: 2 });
  });

  it('dedupes per consumer group: another group handles the same ids again', async () => {
    const topic = uniqueName('team.changed');
    const events = teamEvents(3);
    await produce(bed.kafka, topic, events);
    const dedupe = createRedisDedupeStore({ redis: bed.redis, keyPrefix: bed.redisPrefix });
    const seenA: string[] = [];
    const seenB: string[] = [];
    await bed.start({ topics: [topic], dedupe, handle: async (event) => void seenA.push(event.id) });
    await bed.start({ topics: [topic], dedupe, handle: async (event) => void seenB.push(event.id) });
    await waitFor(() => seenA.length === 3 && seenB.length === 3, 'both groups');
    expect(seenB).toEqual(seenA);
  });

  it('parks an event on <topic>.deadletter after maxAttempts and moves on', async () => {
    const topic = uniqueName('team.changed');
    const [poison, next] = teamEvents(2);
    await produce(bed.kafka, topic, [poison!, next!]);
    const seen: string[] = [];
    const handle = await bed.start({
      topics: [topic],
      retry: { initialMs: 10, maxMs: 20, maxAttempts: 3 },
      handle: async (event) => {
        if (event.id === poison!.id) throw new Error('provider refused');
        seen.push(event.id);
      },
    });
    await waitFor(() => seen.length === 1, 'the next event');
    expect(handle.stats()).toMatchObject({ failedAttempts: 3, deadLettered: 1, handled: 1 });
    const [parked] = await readTopic(bed.kafka, `${topic}.deadletter`, 1);
    expect(JSON.parse(parked!.value!.toString()).id).toBe(poison!.id);
    expect(parked!.headers?.['x-parked-reason']?.toString()).toBe('handler failed 3 times: provider refused');
  });

  it('handles several partitions at once with concurrency, keeping each key in order', async () => {
    const topic = uniqueName('team.changed');
    const created = await ensureTopics(bed.admin, [topic], 3);
    expect(created).toEqual([topic]);
    const teams = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
    const byTeam = new Map(teams.map((teamId) => [teamId, teamEvents(6, teamId)]));
    const producer = bed.kafka.producer();
    await producer.connect();
    for (let i = 0; i < 6; i++) {
      await producer.send({
        topic,
        // Each team on a partition of its own choosing, so that the four always span all three
        // (by their keys' hashes, all four shared one partition in about one run in 27).
        messages: teams.map((teamId, index) => {
          const encoded = eventCatalog.encode(byTeam.get(teamId)![i]!);
          return { key: encoded.key, value: encoded.value, partition: index % 3 };
        }),
      });
    }
    await producer.disconnect();
    const seen = new Map<string, string[]>();
    let running = 0;
    let maxRunning = 0;
    await bed.start({
      topics: [topic],
      concurrency: 3,
      handle: async (event) => {
        running += 1;
        maxRunning = Math.max(maxRunning, running);
        await pause(20);
        const teamId = (event.payload as { teamId: string }).teamId;
        seen.set(teamId, [...(seen.get(teamId) ?? []), event.id]);
        running -= 1;
      },
    });
    await waitFor(() => [...seen.values()].flat().length === 24, '24 events');
    for (const teamId of teams) expect(seen.get(teamId)).toEqual(byTeam.get(teamId)!.map((e) => e.id));
    expect(maxRunning).toBeGreaterThan(1);
  });

  it('commits on its cadence, not per message: nothing before the interval is up, then everything handled', async () => {
    const events = teamEvents(300);
    const { topic, groupId } = await freshTopic(bed.kafka, events);
    const seen: string[] = [];
    await bed.start({ groupId, topics: [topic], commit: { intervalMs: 1_500 }, handle: async (event) => void seen.push(event.id) });
    await waitFor(() => seen.length === 300, '300 handled');
    // Committing after each message (kafkajs's autoCommit) would show most of them committed by now.
    expect(await committedOffset(bed.admin, groupId, topic)).toBe(-1);
    await waitFor(async () => (await committedOffset(bed.admin, groupId, topic)) === 300, 'offset 300 committed on the interval', 5_000);
    expect(seen).toEqual(events.map((e) => e.id));
  });

  it('commits what it handled when a rebalance starts: a member that joins later gets none of it again', async () => {
    const topic = uniqueName('team.changed');
    await ensureTopics(bed.admin, [topic], 4);
    const publish = async (teams: number, each: number): Promise<string[]> => {
      const events = Array.from({ length: teams }, () => teamEvents(each, randomUUID())).flat();
      const producer = bed.kafka.producer();
      await producer.connect();
      await producer.send({ topic, messages: events.map((event) => eventCatalog.encode(event)).map(({ key, value }) => ({ key, value })) });
      await producer.disconnect();
      return events.map((event) => event.id);
    };
    const before = await publish(8, 5);
    const groupId = uniqueName('group');
    const first: string[] = [];
    const second: string[] = [];
    // A minute between commits: only the rebalance (or shutdown) commits within this test.
    await bed.start({ groupId, topics: [topic], commit: { intervalMs: 60_000 }, handle: async (event) => void first.push(event.id) });
    await waitFor(() => first.length === before.length, 'the first member handled everything');
    await bed.start({ groupId, topics: [topic], commit: { intervalMs: 60_000 }, handle: async (event) => void second.push(event.id) });
    const after = await publish(8, 1);
    await waitFor(() => after.every((id) => first.includes(id) || second.includes(id)), 'both members handled the new events');
    expect(second.length).toBeGreaterThan(0);
    expect(second.filter((id) => before.includes(id))).toEqual([]);
  });

  it('graceful shutdown: pauses, lets the message in flight finish, commits it, and a successor resumes right after it', async () => {
    const events = teamEvents(10);
    const { topic, groupId } = await freshTopic(bed.kafka, events);
    const seen: string[] = [];
    let inFlight = 0;
    const handle = await bed.run({
      groupId,
      topics: [topic],
      // No commit before shutdown: shutdown must commit what was handled.
      commit: { intervalMs: 60_000 },
      handle: async (event) => {
        inFlight += 1;
        await pause(100);
        seen.push(event.id);
        inFlight -= 1;
      },
    });
    await waitFor(() => seen.length === 3, '3 handled');
    await waitFor(() => inFlight === 1, 'a 4th in flight');
    await handle.stop();
    expect(inFlight).toBe(0);
    const handledBeforeStop = seen.length;
    expect(handledBeforeStop).toBe(4);
    expect(await committedOffset(bed.admin, groupId, topic)).toBe(handledBeforeStop);

    const rest: string[] = [];
    await bed.start({ groupId, topics: [topic], handle: async (event) => void rest.push(event.id) });
    await waitFor(() => rest.length === 6, 'the other 6');
    await pause(300);
    expect([...seen, ...rest]).toEqual(events.map((e) => e.id));
  });

  it('stop() returns while a handler keeps failing, without committing the failing event', async () => {
    const [ok, failing] = teamEvents(2);
    const { topic, groupId } = await freshTopic(bed.kafka, [ok!, failing!]);
    let attempts = 0;
    const handle = await bed.run({
      groupId,
      topics: [topic],
      retry: { initialMs: 5_000, maxMs: 5_000 },
      handle: async (event: SwitchboardEvent | EventEnvelope) => {
        if (event.id === failing!.id) {
          attempts += 1;
          throw new Error('still down');
        }
      },
    });
    await waitFor(() => attempts === 1, 'first failure');
    const started = Date.now();
    await handle.stop();
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(await committedOffset(bed.admin, groupId, topic)).toBe(1);
  });
});
