import { EVENT_HEADERS, decodeEvent, type SwitchboardEvent } from '@switchboard/events';
import type { Kafka } from '@switchboard/kafka';
import type { BrokerHandle } from '@switchboard/kafka-broker';
import { startOutboxRelay, type OutboxRelay } from '@switchboard/worker-outbox-relay';
import { CREATE, SET_STATUS, SUBMIT, UPDATE, smsInput, whatsappInput } from './operations';
import { startTemplateSubgraph, type Member, type TemplateSubgraphHarness } from './harness';
import { collect, kafkaFor, log, startTestBroker, waitFor } from './kafka';

/**
 * The template schema's outbox through the real relay and the real Kafka protocol: what a
 * kafkajs consumer of `template.changed` receives, decoded by the shared catalog.
 */

let h: TemplateSubgraphHarness;
let broker: BrokerHandle;
let kafka: Kafka;
let relay: OutboxRelay;
let observer: Awaited<ReturnType<typeof collect>>;
let agent: Member;
let admin: Member;

beforeAll(async () => {
  h = await startTemplateSubgraph();
  broker = await startTestBroker();
  kafka = kafkaFor(broker);
  relay = await startOutboxRelay({ databaseUrl: h.databaseUrl, kafka, schemas: ['template'], log, pollIntervalMs: 50 });
  observer = await collect(kafka, ['template.changed']);
  agent = h.member('AGENT');
  admin = h.member('ADMIN', agent.organizationId);
});
afterAll(async () => {
  await observer?.stop();
  await relay?.stop();
  await broker?.close();
  await h?.close();
});

function received(templateId: string) {
  return observer.messages
    .filter((m) => m.key?.toString() === templateId)
    .map((m) => ({ message: m, event: decodeEvent(m.value) as Extract<SwitchboardEvent, { type: 'template.changed' }> }));
}

it('publishes every template.changed to its topic, keyed by the template, in the order written — and marks the rows', async () => {
  const input = whatsappInput({ name: 'relayed_template' });
  const created = await h.ok(CREATE, { input }, agent);
  const id: string = created.id;
  await h.ok(SUBMIT, { id }, agent);
  await h.ok(SET_STATUS, { id, status: 'APPROVED' }, admin);
  await h.ok(UPDATE, { id, input: { whatsapp: { ...input.whatsapp, footer: 'Second wording' } } }, agent);

  const events = await waitFor(() => {
    const got = received(id);
    return got.length >= 4 ? got : null;
  }, 'four template.changed events');
  expect(events).toHaveLength(4);

  // One partition per key: in the order written.
  expect(new Set(events.map((e) => e.message.partition)).size).toBe(1);
  expect(events.map((e) => [e.event.payload.change, e.event.payload.template.status])).toEqual([
    ['CREATED', 'DRAFT'],
    ['STATUS_CHANGED', 'PENDING'],
    ['STATUS_CHANGED', 'APPROVED'],
    ['UPDATED', 'DRAFT'],
  ]);

  const rows = await h.prisma.templateOutboxEvent.findMany({
    where: { payload: { path: ['templateId'], equals: id } },
    orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
  });
  // The envelope: the row's id, the organization, when it happened, the request that caused it.
  events.forEach(({ message, event }, i) => {
    const row = rows[i]!;
    expect(event).toMatchObject({
      id: row.id,
      type: 'template.changed',
      version: 1,
      organizationId: agent.organizationId,
      occurredAt: row.createdAt.toISOString(),
      traceId: row.traceId,
    });
    expect(message.headers?.[EVENT_HEADERS.id]?.toString()).toBe(row.id);
    expect(message.headers?.[EVENT_HEADERS.type]?.toString()).toBe('template.changed');
  });
  expect(rows[0]!.traceId).toBe(agent.caller.kind === 'user' ? agent.caller.requestId : undefined);

  // What messaging's projection keeps: the approved content stays the one to send after the edit.
  const approved = events[2]!.event.payload.template;
  const afterEdit = events[3]!.event.payload.template;
  expect(approved.activeVersion).toMatchObject({ version: 1, content: { channel: 'WHATSAPP', footer: 'Reply STOP to unsubscribe' } });
  expect(afterEdit.activeVersion).toEqual(approved.activeVersion);
  expect(afterEdit.activeVersionId).toBe(approved.activeVersionId);

  await waitFor(async () => (await h.prisma.templateOutboxEvent.count({ where: { publishedAt: null } })) === 0, 'every row marked published');
  expect(relay.stats()).toMatchObject({ parked: 0, unknownTypes: {} });
});

it('an SMS template is published with its current version to send', async () => {
  const created = await h.ok(CREATE, { input: smsInput({ name: 'Relayed SMS' }) }, agent);
  const [only] = await waitFor(() => {
    const got = received(created.id);
    return got.length >= 1 ? got : null;
  }, 'the SMS template event');
  expect(only!.event.payload).toMatchObject({
    templateId: created.id,
    change: 'CREATED',
    template: {
      channel: 'SMS',
      name: 'Relayed SMS',
      status: 'ACTIVE',
      category: null,
      activeVersion: {
        version: 1,
        content: { channel: 'SMS', body: 'Your code is {{code}}. It expires in 10 minutes.' },
        variables: [{ name: 'code', type: 'NUMBER', example: 123456, description: null }],
      },
    },
  });
});
