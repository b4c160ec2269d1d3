import { ErrorCode } from '../protocol/errors';
import { Writer } from '../protocol/writer';
import type { Handler } from './context';

/** DescribeGroups v0–2. Unknown groups are reported in state "Dead", as Kafka does. */
export const handleDescribeGroups: Handler = (ctx, broker) => {
  const version = ctx.header.apiVersion;
  const ids = ctx.reader.array((r) => r.string());
  const writer = new Writer(256);
  if (version >= 1) writer.int32(0);
  writer.array(ids, (w, id) => {
    const group = broker.groups.describe(id);
    w.int16(group.errorCode).string(group.groupId).string(group.state).string(group.protocolType).string(group.protocol);
    w.array(group.members, (mw, m) =>
      mw.string(m.memberId).string(m.clientId).string(m.clientHost).bytes(m.metadata).bytes(m.assignment),
    );
  });
  return writer;
};

/** ListGroups v0–2. */
export const handleListGroups: Handler = (ctx, broker) => {
  const writer = new Writer(256);
  if (ctx.header.apiVersion >= 1) writer.int32(0);
  writer.int16(ErrorCode.NONE);
  writer.array(broker.groups.list(), (w, g) => w.string(g.groupId).string(g.protocolType));
  return writer;
};
