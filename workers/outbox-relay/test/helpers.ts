import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createLogger, type Logger } from '@switchboard/config';
import type { PrismaClient } from '@switchboard/db';
import { SAMPLE_PAYLOADS } from '@switchboard/events';
import { createKafka, type Kafka } from '@switchboard/kafka';
import { silentLogger, startBroker, type BrokerHandle } from '@switchboard/kafka-broker';
import type { KafkaMessage } from 'kafkajs';
import type pg from 'pg';
import { startOutboxRelay, type OutboxRelay, type OutboxRelayOptions } from '../src';

export const log = createLogger('outbox-relay-test', process.env.TEST_LOG_LEVEL ?? 'silent');

export interface LogLine {
  level: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';
  msg: string | undefined;
  fields: Record<string, unknown>;
}

/** A logger with pino's calling convention that keeps its lines, to assert on what was logged. */
export function captureLog(): { log: Logger; lines: LogLine[] } {
  const lines: LogLine[] = [];
  const make = (bindings: Record<string, unknown>): unknown => {
    const at =
      (level: LogLine['level']) =>
      (first: unknown, msg?: string): void => {
        if (typeof first === 'string') lines.push({ level, msg: first, fields: { ...bindings } });
        else lines.push({ level, msg, fields: { ...bindings, ...(first as Record<string, unknown>) } });
      };
    return {
      fatal: at('fatal'),
      error: at('error'),
      warn: at('warn'),
      info: at('info'),
      debug: at('debug'),
      trace: at('trace'),
      child: (more: Record<string, unknown>) => make({ ...bindings, ...more }),
    };
  };
  return { log: make({}) as Logger, lines };
}

export function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'sb-outbox-relay-'));
}

export function startTestBroker(options: { port?: number; dataDir?: string } = {}): Promise<BrokerHandle> {
  return startBroker({ port: options.port ?? 0, logger: silentLogger, ...(options.dataDir ? { dataDir: options.dataDir } : {}) });
}

/** A port that nothing listens on (a broker briefly bound it). */
export async function freePort(): Promise<number> {
  const probe = await startTestBroker();
  const { port } = probe;
  await probe.close();
  return port;
}

export function kafkaFor(brokers: string | string[], clientId = 'outbox-relay-test'): Kafka {
  return createKafka({
    brokers: Array.isArray(brokers) ? brokers : [brokers],
    clientId,
    log,
    logLevel: 'nothing',
    retry: { initialRetryTime: 50, retries: 3, maxRetryTime: 500 },
  });
}

export interface OutboxInsert {
  type: string;
  payload: unknown;
  organizationId?: string | null;
  traceId?: string | null;
}

let clock = Date.now() - 3_600_000;

/** Writes rows to "user"."outbox" the way the user subgraph does (Prisma), each one a millisecond newer. */
export async function insertOutbox(prisma: PrismaClient, rows: OutboxInsert[]): Promise<string[]> {
  const data = rows.map((row) => ({
    id: randomUUID(),
    type: row.type,
    payload: row.payload as object,
    organizationId: row.organizationId === undefined ? '0b7e9f5c-2f4e-4d6b-8c1a-3e2d1c0b9a88' : row.organizationId,
    traceId: row.traceId ?? null,
    createdAt: new Date((clock += 1)),
  }));
  await prisma.userOutboxEvent.createMany({ data });
  return data.map((row) => row.id);
}

/** `count` membership.role_changed rows of one membership (one key), in order. */
export function roleChanges(count: number, userId = randomUUID()): OutboxInsert[] {
  const roles = ['AGENT', 'ADMIN', 'VIEWER'] as const;
  return Array.from({ length: count }, (_, i) => ({
    type: 'membership.role_changed',
    payload: { ...SAMPLE_PAYLOADS['membership.role_changed'], userId, previousRole: roles[i % 3], role: roles[(i + 1) % 3] },
  }));
}

export async function unpublishedCount(prisma: PrismaClient): Promise<number> {
  return prisma.userOutboxEvent.count({ where: { publishedAt: null } });
}

/** Collects every message of some topics from the beginning, with a throwaway group. */
export async function collect(kafka: Kafka, topics: string[]): Promise<{ messages: (KafkaMessage & { topic: string })[]; stop(): Promise<void> }> {
  const consumer = kafka.consumer({ groupId: `observer-${randomUUID()}`, maxWaitTimeInMs: 100 });
  const messages: (KafkaMessage & { topic: string })[] = [];
  await consumer.connect();
  for (const topic of topics) await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ topic, message }) => {
      messages.push({ ...message, topic });
    },
  });
  return { messages, stop: () => consumer.disconnect() };
}

export async function waitFor(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await condition()) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

export const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export function ids(messages: KafkaMessage[]): string[] {
  return messages.map((m) => (JSON.parse(m.value!.toString()) as { id: string }).id);
}

/**
 * A relay of the user schema's outbox over `pool`, publishing to `brokers` (quick retries);
 * `cleanup` gets its stop.
 */
export async function startUserRelay(
  pool: pg.Pool,
  brokers: string,
  cleanup: (() => Promise<unknown>)[],
  options: Partial<OutboxRelayOptions> = {},
): Promise<OutboxRelay> {
  const started = await startOutboxRelay({
    pool,
    kafka: kafkaFor(brokers, 'outbox-relay'),
    schemas: ['user'],
    log,
    retry: { initialMs: 50, maxMs: 500 },
    ...options,
  });
  cleanup.push(() => started.stop());
  return started;
}
