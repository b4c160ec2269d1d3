import type { Topic } from '../log/topic-store';
import { isValidTopicName } from '../log/topic-names';
import { ErrorCode } from '../protocol/errors';
import { Writer } from '../protocol/writer';
import type { BrokerState, Handler } from './context';

interface TopicAnswer {
  readonly name: string;
  readonly errorCode: number;
  readonly topic: Topic | null;
}

function answerFor(name: string, allowAutoCreate: boolean, broker: BrokerState): TopicAnswer {
  const existing = broker.topics.get(name);
  if (existing) return { name, errorCode: ErrorCode.NONE, topic: existing };
  if (!isValidTopicName(name)) return { name, errorCode: ErrorCode.INVALID_TOPIC_EXCEPTION, topic: null };
  if (allowAutoCreate && broker.config.autoCreateTopics) {
    const created = broker.topics.create(name, broker.config.defaultPartitions, {});
    if (created.ok && created.topic) {
      broker.logger.info('auto-created topic', { topic: name, partitions: broker.config.defaultPartitions });
      return { name, errorCode: ErrorCode.NONE, topic: created.topic };
    }
  }
  return { name, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, topic: null };
}

/** Metadata v4: one broker (us), leader of every partition; auto-creates topics if allowed. */
export const handleMetadata: Handler = (ctx, broker) => {
  const requested = ctx.reader.nullableArray((r) => r.string());
  const allowAutoCreate = ctx.reader.remaining > 0 ? ctx.reader.boolean() : true;
  const answers: TopicAnswer[] =
    requested === null
      ? broker.topics.list().map((topic) => ({ name: topic.name, errorCode: ErrorCode.NONE, topic }))
      : [...new Set(requested)].map((name) => answerFor(name, allowAutoCreate, broker));

  const { nodeId } = broker;
  const writer = new Writer(512);
  writer.int32(0); // throttle
  writer.int32(1).int32(nodeId).string(broker.config.advertisedHost).int32(broker.port).nullableString(null);
  writer.nullableString(broker.clusterId).int32(nodeId);
  writer.array(answers, (w, answer) => {
    w.int16(answer.errorCode).string(answer.name).boolean(false);
    w.array(answer.topic?.partitions ?? [], (pw, partition) => {
      pw.int16(ErrorCode.NONE).int32(partition.id).int32(nodeId);
      pw.int32(1).int32(nodeId); // replicas
      pw.int32(1).int32(nodeId); // in-sync replicas
    });
  });
  return writer;
};
