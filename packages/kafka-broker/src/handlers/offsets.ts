import type { OffsetCommitEntry } from '../groups/offset-store';
import { ErrorCode } from '../protocol/errors';
import { Writer } from '../protocol/writer';
import type { Handler } from './context';

/** OffsetCommit v5: generation/member checks, then one durable write for the whole request. */
export const handleOffsetCommit: Handler = (ctx, broker) => {
  const r = ctx.reader;
  const groupId = r.string();
  const generationId = r.int32();
  const memberId = r.string();
  const topics = r.array((tr) => ({
    name: tr.string(),
    partitions: tr.array((pr) => ({ partition: pr.int32(), offset: pr.int64(), metadata: pr.nullableString() })),
  }));
  const check = broker.groups.checkCommit(groupId, generationId, memberId);
  const codes = new Map<string, number>();
  const key = (topic: string, partition: number): string => `${partition}:${topic}`;
  const entries: OffsetCommitEntry[] = [];
  for (const topic of topics) {
    for (const p of topic.partitions) {
      if (check !== ErrorCode.NONE) codes.set(key(topic.name, p.partition), check);
      else if (broker.topics.partition(topic.name, p.partition) === undefined) {
        codes.set(key(topic.name, p.partition), ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
      } else entries.push({ topic: topic.name, partition: p.partition, offset: p.offset, metadata: p.metadata });
    }
  }
  if (entries.length > 0) {
    const results = broker.groups.commitOffsets(groupId, entries);
    entries.forEach((e, i) => codes.set(key(e.topic, e.partition), results[i] ?? ErrorCode.NONE));
  }
  const writer = new Writer(128);
  writer.int32(0);
  writer.array(topics, (w, topic) => {
    w.string(topic.name);
    w.array(topic.partitions, (pw, p) => pw.int32(p.partition).int16(codes.get(key(topic.name, p.partition)) ?? 0));
  });
  return writer;
};

/** OffsetFetch v4: -1 and empty metadata where nothing is committed; null topics = all committed. */
export const handleOffsetFetch: Handler = (ctx, broker) => {
  const r = ctx.reader;
  const groupId = r.string();
  const requested = r.nullableArray((tr) => ({ name: tr.string(), partitions: tr.array((pr) => pr.int32()) }));
  const committed = broker.offsets.committed(groupId);
  const topics =
    requested ?? [...committed].map(([name, partitions]) => ({ name, partitions: [...partitions.keys()] }));
  const writer = new Writer(128);
  writer.int32(0);
  writer.array(topics, (w, topic) => {
    w.string(topic.name);
    w.array(topic.partitions, (pw, partition) => {
      const offset = committed.get(topic.name)?.get(partition);
      pw.int32(partition).int64(offset?.offset ?? -1).nullableString(offset ? offset.metadata : '').int16(ErrorCode.NONE);
    });
  });
  writer.int16(groupId === '' ? ErrorCode.INVALID_GROUP_ID : ErrorCode.NONE);
  return writer;
};
