import type { Partition } from '../log/topic-store';
import { ErrorCode } from '../protocol/errors';
import type { Reader } from '../protocol/reader';
import { Writer } from '../protocol/writer';
import type { BrokerState, Handler, ResponseBody } from './context';

interface FetchPartitionRequest {
  readonly partition: number;
  readonly fetchOffset: number;
  readonly maxBytes: number;
}

interface FetchTopicRequest {
  readonly name: string;
  readonly partitions: FetchPartitionRequest[];
}

interface FetchRequest {
  readonly maxWaitMs: number;
  readonly minBytes: number;
  readonly maxBytes: number;
  readonly topics: FetchTopicRequest[];
}

interface PartitionData {
  readonly partition: number;
  readonly errorCode: number;
  readonly highWatermark: number;
  readonly logStartOffset: number;
  readonly records: Buffer[];
  readonly bytes: number;
}

interface FetchOutcome {
  readonly topics: { name: string; partitions: PartitionData[] }[];
  readonly bytes: number;
  readonly hasError: boolean;
}

function decodeFetch(r: Reader, version: number): FetchRequest {
  r.int32(); // replica id
  const maxWaitMs = r.int32();
  const minBytes = r.int32();
  const maxBytes = r.int32();
  r.int8(); // isolation level: there are no transactions, so both levels read the same
  if (version >= 7) {
    r.int32(); // session id: sessions are not kept; we always answer with full responses
    r.int32(); // session epoch
  }
  const topics = r.array((tr) => ({
    name: tr.string(),
    partitions: tr.array((pr) => {
      const partition = pr.int32();
      if (version >= 9) pr.int32(); // current leader epoch
      const fetchOffset = pr.int64();
      if (version >= 5) pr.int64(); // follower log start offset
      return { partition, fetchOffset, maxBytes: pr.int32() };
    }),
  }));
  if (version >= 7) r.array((tr) => [tr.string(), tr.array((pr) => pr.int32())]); // forgotten topics
  if (version >= 11) r.string(); // rack id
  return { maxWaitMs, minBytes, maxBytes, topics };
}

function readAll(request: FetchRequest, broker: BrokerState): FetchOutcome {
  let total = 0;
  let hasError = false;
  const topics = request.topics.map((t) => ({
    name: t.name,
    partitions: t.partitions.map((p): PartitionData => {
      const partition = broker.topics.partition(t.name, p.partition);
      if (partition === undefined) {
        hasError = true;
        return { partition: p.partition, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, highWatermark: -1, logStartOffset: -1, records: [], bytes: 0 };
      }
      const { log } = partition;
      const base = { partition: p.partition, highWatermark: log.logEndOffset, logStartOffset: log.logStartOffset };
      if (p.fetchOffset < log.logStartOffset || p.fetchOffset > log.logEndOffset) {
        hasError = true;
        return { ...base, errorCode: ErrorCode.OFFSET_OUT_OF_RANGE, records: [], bytes: 0 };
      }
      const budget = Math.min(p.maxBytes, request.maxBytes - total);
      if (p.fetchOffset === log.logEndOffset || (total > 0 && budget <= 0)) {
        return { ...base, errorCode: ErrorCode.NONE, records: [], bytes: 0 };
      }
      const records = log.read(p.fetchOffset, Math.max(budget, 1));
      let bytes = 0;
      for (const chunk of records) bytes += chunk.length;
      // Only the first partition with data may exceed the limits (with one whole batch).
      if (total > 0 && bytes > budget) return { ...base, errorCode: ErrorCode.NONE, records: [], bytes: 0 };
      total += bytes;
      return { ...base, errorCode: ErrorCode.NONE, records, bytes };
    }),
  }));
  return { topics, bytes: total, hasError };
}

function encodeFetch(outcome: FetchOutcome, version: number): Writer {
  const writer = new Writer(256);
  writer.int32(0); // throttle
  if (version >= 7) writer.int16(ErrorCode.NONE).int32(0); // error, session id
  writer.array(outcome.topics, (w, topic) => {
    w.string(topic.name);
    w.array(topic.partitions, (pw, p) => {
      pw.int32(p.partition).int16(p.errorCode).int64(p.highWatermark).int64(p.highWatermark);
      if (version >= 5) pw.int64(p.logStartOffset);
      pw.int32(0); // aborted transactions
      if (version >= 11) pw.int32(-1); // preferred read replica
      pw.int32(p.bytes);
      for (const chunk of p.records) pw.chunk(chunk);
    });
  });
  return writer;
}

/**
 * Fetch v4–11 with long polling: answers at once when min bytes are available, an error occurred
 * or max wait is 0; otherwise waits for appends to the fetched partitions (no polling loop) until
 * enough bytes arrived or max wait expired.
 */
export const handleFetch: Handler = (ctx, broker) => {
  const version = ctx.header.apiVersion;
  const request = decodeFetch(ctx.reader, version);
  const first = readAll(request, broker);
  const minBytes = Math.max(request.minBytes, 1);
  if (request.maxWaitMs <= 0 || first.bytes >= minBytes || first.hasError) return encodeFetch(first, version);

  const watched: Partition[] = [];
  for (const t of request.topics) {
    for (const p of t.partitions) {
      const partition = broker.topics.partition(t.name, p.partition);
      if (partition) watched.push(partition);
    }
  }
  return new Promise<ResponseBody>((resolve, reject) => {
    let arrived = first.bytes;
    let scheduled = false;
    let done = false;
    // Runs from a timer or a microtask: a failure must reject (closing the connection), not throw.
    const finish = (): void => {
      if (done) return;
      done = true;
      cleanup();
      try {
        resolve(encodeFetch(readAll(request, broker), version));
      } catch (error) {
        reject(error);
      }
    };
    const onAppend = (bytes: number): void => {
      arrived += bytes;
      // bytes 0 means the partition was deleted: answer so the client sees the error.
      if ((arrived >= minBytes || bytes === 0) && !scheduled) {
        scheduled = true;
        queueMicrotask(finish);
      }
    };
    const timer = setTimeout(finish, request.maxWaitMs);
    const unregisterClose = ctx.onClose(() => {
      done = true;
      cleanup();
    });
    function cleanup(): void {
      clearTimeout(timer);
      unregisterClose();
      for (const partition of watched) partition.appendListeners.delete(onAppend);
    }
    for (const partition of watched) partition.appendListeners.add(onAppend);
  });
};
