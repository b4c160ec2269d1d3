import { randomBytes } from 'node:crypto';
import { sqlPoolOf } from '@switchboard/db';
import { batchDeletionShape, explainNodes } from '@switchboard/testkit';
import { createEvent, encodeEvent, messageStatusChanged, type SwitchboardEvent } from '@switchboard/events';
import { sendEvents } from '@switchboard/kafka';
import { startPendingCallbackCleanup } from '../src/domain/pending-callback-cleanup';
import type { MessageStatus, SenderRecord } from '../src/domain/types';
import { EXPIRED_PENDING_INDEX_SCANS, deleteExpiredPendingStatement } from '../src/store/status-store';
import { CREATE_SENDER, MESSAGE, SEND, eventually, startMessagingKafka, startMessagingSubgraph, type MessagingHarness } from './harness';

/*
 * Provider callbacks that overtake the worker's report are kept until their provider message id is
 * recorded; those whose id never is are deleted after a retention (a week by default).
 */

jest.setTimeout(60_000);

const WEEK_HOURS = 168;

let h: MessagingHarness;
let org: ReturnType<MessagingHarness['organization']>;
let sender: SenderRecord;

beforeAll(async () => {
  h = await startMessagingSubgraph();
  org = h.organization();
  const created = await h.graphql(CREATE_SENDER, { input: { name: 'SMS', kind: 'SMS_NUMBER', address: '+14155550188' } }, org.admin);
  sender = await h.runtime.services.senders.get(org.id, created.data!.createSender.id);
}, 60_000);

afterEach(async () => {
  await h.prisma.pendingProviderStatus.deleteMany();
});

afterAll(async () => {
  await h?.close();
});

const sid = (): string => `SM${randomBytes(16).toString('hex')}`;

/** A provider callback (as the webhooks hand it over) for a provider id no message has yet: kept. */
async function callback(providerMessageId: string, status: MessageStatus = 'DELIVERED'): Promise<void> {
  const outcome = await h.runtime.services.statuses.reportFromProvider({
    sender,
    providerMessageId,
    messageIdHint: null,
    status,
    at: new Date(),
    errorCode: null,
    errorReason: null,
    traceId: null,
  });
  expect(outcome).toEqual({ kind: 'PENDING' });
}

/** `count` callbacks kept as if they had arrived `days` ago; their provider ids. */
async function keptDaysAgo(count: number, days: number): Promise<string[]> {
  const ids = Array.from({ length: count }, sid);
  for (const id of ids) await callback(id);
  await h.prisma.pendingProviderStatus.updateMany({
    where: { providerMessageId: { in: ids } },
    data: { createdAt: new Date(Date.now() - days * 86_400_000) },
  });
  return ids;
}

async function keptIds(): Promise<string[]> {
  const rows = await h.prisma.pendingProviderStatus.findMany({ select: { providerMessageId: true } });
  return rows.map((row) => row.providerMessageId).sort();
}

describe('kept provider callbacks past their retention', () => {
  it('are deleted at most a batch per statement; callbacks kept for less than the retention stay', async () => {
    await keptDaysAgo(35, 8);
    const recent = await keptDaysAgo(5, 6);
    expect(await keptIds()).toHaveLength(40);
    const counts: number[] = [];
    do counts.push(await h.runtime.store.statuses.deleteExpiredPending(WEEK_HOURS, 10));
    while (counts[counts.length - 1] === 10);
    expect(counts).toEqual([10, 10, 10, 5]);
    expect(await keptIds()).toEqual([...recent].sort());
  });

  it('are found with a range scan of the created_at index that stops at its batch, without statistics', async () => {
    // 3,000 callbacks kept eight days ago and 3,000 kept now, never analyzed: the planner knows the
    // table only by its size (it would read all of it and sort it).
    await h.prisma.$executeRawUnsafe(
      `INSERT INTO "messaging"."pending_provider_status" (id, organization_id, sender_id, provider_message_id, status, at, created_at)
       SELECT gen_random_uuid(), $1::uuid, $2::uuid, 'SM' || g, 'DELIVERED', now(),
              CASE WHEN g <= 3000 THEN now() - interval '8 days' ELSE now() END + g * interval '1 ms'
         FROM generate_series(1, 6000) AS g`,
      org.id,
      sender.id,
    );
    const client = await sqlPoolOf(h.prisma).connect();
    try {
      await client.query(`BEGIN; ${EXPIRED_PENDING_INDEX_SCANS}`);
      expect(batchDeletionShape(await explainNodes(client, deleteExpiredPendingStatement(WEEK_HOURS, 1000)))).toEqual({
        root: 'ModifyTable',
        limited: true,
        index: 'pending_provider_status_created_at_idx',
        indexRows: 1000,
        tidRows: 1000,
        wideReads: [],
      });
    } finally {
      await client.query('ROLLBACK');
      client.release();
    }
  });

  it('messaging’s consumers delete them on a timer; a callback kept meanwhile is still applied when its message’s provider id arrives', async () => {
    const sent = await h.graphql(SEND, { input: { channel: 'SMS', to: '+447911123456', senderId: sender.id, body: 'hello' } }, org.agent);
    const messageId = sent.data!.sendMessage.message.id as string;
    const providerId = sid();
    await callback(providerId, 'DELIVERED');
    await keptDaysAgo(35, 8);

    const bus = await startMessagingKafka(h, 'messaging-pending-callbacks-test');
    try {
      await bus.startConsumers({ pendingCallbackRetention: { batchSize: 10, intervalMs: 20 } });
      await eventually(keptIds, (ids) => ids.length === 1);
      expect(await keptIds()).toEqual([providerId]);

      // The worker's report records the provider id: the kept callback applies after it.
      const workerSent = createEvent(
        messageStatusChanged,
        { messageId, channel: 'SMS', conversationId: null, status: 'SENT', providerMessageId: providerId, errorCode: null, errorReason: null, source: 'WORKER', occurredAt: new Date().toISOString() },
        { organizationId: org.id },
      ) as SwitchboardEvent;
      await sendEvents(bus.producer, [encodeEvent(workerSent)]);
      const message = await eventually(
        async () => (await h.graphql(MESSAGE, { id: messageId }, org.viewer)).data!.message,
        (value) => value.status === 'DELIVERED',
      );
      expect(message.providerMessageId).toBe(providerId);
      expect(message.statusHistory.map((entry: { status: string; source: string }) => `${entry.status}:${entry.source}`)).toEqual([
        'QUEUED:API',
        'SENT:WORKER',
        'DELIVERED:WEBHOOK',
      ]);
      expect(await keptIds()).toEqual([]);
    } finally {
      await bus.close();
    }
  });

  it('are kept forever with a retention of 0 hours', async () => {
    const old = await keptDaysAgo(5, 30);
    const cleanup = startPendingCallbackCleanup(h.runtime.store, h.deps.log, { hours: 0, batchSize: 10, intervalMs: 20 });
    await new Promise((resolve) => setTimeout(resolve, 200));
    await cleanup.stop();
    expect(await keptIds()).toEqual([...old].sort());
  });
});
