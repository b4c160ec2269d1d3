import { errorMessage } from '../logger';
import { ErrorCode } from '../protocol/errors';
import { validateRecordSet } from '../protocol/record-batch';
import { Writer } from '../protocol/writer';
import type { Handler } from './context';

interface PartitionResult {
  readonly partition: number;
  readonly errorCode: number;
  readonly baseOffset: number;
  readonly logStartOffset: number;
}

/**
 * Produce v3–7. Only batch headers are parsed: each batch's CRC-32C is verified and the batch is
 * written as received (compressed or not) with its assigned base offset. All batches of a
 * partition are validated before any is appended. acks 0 gets no response.
 */
export const handleProduce: Handler = (ctx, broker) => {
  const r = ctx.reader;
  const version = ctx.header.apiVersion;
  r.nullableString(); // transactional id: transactions are not supported, records are appended as-is
  const acks = r.int16();
  r.int32(); // timeout: writes complete before we answer
  const validAcks = acks === -1 || acks === 0 || acks === 1;
  const results = r.array((tr) => {
    const name = tr.string();
    const topic = broker.topics.get(name);
    const partitions = tr.array((pr): PartitionResult => {
      const id = pr.int32();
      const records = pr.nullableBytes();
      const fail = (errorCode: number): PartitionResult => ({ partition: id, errorCode, baseOffset: -1, logStartOffset: -1 });
      if (!validAcks) return fail(ErrorCode.INVALID_REQUIRED_ACKS);
      const partition = topic?.partitions[id];
      if (topic === undefined || partition === undefined) return fail(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
      if (records === null) return fail(ErrorCode.CORRUPT_MESSAGE);
      const validated = validateRecordSet(records, topic.config.maxMessageBytes);
      if (!validated.ok) {
        broker.logger.info('rejected produce', { topic: name, partition: id, reason: validated.reason });
        return fail(validated.errorCode);
      }
      let baseOffset = -1;
      try {
        for (const batch of validated.batches) {
          const assigned = partition.append(records, batch);
          if (baseOffset < 0) baseOffset = assigned;
        }
      } catch (error) {
        broker.logger.error('append failed', { topic: name, partition: id, error: errorMessage(error) });
        return fail(ErrorCode.KAFKA_STORAGE_ERROR);
      }
      return { partition: id, errorCode: ErrorCode.NONE, baseOffset, logStartOffset: partition.log.logStartOffset };
    });
    return { name, partitions };
  });
  if (acks === 0) return null;

  const writer = new Writer(64 + results.length * 64);
  writer.array(results, (w, topic) => {
    w.string(topic.name);
    w.array(topic.partitions, (pw, p) => {
      pw.int32(p.partition).int16(p.errorCode).int64(p.baseOffset).int64(-1);
      if (version >= 5) pw.int64(p.logStartOffset);
    });
  });
  return writer.int32(0);
};
