import { ErrorCode } from '../protocol/errors';
import { Writer } from '../protocol/writer';
import type { Handler } from './context';

const GROUP = 0;
const TRANSACTION = 1;

/** FindCoordinator v0–2: this broker coordinates every group; transactions are not supported. */
export const handleFindCoordinator: Handler = (ctx, broker) => {
  const version = ctx.header.apiVersion;
  ctx.reader.string(); // key
  const keyType = version >= 1 ? ctx.reader.int8() : GROUP;
  const errorCode =
    keyType === GROUP ? ErrorCode.NONE : keyType === TRANSACTION ? ErrorCode.COORDINATOR_NOT_AVAILABLE : ErrorCode.INVALID_REQUEST;
  const ok = errorCode === ErrorCode.NONE;
  const writer = new Writer(64);
  if (version >= 1) writer.int32(0);
  writer.int16(errorCode);
  if (version >= 1) writer.nullableString(ok ? null : 'The coordinator is not available.');
  writer.int32(ok ? broker.nodeId : -1).string(ok ? broker.config.advertisedHost : '').int32(ok ? broker.port : -1);
  return writer;
};
