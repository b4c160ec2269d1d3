import type { JoinResult, SyncResult } from '../groups/group';
import { Writer } from '../protocol/writer';
import type { Handler } from './context';

function encodeJoin(result: JoinResult): Writer {
  const writer = new Writer(256);
  writer.int32(0).int16(result.errorCode).int32(result.generationId);
  writer.string(result.protocolName).string(result.leaderId).string(result.memberId);
  writer.array(result.members, (w, m) => w.string(m.memberId).nullableString(m.groupInstanceId).bytes(m.metadata));
  return writer;
}

/** JoinGroup v5: held until the join barrier completes. */
export const handleJoinGroup: Handler = (ctx, broker) => {
  const r = ctx.reader;
  const groupId = r.string();
  const sessionTimeoutMs = r.int32();
  const rebalanceTimeoutMs = r.int32();
  const memberId = r.string();
  const groupInstanceId = r.nullableString();
  const protocolType = r.string();
  const protocols = r.array((pr) => ({ name: pr.string(), metadata: Buffer.from(pr.bytes()) }));
  const result = broker.groups.join({
    groupId,
    sessionTimeoutMs,
    rebalanceTimeoutMs,
    memberId,
    groupInstanceId,
    protocolType,
    protocols,
    clientId: ctx.header.clientId ?? '',
    clientHost: ctx.clientHost,
  });
  return result instanceof Promise ? result.then(encodeJoin) : encodeJoin(result);
};

function encodeSync(result: SyncResult): Writer {
  return new Writer(64 + result.assignment.length).int32(0).int16(result.errorCode).bytes(result.assignment);
}

/** SyncGroup v3: followers wait for the leader's assignments. */
export const handleSyncGroup: Handler = (ctx, broker) => {
  const r = ctx.reader;
  const groupId = r.string();
  const generationId = r.int32();
  const memberId = r.string();
  r.nullableString(); // group instance id
  const assignments = r.array((ar) => ({ memberId: ar.string(), assignment: ar.bytes() }));
  const result = broker.groups.sync({ groupId, generationId, memberId, assignments });
  return result instanceof Promise ? result.then(encodeSync) : encodeSync(result);
};

/** Heartbeat v3. */
export const handleHeartbeat: Handler = (ctx, broker) => {
  const r = ctx.reader;
  const groupId = r.string();
  const generationId = r.int32();
  const memberId = r.string();
  r.nullableString(); // group instance id
  return new Writer(8).int32(0).int16(broker.groups.heartbeat(groupId, generationId, memberId));
};

/** LeaveGroup v1. */
export const handleLeaveGroup: Handler = (ctx, broker) => {
  const groupId = ctx.reader.string();
  const memberId = ctx.reader.string();
  return new Writer(8).int32(0).int16(broker.groups.leave(groupId, memberId));
};
