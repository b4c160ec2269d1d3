export { createKafka, type CreateKafkaOptions, type KafkaLogLevel } from './client';
export { connectProducer, createBatchingSender, createProducer, sendEvents, type ConnectedProducer, type CreateProducerOptions } from './producer';
export { ensureTopics } from './topics';
export {
  DEADLETTER_SUFFIX,
  UNREADABLE_SUFFIX,
  parkingTopics,
  runConsumer,
  type BatchMeta,
  type ConsumerHandle,
  type ConsumerStats,
  type EventDecoder,
  type MessageMeta,
  type RunConsumerOptions,
} from './consumer';
export { OffsetCommitter, type CommitCadence } from './offset-committer';
export { createRedisDedupeStore, type ClaimResult, type DedupeStore, type RedisDedupeStoreOptions } from './dedupe';
export { startEmbeddedBrokerIfNeeded, type EmbeddedBrokerOptions, type KafkaEndpoint } from './embedded-broker';
export { backoffMs, sleep } from './sleep';
export type { Kafka, Producer, Consumer, Admin } from 'kafkajs';
