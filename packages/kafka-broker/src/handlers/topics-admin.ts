import { ErrorCode } from '../protocol/errors';
import { Writer } from '../protocol/writer';
import type { BrokerState, Handler } from './context';

interface CreateTopicRequest {
  readonly name: string;
  readonly numPartitions: number;
  readonly replicationFactor: number;
  readonly assignments: { partition: number; brokerIds: number[] }[];
  readonly configs: { name: string; value: string | null }[];
}

interface TopicError {
  readonly name: string;
  readonly errorCode: number;
  readonly message: string | null;
}

function createOne(request: CreateTopicRequest, validateOnly: boolean, broker: BrokerState): TopicError {
  const fail = (errorCode: number, message: string): TopicError => ({ name: request.name, errorCode, message });
  let partitions = request.numPartitions;
  if (request.assignments.length > 0) {
    if (request.numPartitions !== -1 || request.replicationFactor !== -1) {
      return fail(ErrorCode.INVALID_REQUEST, 'Both numPartitions or replicationFactor and replicasAssignment were set.');
    }
    const ids = new Set(request.assignments.map((a) => a.partition));
    const valid =
      ids.size === request.assignments.length &&
      request.assignments.every((a) => a.partition >= 0 && a.partition < ids.size) &&
      request.assignments.every((a) => a.brokerIds.length === 1 && a.brokerIds[0] === broker.nodeId);
    if (!valid) return fail(ErrorCode.INVALID_REPLICA_ASSIGNMENT, 'Replica assignment must name this single broker.');
    partitions = request.assignments.length;
  }
  if (partitions === -1) partitions = broker.config.defaultPartitions;
  if (partitions <= 0) return fail(ErrorCode.INVALID_PARTITIONS, 'Number of partitions must be larger than 0.');
  if (request.replicationFactor !== -1 && request.replicationFactor !== 1) {
    return fail(
      ErrorCode.INVALID_REPLICATION_FACTOR,
      `Replication factor: ${request.replicationFactor} larger than available brokers: 1.`,
    );
  }
  const overrides: Record<string, string> = {};
  for (const config of request.configs) if (config.value !== null) overrides[config.name] = config.value;
  const result = broker.topics.create(request.name, partitions, overrides, validateOnly);
  if (!result.ok) return fail(result.errorCode, result.message);
  if (!validateOnly) broker.logger.info('created topic', { topic: request.name, partitions });
  return { name: request.name, errorCode: ErrorCode.NONE, message: null };
}

/** CreateTopics v3. Replication factor -1 or 1 (single broker); per-topic configs are stored. */
export const handleCreateTopics: Handler = (ctx, broker) => {
  const r = ctx.reader;
  const requests = r.array(
    (tr): CreateTopicRequest => ({
      name: tr.string(),
      numPartitions: tr.int32(),
      replicationFactor: tr.int16(),
      assignments: tr.array((ar) => ({ partition: ar.int32(), brokerIds: ar.array((br) => br.int32()) })),
      configs: tr.array((cr) => ({ name: cr.string(), value: cr.nullableString() })),
    }),
  );
  r.int32(); // timeout: creation is synchronous
  const validateOnly = r.boolean();
  const counts = new Map<string, number>();
  for (const request of requests) counts.set(request.name, (counts.get(request.name) ?? 0) + 1);
  const results = requests.map((request) =>
    (counts.get(request.name) ?? 0) > 1
      ? { name: request.name, errorCode: ErrorCode.INVALID_REQUEST, message: 'Duplicate topic in request.' }
      : createOne(request, validateOnly, broker),
  );
  const writer = new Writer(128);
  writer.int32(0);
  writer.array(results, (w, t) => w.string(t.name).int16(t.errorCode).nullableString(t.message));
  return writer;
};

/** DeleteTopics v1: removes the data and the topic's committed offsets. */
export const handleDeleteTopics: Handler = (ctx, broker) => {
  const names = ctx.reader.array((r) => r.string());
  ctx.reader.int32(); // timeout
  const results = names.map((name) => {
    if (!broker.topics.delete(name)) return { name, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION };
    broker.offsets.deleteTopic(name);
    broker.logger.info('deleted topic', { topic: name });
    return { name, errorCode: ErrorCode.NONE };
  });
  const writer = new Writer(128);
  writer.int32(0);
  writer.array(results, (w, t) => w.string(t.name).int16(t.errorCode));
  return writer;
};
