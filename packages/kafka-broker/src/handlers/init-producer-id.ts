import { ErrorCode } from '../protocol/errors';
import { Writer } from '../protocol/writer';
import type { Handler } from './context';

/**
 * InitProducerId v0–1 for kafkajs's idempotent producer: hands out fresh producer ids. Sequence
 * numbers are not checked (no de-duplication) and transactional ids are refused.
 */
export const handleInitProducerId: Handler = (ctx, broker) => {
  const transactionalId = ctx.reader.nullableString();
  ctx.reader.int32(); // transaction timeout
  const writer = new Writer(32).int32(0);
  if (transactionalId !== null) return writer.int16(ErrorCode.COORDINATOR_NOT_AVAILABLE).int64(-1).int16(-1);
  return writer.int16(ErrorCode.NONE).int64(broker.nextProducerId++).int16(0);
};
