import { randomUUID } from 'node:crypto';
import { createLogger, type Logger } from '@switchboard/config';
import {
  createEvent,
  decodeEvent,
  emailRequested,
  encodeEvent,
  messageDeadLettered,
  messageStatusChanged,
  smsRequested,
  whatsappRequested,
  SAMPLE_PAYLOADS,
  type EventOfType,
  type SwitchboardEvent,
} from '@switchboard/events';
import { createKafka, ensureTopics, type Kafka } from '@switchboard/kafka';
import { silentLogger, startBroker, type BrokerHandle } from '@switchboard/kafka-broker';
import { DEV_CREDENTIALS, startProviderStandIns, type ProviderStandIns, type ProviderStandInsOptions } from '@switchboard/provider-stand-ins';
import { Redis } from 'ioredis';
import type { Consumer } from 'kafkajs';
import { startChannelWorkers, type ChannelWorkers, type ChannelWorkersConfig, type StartChannelWorkersOptions } from '../src';
import type { ConfiguredAccounts } from '../src/senders/config-senders';

export const log = createLogger('channel-delivery-test', process.env.TEST_LOG_LEVEL ?? 'silent');

export type StatusEvent = EventOfType<'message.status'>;
export type DeadLetterEvent = EventOfType<'message.dead_lettered'>;
type EmailPayload = EventOfType<'message.requested.email'>['payload'];
type SmsPayload = EventOfType<'message.requested.sms'>['payload'];
type WhatsappPayload = EventOfType<'message.requested.whatsapp'>['payload'];

export const SMS_FROM = DEV_CREDENTIALS.twilio.phoneNumbers[0];
export const PHONE_NUMBER_ID = DEV_CREDENTIALS.whatsapp.phoneNumberId;

/** A fresh E.164 number per message, so stand-in requests can be counted per message. */
let phoneCounter = 0;
export function uniquePhone(): string {
  phoneCounter += 1;
  return `+4477009${String(Date.now() % 100_000).padStart(5, '0')}${String(phoneCounter).padStart(3, '0')}`.slice(0, 16);
}

const meta = () => ({ organizationId: randomUUID(), traceId: `trace-${randomUUID().slice(0, 8)}` });

export function emailRequest(overrides: Partial<EmailPayload> = {}) {
  return createEvent(
    emailRequested,
    { ...SAMPLE_PAYLOADS['message.requested.email'], messageId: randomUUID(), senderId: randomUUID(), recipient: `c-${randomUUID().slice(0, 8)}@example.org`, ...overrides },
    meta(),
  );
}

export function smsRequest(overrides: Partial<SmsPayload> = {}) {
  return createEvent(
    smsRequested,
    { ...SAMPLE_PAYLOADS['message.requested.sms'], messageId: randomUUID(), senderId: randomUUID(), recipient: uniquePhone(), from: SMS_FROM, ...overrides },
    meta(),
  );
}

export function whatsappRequest(overrides: Partial<WhatsappPayload> = {}) {
  return createEvent(
    whatsappRequested,
    {
      ...SAMPLE_PAYLOADS['message.requested.whatsapp'],
      messageId: randomUUID(),
      senderId: randomUUID(),
      recipient: uniquePhone(),
      phoneNumberId: PHONE_NUMBER_ID,
      content: { kind: 'text', body: 'Hello from support', previewUrl: false },
      ...overrides,
    },
    meta(),
  );
}

/** Reads message.status and message.dead_lettered from the beginning, keeping every copy (duplicates too). */
export class OutcomeCollector {
  readonly statuses: StatusEvent[] = [];
  readonly deadLetters: DeadLetterEvent[] = [];
  private constructor(private readonly consumer: Consumer) {}

  static async start(kafka: Kafka): Promise<OutcomeCollector> {
    const consumer = kafka.consumer({ groupId: `outcomes-${randomUUID()}`, maxWaitTimeInMs: 50 });
    const collector = new OutcomeCollector(consumer);
    await consumer.connect();
    await consumer.subscribe({ topics: [messageStatusChanged.topic, messageDeadLettered.topic], fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        const event = decodeEvent(message.value);
        if (event.type === 'message.status') collector.statuses.push(event);
        if (event.type === 'message.dead_lettered') collector.deadLetters.push(event);
      },
    });
    return collector;
  }

  statusesOf(messageId: string): StatusEvent[] {
    return this.statuses.filter((event) => event.payload.messageId === messageId);
  }

  deadLettersOf(messageId: string): DeadLetterEvent[] {
    return this.deadLetters.filter((event) => event.payload.messageId === messageId);
  }

  /** Waits until a status of the message matches, and returns it. */
  async status(messageId: string, status: StatusEvent['payload']['status'], timeoutMs = 15_000): Promise<StatusEvent> {
    let found: StatusEvent | undefined;
    await waitFor(() => (found = this.statusesOf(messageId).find((e) => e.payload.status === status)) !== undefined, `${status} of ${messageId}`, timeoutMs);
    return found!;
  }

  stop(): Promise<void> {
    return this.consumer.disconnect();
  }
}

export async function waitFor(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await condition()) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Everything a worker test needs, real: an embedded broker on a free port, Redis under a key
 * prefix of its own, the three provider stand-ins, and a collector of the published outcomes.
 */
export class Harness {
  readonly workers: ChannelWorkers[] = [];

  private constructor(
    readonly broker: BrokerHandle,
    readonly kafka: Kafka,
    readonly redis: Redis,
    readonly redisPrefix: string,
    readonly standIns: ProviderStandIns,
    readonly outcomes: OutcomeCollector,
  ) {}

  /**
   * `topics`: a broker that creates no topic on demand, with only these; a topic deleted later
   * stays missing and publishing to it fails.
   */
  static async start(standIns: ProviderStandInsOptions = {}, options: { topics?: string[] } = {}): Promise<Harness> {
    const broker = await startBroker({ port: 0, logger: silentLogger, autoCreateTopics: options.topics === undefined });
    const kafka = createKafka({ brokers: [broker.brokers], clientId: 'channel-delivery-test', log, logLevel: 'nothing', retry: { initialRetryTime: 50, retries: 8 } });
    if (options.topics) {
      const admin = kafka.admin();
      await admin.connect();
      await ensureTopics(admin, options.topics).finally(() => admin.disconnect());
    }
    const redisPrefix = `test:channel-delivery:${randomUUID()}:`;
    const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { keyPrefix: redisPrefix, maxRetriesPerRequest: 2 });
    const stands = await startProviderStandIns({
      ...standIns,
      // Status callbacks are the messaging subgraph's business; keep them out of these tests.
      twilio: { callbackDelayMs: 60_000, ...standIns.twilio },
      whatsapp: { callbackDelayMs: 60_000, ...standIns.whatsapp },
    });
    const outcomes = await OutcomeCollector.start(kafka);
    return new Harness(broker, kafka, redis, redisPrefix, stands, outcomes);
  }

  /** The stand-ins as one-account-per-provider configuration. */
  accounts(whatsappVendor: 'meta-cloud' | 'twilio' = 'meta-cloud'): ConfiguredAccounts {
    const { twilio, whatsapp, smtp } = this.standIns;
    return {
      smtp: { url: `smtp://${smtp.host}:${smtp.port}?ignoreTLS=true`, timeoutMs: 2_000 },
      twilio: { accountSid: twilio.accountSid, authToken: twilio.authToken, apiBaseUrl: twilio.url, timeoutMs: 2_000 },
      metaCloud: { accessToken: whatsapp.token, apiBaseUrl: whatsapp.url, timeoutMs: 2_000 },
      whatsappVendor,
    };
  }

  /** Settings that keep tests quick: short backoffs, fast fetch loop. */
  config(overrides: Partial<ChannelWorkersConfig> = {}): ChannelWorkersConfig {
    return {
      accounts: this.accounts(),
      retry: { maxAttempts: 5, baseMs: 20, capMs: 200 },
      rateLimitPerSecond: { EMAIL: 1_000, SMS: 1_000, WHATSAPP: 1_000 },
      heartbeatIntervalMs: 300,
      maxWaitTimeMs: 100,
      ...overrides,
    };
  }

  async startWorkers(
    overrides: Partial<ChannelWorkersConfig> = {},
    channels?: ('email' | 'sms' | 'whatsapp')[],
    extra: Pick<StartChannelWorkersOptions, 'prisma'> & { log?: Logger } = {},
  ): Promise<ChannelWorkers> {
    const workers = await startChannelWorkers({ kafka: this.kafka, redis: this.redis, config: this.config(overrides), log, ...(channels ? { channels } : {}), ...extra });
    this.workers.push(workers);
    return workers;
  }

  async publish(...events: SwitchboardEvent[]): Promise<void> {
    const producer = this.kafka.producer();
    await producer.connect();
    try {
      for (const event of events) {
        const encoded = encodeEvent(event);
        await producer.send({ topic: encoded.topic, acks: -1, messages: [{ key: encoded.key, value: encoded.value, headers: encoded.headers }] });
      }
    } finally {
      await producer.disconnect();
    }
  }

  /** Committed offset of a channel's consumer group on partition 0 (-1 when none). */
  async committedOffset(channel: 'email' | 'sms' | 'whatsapp'): Promise<number> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      const [result] = await admin.fetchOffsets({ groupId: `channel-delivery.${channel}`, topics: [`message.requested.${channel}`] });
      return Number(result?.partitions.find((p) => p.partition === 0)?.offset ?? -1);
    } finally {
      await admin.disconnect();
    }
  }

  async close(): Promise<void> {
    await Promise.allSettled(this.workers.splice(0).map((workers) => workers.stop()));
    await this.outcomes.stop();
    const keys = await this.redis.keys(`${this.redisPrefix}*`);
    if (keys.length > 0) {
      // KEYS answers full names; delete them with a client that adds no prefix.
      const plain = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
      await plain.del(...keys).catch(() => 0);
      plain.disconnect();
    }
    this.redis.disconnect();
    await this.standIns.close();
    await this.broker.close();
  }
}
