import type { Logger } from '@switchboard/config';
import type { PrismaClient } from '@switchboard/db';
import { runConsumer, type ConsumerHandle, type DedupeStore, type Kafka } from '@switchboard/kafka';
import type { Redis } from 'ioredis';
import { MembershipService } from '../domain/membership-service';
import { redisTeamEvents } from '../domain/team-events';
import { MembershipStore } from '../store/membership-store';
import { MEMBERSHIP_TOPICS, membershipBatchHandler } from './membership-consumer';

export interface StartTeamConsumersOptions {
  kafka: Kafka;
  prisma: PrismaClient;
  /** The subgraph's Redis client (same key prefix): `team.changed` notifications go out on it. */
  redis: Pick<Redis, 'options' | 'publish'>;
  log: Logger;
  /** Consumer group (default `team-memberships`). */
  groupId?: string;
  /** Optional fast path that skips event ids the group handled (the handler is idempotent without it). */
  dedupe?: DedupeStore;
  /** Create missing topics first (tests, the embedded broker). */
  ensureTopics?: { partitions: number };
  /** Partitions handled at the same time (default 1; one partition is always in order). */
  concurrency?: number;
  /** Longest wait of one fetch when idle (default 1 000 ms; bounds shutdown time). */
  maxWaitTimeMs?: number;
}

export interface TeamConsumers {
  handles: ConsumerHandle[];
  /** Pauses, finishes the batch in flight, commits, leaves the group, disconnects. */
  stop(): Promise<void>;
}

/**
 * The team subgraph's background consumer (group `team-memberships`): the user subgraph's
 * `organization.created`, `user.registered`, `invitation.accepted`, `membership.role_changed` and
 * `membership.removed` keep the team schema's projection of organization membership (what
 * `addTeamMember` checks), a batch at a time; a removal also deletes the user's team memberships
 * in that organization and publishes `MEMBER_REMOVED` for each team. The offsets are committed
 * after the transaction (runConsumer).
 */
export async function startTeamConsumers(options: StartTeamConsumersOptions): Promise<TeamConsumers> {
  const log = options.log.child({ subgraph: 'team', component: 'consumers' });
  const memberships = new MembershipService(new MembershipStore(options.prisma), redisTeamEvents(options.redis, log), log);
  const handle = await runConsumer({
    kafka: options.kafka,
    groupId: options.groupId ?? 'team-memberships',
    topics: [...MEMBERSHIP_TOPICS],
    handleBatch: membershipBatchHandler(memberships),
    log,
    ...(options.dedupe ? { dedupe: options.dedupe } : {}),
    ...(options.ensureTopics ? { ensureTopics: options.ensureTopics } : {}),
    ...(options.concurrency ? { concurrency: options.concurrency } : {}),
    ...(options.maxWaitTimeMs ? { maxWaitTimeMs: options.maxWaitTimeMs } : {}),
  });
  return { handles: [handle], stop: () => handle.stop() };
}
