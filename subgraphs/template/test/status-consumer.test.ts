import { randomUUID } from 'node:crypto';
import { templateChanged } from '@switchboard/events';
import type { Kafka, Producer } from '@switchboard/kafka';
import type { BrokerHandle } from '@switchboard/kafka-broker';
import { startTemplateConsumers, type TemplateConsumers } from '../src';
import { DEFAULT_REJECTION_REASON } from '../src/domain/provider-status';
import { CREATE, GET, SUBMIT, VERSIONS, whatsappInput } from './operations';
import { startTemplateSubgraph, type Member, type TemplateSubgraphHarness } from './harness';
import { kafkaFor, log, producerFor, publish, startTestBroker, statusReport, waitFor } from './kafka';

/**
 * The consumer of `template.status_changed` (group `template`) over the real Kafka protocol:
 * WhatsApp's review outcomes applied through the approval state machine with no user, each
 * event once, skipped (and committed) when the state machine refuses it.
 */

let h: TemplateSubgraphHarness;
let broker: BrokerHandle;
let kafka: Kafka;
let producer: Producer;
let consumers: TemplateConsumers;
let agent: Member;
let sequence = 0;

beforeAll(async () => {
  h = await startTemplateSubgraph();
  broker = await startTestBroker();
  kafka = kafkaFor(broker);
  producer = await producerFor(kafka);
  // The subgraph's Redis client: the consumer's writes drop the subgraph's cached templates.
  consumers = await startTemplateConsumers({ kafka, prisma: h.prisma, redis: h.redis, log, ensureTopics: { partitions: 2 } });
  agent = h.member('AGENT');
});
afterAll(async () => {
  await consumers?.stop();
  await producer?.disconnect();
  await broker?.close();
  await h?.close();
});

/** A WhatsApp template of the agent's organization, submitted (PENDING) unless told otherwise. */
async function whatsappTemplate(options: { submit?: boolean; as?: Member } = {}): Promise<{ id: string; name: string }> {
  sequence += 1;
  const name = `provider_status_${sequence}`;
  const as = options.as ?? agent;
  const { id } = await h.ok(CREATE, { input: whatsappInput({ name }) }, as);
  if (options.submit !== false) await h.ok(SUBMIT, { id }, as);
  return { id, name };
}

/** Waits until the consumer recorded the event, and returns what became of it. */
async function outcomeOf(eventId: string): Promise<string> {
  const row = await waitFor(() => h.prisma.templateConsumedEvent.findUnique({ where: { consumer_eventId: { consumer: 'template', eventId } } }), `event ${eventId} handled`);
  return row.outcome;
}

const latestStatus = async (id: string) => (await h.prisma.template.findUniqueOrThrow({ where: { id } })).status;

async function changedEvents(templateId: string) {
  const rows = await h.prisma.templateOutboxEvent.findMany({
    where: { payload: { path: ['templateId'], equals: templateId } },
    orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
  });
  return rows.map((row) => ({ ...row, payload: templateChanged.payload.parse(row.payload) }));
}

it('APPROVED from WhatsApp approves the pending version: sendable, recorded as the provider, template.changed with the approved content', async () => {
  const template = await whatsappTemplate();
  // Cached while PENDING: the consumer's write must drop it.
  expect(await h.ok(GET, { id: template.id }, agent)).toMatchObject({ status: 'PENDING', sendable: false });

  const report = statusReport(agent.organizationId, { name: template.name, status: 'APPROVED', event: 'APPROVED', providerTemplateId: '594425479261596' }, { traceId: 'webhook-1' });
  await publish(producer, report);
  expect(await outcomeOf(report.id)).toBe('APPLIED');

  expect(await h.ok(GET, { id: template.id }, agent)).toMatchObject({
    status: 'APPROVED',
    sendable: true,
    activeVersion: { version: 1, status: 'APPROVED' },
  });
  const history = (await h.ok(VERSIONS, { id: template.id }, agent)).versions[0].statusHistory;
  expect(history[history.length - 1]).toMatchObject({ from: 'PENDING', to: 'APPROVED', changedByUserId: null });
  expect(await h.prisma.template.findUniqueOrThrow({ where: { id: template.id } })).toMatchObject({
    providerTemplateId: '594425479261596',
    providerStatusAt: new Date(report.payload.reportedAt),
  });

  const events = await changedEvents(template.id);
  const last = events[events.length - 1]!;
  expect(last).toMatchObject({ traceId: 'webhook-1', payload: { change: 'STATUS_CHANGED', template: { status: 'APPROVED' } } });
  expect(last.payload.template.activeVersion).toMatchObject({
    version: 1,
    content: { channel: 'WHATSAPP', body: 'Hi {{1}}, your order {{2}} of {{3}} has shipped.' },
    variables: [{ name: '1' }, { name: '2' }, { name: '3' }],
  });
});

it('REJECTED keeps the provider reason (or gets one when WhatsApp gives none)', async () => {
  const withReason = await whatsappTemplate();
  const withoutReason = await whatsappTemplate();
  const first = statusReport(agent.organizationId, { name: withReason.name, status: 'REJECTED', event: 'REJECTED', reason: 'INVALID_FORMAT' });
  const second = statusReport(agent.organizationId, { name: withoutReason.name, status: 'REJECTED', event: 'REJECTED', reason: null });
  await publish(producer, first, second);
  expect(await outcomeOf(first.id)).toBe('APPLIED');
  expect(await outcomeOf(second.id)).toBe('APPLIED');

  expect(await h.ok(GET, { id: withReason.id }, agent)).toMatchObject({
    status: 'REJECTED',
    sendable: false,
    latestVersion: { status: 'REJECTED', statusReason: 'INVALID_FORMAT' },
  });
  expect((await h.ok(GET, { id: withoutReason.id }, agent)).latestVersion.statusReason).toBe(DEFAULT_REJECTION_REASON);
  const [event] = (await changedEvents(withReason.id)).slice(-1);
  expect(event!.payload.template).toMatchObject({ status: 'REJECTED', activeVersion: null });
});

it('an illegal transition is logged and skipped, and the partition goes on', async () => {
  const draft = await whatsappTemplate({ submit: false });
  const outboxBefore = (await changedEvents(draft.id)).length;
  const providerTemplateId = '777000111222333';
  // WhatsApp cannot approve a template nobody submitted: DRAFT → APPROVED is refused …
  const illegal = statusReport(agent.organizationId, { name: draft.name, status: 'APPROVED', event: 'APPROVED', providerTemplateId });
  // … and the next report of the same template (same key, same partition) is still applied.
  const pendingTemplate = await whatsappTemplate();
  const next = statusReport(agent.organizationId, { name: pendingTemplate.name, status: 'APPROVED', event: 'APPROVED', providerTemplateId });
  await publish(producer, illegal, next);

  expect(await outcomeOf(illegal.id)).toBe('REFUSED');
  expect(await outcomeOf(next.id)).toBe('APPLIED');
  expect(await latestStatus(draft.id)).toBe('DRAFT');
  expect(await h.prisma.templateStatusChange.count({ where: { version: { templateId: draft.id }, toStatus: 'APPROVED' } })).toBe(0);
  expect(await changedEvents(draft.id)).toHaveLength(outboxBefore);
  expect(await latestStatus(pendingTemplate.id)).toBe('APPROVED');

  // The offsets of both were committed: the group is at the end of every partition.
  const admin = kafka.admin();
  await admin.connect();
  try {
    const ends = await admin.fetchTopicOffsets('template.status_changed');
    await waitFor(async () => {
      const [committed] = await admin.fetchOffsets({ groupId: 'template', topics: ['template.status_changed'] });
      return committed!.partitions.every((p) => p.offset === ends.find((e) => e.partition === p.partition)!.offset);
    }, 'offsets committed to the end');
  } finally {
    await admin.disconnect();
  }
  expect(consumers.handles[0]!.stats()).toMatchObject({ unreadable: 0, deadLettered: 0, failedAttempts: 0 });
});

it('a redelivered event changes nothing, even when its transition became legal again', async () => {
  const template = await whatsappTemplate();
  const approved = statusReport(agent.organizationId, { name: template.name, status: 'APPROVED', event: 'APPROVED' });
  await publish(producer, approved);
  expect(await outcomeOf(approved.id)).toBe('APPLIED');
  const paused = statusReport(agent.organizationId, { name: template.name, status: 'PAUSED', event: 'PAUSED', reason: 'Low quality', providerTemplateId: approved.payload.providerTemplateId });
  await publish(producer, paused);
  expect(await outcomeOf(paused.id)).toBe('APPLIED');
  const outboxBefore = (await changedEvents(template.id)).length;

  // The APPROVED event again (same id: a producer retry, a replay): PAUSED → APPROVED would be
  // legal, but the event was handled already. A marker event after it tells when it was read.
  await publish(producer, approved);
  const marker = statusReport(agent.organizationId, { name: template.name, status: null, event: 'FLAGGED', providerTemplateId: approved.payload.providerTemplateId });
  await publish(producer, marker);
  expect(await outcomeOf(marker.id)).toBe('IGNORED');

  expect(await h.ok(GET, { id: template.id }, agent)).toMatchObject({ status: 'PAUSED', sendable: false, latestVersion: { statusReason: 'Low quality' } });
  expect(await h.prisma.templateStatusChange.count({ where: { version: { templateId: template.id }, toStatus: 'APPROVED' } })).toBe(1);
  expect(await changedEvents(template.id)).toHaveLength(outboxBefore);
  expect(await h.prisma.templateConsumedEvent.count({ where: { eventId: approved.id } })).toBe(1);
});

it('a report older than the last one applied is skipped as out of order', async () => {
  const template = await whatsappTemplate();
  const now = Date.now();
  const providerTemplateId = '888000111222333';
  const approvedNow = statusReport(agent.organizationId, { name: template.name, status: 'APPROVED', event: 'APPROVED', providerTemplateId, reportedAt: new Date(now).toISOString() });
  await publish(producer, approvedNow);
  expect(await outcomeOf(approvedNow.id)).toBe('APPLIED');
  const late = statusReport(agent.organizationId, { name: template.name, status: 'PAUSED', event: 'PAUSED', providerTemplateId, reportedAt: new Date(now - 60_000).toISOString() });
  await publish(producer, late);
  expect(await outcomeOf(late.id)).toBe('STALE');
  expect(await latestStatus(template.id)).toBe('APPROVED');
});

it('reports about no template of the organization, or no status, are skipped; another organization is never touched', async () => {
  const other = h.member('AGENT');
  const mine = await whatsappTemplate();
  // The same name in another organization.
  const { id: theirs } = await h.ok(CREATE, { input: whatsappInput({ name: mine.name }) }, other);
  await h.ok(SUBMIT, { id: theirs }, other);

  const unknown = statusReport(agent.organizationId, { name: 'no_such_template', status: 'APPROVED', event: 'APPROVED' });
  const wrongLanguage = statusReport(agent.organizationId, { name: mine.name, language: 'pt_BR', status: 'APPROVED', event: 'APPROVED' });
  const flagged = statusReport(agent.organizationId, { name: mine.name, status: null, event: 'FLAGGED' });
  const forOther = statusReport(other.organizationId, { name: mine.name, status: 'REJECTED', event: 'REJECTED', reason: 'TAG_CONTENT_MISMATCH' });
  await publish(producer, unknown, wrongLanguage, flagged, forOther);

  expect(await outcomeOf(unknown.id)).toBe('NO_TEMPLATE');
  expect(await outcomeOf(wrongLanguage.id)).toBe('NO_TEMPLATE');
  expect(await outcomeOf(flagged.id)).toBe('IGNORED');
  expect(await outcomeOf(forOther.id)).toBe('APPLIED');
  expect(await latestStatus(mine.id)).toBe('PENDING');
  expect(await latestStatus(theirs)).toBe('REJECTED');
});

it('two members handling the same event at once apply it once', async () => {
  const template = await whatsappTemplate();
  const second = await startTemplateConsumers({ kafka, prisma: h.prisma, redis: h.redis, log, groupId: `template-other-${randomUUID().slice(0, 8)}` });
  try {
    const report = statusReport(agent.organizationId, { name: template.name, status: 'APPROVED', event: 'APPROVED' });
    await publish(producer, report);
    expect(await outcomeOf(report.id)).toBe('APPLIED');
    await waitFor(() => second.handles[0]!.stats().handled >= 1 && consumers.handles[0]!.stats().handled >= 1, 'both groups handled it');
    // The other group starts from the beginning: it re-reads every earlier report too, all recorded already.
    await waitFor(async () => second.handles[0]!.stats().received >= (await h.prisma.templateConsumedEvent.count()), 'the other group caught up');
  } finally {
    await second.stop();
  }
  expect(await h.prisma.templateStatusChange.count({ where: { version: { templateId: template.id }, toStatus: 'APPROVED' } })).toBe(1);
  expect(await latestStatus(template.id)).toBe('APPROVED');
});
