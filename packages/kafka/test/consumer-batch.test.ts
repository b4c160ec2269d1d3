import type { SwitchboardEvent } from '@switchboard/events';
import { createRedisDedupeStore, runConsumer, type BatchMeta } from '../src';
import { committedOffset, freshTopic, log, pause, produce, readTopic, teamEvents, uniqueName, useConsumerTestBed, waitFor } from './helpers';

const bed = useConsumerTestBed('kafka-batch');

describe('runConsumer in batch mode (handleBatch)', () => {
  it('hands consecutive events over in batches of at most maxBatchSize, in order, committing each batch only after it resolved', async () => {
    const events = teamEvents(1_050);
    const { topic, groupId } = await freshTopic(bed.kafka, events);
    const batches: { ids: string[]; meta: BatchMeta; committedWhenCalled: number }[] = [];
    const handle = await bed.start({
      groupId,
      topics: [topic],
      maxBatchSize: 400,
      commit: { everyMessages: 1 },
      handleBatch: async (batch, meta) => {
        batches.push({ ids: batch.map((e) => e.id), meta, committedWhenCalled: await committedOffset(bed.admin, groupId, topic) });
        await pause(50);
      },
    });
    await waitFor(() => batches.flatMap((b) => b.ids).length === 1_050, '1050 events', 20_000);
    expect(batches.flatMap((b) => b.ids)).toEqual(events.map((e) => e.id));
    expect(Math.max(...batches.map((b) => b.ids.length))).toBeLessThanOrEqual(400);
    // Fewer calls than events, and each call sees exactly the offsets before its first committed.
    expect(batches.length).toBeLessThan(20);
    for (const batch of batches) {
      expect(batch.committedWhenCalled).toBe(Number(batch.meta.firstOffset) === 0 ? -1 : Number(batch.meta.firstOffset));
      expect(Number(batch.meta.lastOffset) - Number(batch.meta.firstOffset) + 1).toBe(batch.ids.length);
      expect(batch.meta.attempt).toBe(1);
    }
    await waitFor(async () => (await committedOffset(bed.admin, groupId, topic)) === 1_050, 'offset 1050 committed');
    expect(handle.stats()).toMatchObject({ received: 1_050, handled: 1_050, unreadable: 0, duplicates: 0, failedAttempts: 0 });
  });

  it('parks unreadable messages, leaves out ids repeated in the batch, and commits past both', async () => {
    const [a, b, c] = teamEvents(3);
    const { topic, groupId } = await freshTopic(bed.kafka, [a!, 'not json at all', b!, a!, null, c!, b!]);
    const seen: string[][] = [];
    const handle = await bed.start({ groupId, topics: [topic], handleBatch: async (batch) => void seen.push(batch.map((e) => e.id)) });
    await waitFor(async () => (await committedOffset(bed.admin, groupId, topic)) === 7, 'offset 7 committed');
    expect(seen.flat()).toEqual([a!.id, b!.id, c!.id]);
    expect(handle.stats()).toMatchObject({ received: 7, handled: 3, unreadable: 2, duplicates: 2 });
    const parked = await readTopic(bed.kafka, `${topic}.unreadable`, 2);
    expect(parked.map((m) => m.headers?.['x-original-offset']?.toString())).toEqual(['1', '4']);
  });

  it('retries the whole batch with backoff while it fails, committing nothing of it meanwhile', async () => {
    const events = teamEvents(5);
    const { topic, groupId } = await freshTopic(bed.kafka, events);
    const calls: { ids: string[]; attempt: number; committed: number }[] = [];
    const handle = await bed.start({
      groupId,
      topics: [topic],
      handleBatch: async (batch, meta) => {
        calls.push({ ids: batch.map((e) => e.id), attempt: meta.attempt, committed: await committedOffset(bed.admin, groupId, topic) });
        if (calls.length <= 2) throw new Error('database unavailable');
      },
    });
    await waitFor(() => handle.stats().handled === 5, '5 events handled');
    expect(calls.map((call) => call.attempt)).toEqual([1, 2, 3]);
    expect(calls.map((call) => call.committed)).toEqual([-1, -1, -1]);
    for (const call of calls) expect(call.ids).toEqual(events.map((e) => e.id));
    expect(handle.stats()).toMatchObject({ handled: 5, failedAttempts: 2 });
    await waitFor(async () => (await committedOffset(bed.admin, groupId, topic)) === 5, 'offset 5 committed');
  });

  it('after maxAttempts, hands the events over one at a time so only the failing one is dead-lettered', async () => {
    const [before, poison, after] = teamEvents(3);
    const { topic, groupId } = await freshTopic(bed.kafka, [before!, poison!, after!]);
    const applied: string[] = [];
    const handle = await bed.start({
      groupId,
      topics: [topic],
      retry: { initialMs: 10, maxMs: 20, maxAttempts: 2 },
      handleBatch: async (batch: SwitchboardEvent[]) => {
        // All or nothing, like one SQL statement.
        if (batch.some((e) => e.id === poison!.id)) throw new Error('value too long');
        applied.push(...batch.map((e) => e.id));
      },
    });
    await waitFor(async () => (await committedOffset(bed.admin, groupId, topic)) === 3, 'offset 3 committed');
    expect(applied).toEqual([before!.id, after!.id]);
    // 2 batch attempts, then 2 attempts of the poison event alone.
    expect(handle.stats()).toMatchObject({ handled: 2, deadLettered: 1, failedAttempts: 4 });
    const [parked] = await readTopic(bed.kafka, `${topic}.deadletter`, 1);
    expect(JSON.parse(parked!.value!.toString()).id).toBe(poison!.id);
  });

  it('skips event ids the group already handled when given a dedupe store', async () => {
    const topic = uniqueName('team.changed');
    const [a, b, c] = teamEvents(3);
    const dedupe = createRedisDedupeStore({ redis: bed.redis, keyPrefix: bed.redisPrefix });
    const groupId = uniqueName('group');
    // `a` was handled by this group before (a redelivery after a crash).
    await dedupe.claim(`${groupId}:${a!.id}`);
    await dedupe.complete(`${groupId}:${a!.id}`);
    await produce(bed.kafka, topic, [a!, b!, c!]);
    const seen: string[] = [];
    const handle = await bed.start({ groupId, topics: [topic], dedupe, handleBatch: async (batch) => void seen.push(...batch.map((e) => e.id)) });
    await waitFor(() => handle.stats().handled + handle.stats().duplicates === 3, '3 outcomes');
    expect(seen).toEqual([b!.id, c!.id]);
    expect(await dedupe.claim(`${groupId}:${c!.id}`)).toBe('done');
  });

  it('needs exactly one of handle and handleBatch', async () => {
    const topics = [uniqueName('team.changed')];
    await expect(runConsumer({ kafka: bed.kafka, groupId: uniqueName('group'), log, topics })).rejects.toThrow('either `handle` or `handleBatch`');
    await expect(
      runConsumer({ kafka: bed.kafka, groupId: uniqueName('group'), log, topics, handle: async () => {}, handleBatch: async () => {} }),
    ).rejects.toThrow('either `handle` or `handleBatch`');
  });
});
