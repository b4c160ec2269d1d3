import { ErrorCode } from '../protocol/errors';
import { Writer } from '../protocol/writer';
import type { Handler } from './context';

const LATEST = -1;
const EARLIEST = -2;

/** ListOffsets v2–3: -1 latest (log end), -2 earliest (log start), else the first offset at/after a timestamp. */
export const handleListOffsets: Handler = (ctx, broker) => {
  const r = ctx.reader;
  r.int32(); // replica id
  r.int8(); // isolation level
  const topics = r.array((tr) => {
    const name = tr.string();
    const partitions = tr.array((pr) => {
      const id = pr.int32();
      const timestamp = pr.int64();
      const partition = broker.topics.partition(name, id);
      if (partition === undefined) {
        return { id, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, timestamp: -1, offset: -1 };
      }
      const { log } = partition;
      if (timestamp === LATEST) return { id, errorCode: ErrorCode.NONE, timestamp: -1, offset: log.logEndOffset };
      if (timestamp === EARLIEST) return { id, errorCode: ErrorCode.NONE, timestamp: -1, offset: log.logStartOffset };
      const found = log.offsetForTimestamp(timestamp);
      return found === null
        ? { id, errorCode: ErrorCode.NONE, timestamp: -1, offset: -1 }
        : { id, errorCode: ErrorCode.NONE, timestamp: found.timestamp, offset: Math.max(found.offset, log.logStartOffset) };
    });
    return { name, partitions };
  });
  const writer = new Writer(128);
  writer.int32(0);
  writer.array(topics, (w, topic) => {
    w.string(topic.name);
    w.array(topic.partitions, (pw, p) => pw.int32(p.id).int16(p.errorCode).int64(p.timestamp).int64(p.offset));
  });
  return writer;
};
