import { randomUUID } from 'node:crypto';
import { createEvent, encodeEvent, messageDeadLettered, messageStatusChanged, type PayloadOf, type SwitchboardEvent } from '@switchboard/events';
import { sendEvents } from '@switchboard/kafka';
import type { MessagingConsumers } from '../src';
import { CREATE_SENDER, MESSAGE, SEND, contactEvent, eventually, expectError, startMessagingKafka, startMessagingSubgraph, templateEvent, type MessagingHarness, type MessagingKafka } from './harness';

let h: MessagingHarness;
let bus: MessagingKafka;
let consumers: MessagingConsumers;
let org: ReturnType<MessagingHarness['organization']>;
let smsSender: string;

async function publish(...events: SwitchboardEvent[]) {
  await sendEvents(bus.producer, events.map((event) => encodeEvent(event)));
}

function workerStatus(messageId: string, payload: Partial<PayloadOf<typeof messageStatusChanged>>) {
  return createEvent(
    messageStatusChanged,
    { messageId, channel: 'SMS', conversationId: null, status: 'SENDING', providerMessageId: null, errorCode: null, errorReason: null, source: 'WORKER', occurredAt: new Date().toISOString(), ...payload },
    { organizationId: org.id },
  ) as SwitchboardEvent;
}

async function queuedSms(to: string) {
  const result = await h.graphql(SEND, { input: { channel: 'SMS', to, senderId: smsSender, body: 'hello' } }, org.agent);
  if (!result.data) throw new Error(JSON.stringify(result.errors));
  return result.data.sendMessage.message.id as string;
}

const messageOf = async (id: string) => (await h.graphql(MESSAGE, { id }, org.viewer)).data!.message;

beforeAll(async () => {
  h = await startMessagingSubgraph();
  bus = await startMessagingKafka(h, 'messaging-consumers-test');
  consumers = await bus.startConsumers();
  org = h.organization();
  const sms = await h.graphql(CREATE_SENDER, { input: { name: 'SMS', kind: 'SMS_NUMBER', address: '+14155550100' } }, org.admin);
  smsSender = sms.data!.createSender.id;
}, 60_000);

afterAll(async () => {
  await bus?.close();
  await h?.close();
});

describe('projection consumers (contact.changed, template.changed over Kafka)', () => {
  it('a contact and a template published by their subgraphs become sendable here', async () => {
    const contact = contactEvent(org.id, { phone: '+447911123420' });
    const template = templateEvent(org.id);
    const input = { channel: 'SMS', contactId: contact.payload.contactId, senderId: smsSender, templateId: template.payload.templateId, variables: { first_name: 'Ann', code: '1' } };
    expectError(await h.graphql(SEND, { input }, org.agent), 'NOT_FOUND');

    await publish(contact, template);
    await eventually(() => h.prisma.messagingContactProjection.findUnique({ where: { id: contact.payload.contactId } }), (row) => row !== null);
    await eventually(() => h.prisma.messagingTemplateProjection.findUnique({ where: { id: template.payload.templateId } }), (row) => row !== null);
    const sent = await h.graphql(SEND, { input }, org.agent);
    expect(sent.data!.sendMessage.message).toMatchObject({ body: 'Hi Ann, your code is 1', to: '+447911123420' });
  });

  it('an older event never overwrites newer state; an opt-out arrives and applies', async () => {
    const id = randomUUID();
    const newer = contactEvent(org.id, { id, name: 'Newer', phone: '+447911123421', consent: { email: 'UNKNOWN', sms: 'OPTED_OUT', whatsapp: 'UNKNOWN' }, updatedAt: '2026-11-21T12:00:00.000Z' });
    const older = contactEvent(org.id, { id, name: 'Older', phone: '+447911123421', updatedAt: '2026-11-21T11:00:00.000Z' }, 'UPDATED');
    const marker = contactEvent(org.id, { phone: '+447911123422' });
    await publish(newer, older, marker);
    // Same key, same partition: once the marker's partition-mate is applied, so are both.
    await eventually(() => h.prisma.messagingContactProjection.findUnique({ where: { id } }), (row) => row?.lastEventId === newer.id);
    await eventually(() => h.prisma.messagingContactProjection.findUnique({ where: { id: marker.payload.contactId } }), (row) => row !== null);
    await new Promise((resolve) => setTimeout(resolve, 500));
    const row = await h.prisma.messagingContactProjection.findUniqueOrThrow({ where: { id } });
    expect(row).toMatchObject({ name: 'Newer', smsConsent: 'OPTED_OUT', lastEventId: newer.id });
    expectError(await h.graphql(SEND, { input: { channel: 'SMS', contactId: id, senderId: smsSender, body: 'x' } }, org.agent), 'OPTED_OUT');
  });
});

describe('status consumer (message.status from channel workers)', () => {
  it('applies worker statuses forward-only, once per event, counting attempts, and writes message.status_changed', async () => {
    const messageId = await queuedSms('+447911123430');
    const sending = workerStatus(messageId, { status: 'SENDING', attempt: 1 });
    const sent = workerStatus(messageId, { status: 'SENT', providerMessageId: 'SM00000000000000000000000000000001', attempt: 1 });
    const lateSending = workerStatus(messageId, { status: 'SENDING', attempt: 2 });
    const delivered = workerStatus(messageId, { status: 'DELIVERED', source: 'WEBHOOK' });
    // The same event delivered twice (a redelivery after a crash), and a stale SENDING of a second
    // attempt after SENT, also twice: not in the history (SENT came first), yet its attempt counts,
    // once. DELIVERED, on the same partition, is applied after all of them.
    await publish(sending, sending, sent, sent, lateSending, lateSending, delivered);
    const message = await eventually(() => messageOf(messageId), (m) => m.status === 'DELIVERED');
    expect(message).toMatchObject({ attempts: 2, providerMessageId: 'SM00000000000000000000000000000001' });
    expect(message.statusHistory.map((e: { status: string; source: string }) => `${e.status}:${e.source}`)).toEqual([
      'QUEUED:API',
      'SENDING:WORKER',
      'SENT:WORKER',
      'DELIVERED:WEBHOOK',
    ]);
    const changes = await h.prisma.messagingOutboxEvent.findMany({ where: { type: 'message.status_changed', payload: { path: ['messageId'], equals: messageId } }, orderBy: { createdAt: 'asc' } });
    expect(changes.map((e) => [(e.payload as { previousStatus: string }).previousStatus, (e.payload as { status: string }).status])).toEqual([
      ['QUEUED', 'SENDING'],
      ['SENDING', 'SENT'],
      ['SENT', 'DELIVERED'],
    ]);
    expect(changes[0]!.organizationId).toBe(org.id);
  });

  it('a dead-lettered request fails the message with the worker’s reason and attempts', async () => {
    const messageId = await queuedSms('+447911123431');
    const dead = createEvent(
      messageDeadLettered,
      { messageId, channel: 'SMS', conversationId: null, requestEventId: randomUUID(), attempts: 5, errorCode: '20429', reason: 'rate limited by the provider after 5 attempts', lastAttemptAt: new Date().toISOString() },
      { organizationId: org.id },
    ) as SwitchboardEvent;
    await publish(workerStatus(messageId, { status: 'SENDING' }));
    await eventually(() => messageOf(messageId), (m) => m.status === 'SENDING');
    await publish(dead);
    await eventually(() => messageOf(messageId), (m) => m.status === 'FAILED');
    // A late SENT (another topic, so in no particular order) cannot revive it.
    const statusConsumer = consumers.handles.find((handle) => handle.groupId.endsWith('-status'))!;
    const handled = statusConsumer.stats().handled;
    await publish(workerStatus(messageId, { status: 'SENT' }));
    await eventually(async () => statusConsumer.stats().handled, (count) => count > handled);
    const message = await messageOf(messageId);
    expect(message).toMatchObject({ status: 'FAILED', attempts: 5, errorCode: '20429', errorReason: 'rate limited by the provider after 5 attempts' });
    expect(message.statusHistory.map((e: { status: string; providerCode: string | null }) => [e.status, e.providerCode])).toEqual([
      ['QUEUED', null],
      ['SENDING', null],
      ['FAILED', '20429'],
    ]);
  });

  it('a status naming another organization’s message changes nothing', async () => {
    const messageId = await queuedSms('+447911123432');
    const foreign = createEvent(
      messageStatusChanged,
      { messageId, channel: 'SMS', conversationId: null, status: 'DELIVERED', providerMessageId: null, errorCode: null, errorReason: null, source: 'WORKER', occurredAt: new Date().toISOString() },
      { organizationId: randomUUID() },
    ) as SwitchboardEvent;
    const marker = workerStatus(messageId, { status: 'SENDING' });
    await publish(foreign, marker);
    await eventually(() => messageOf(messageId), (m) => m.status === 'SENDING');
    expect((await messageOf(messageId)).statusHistory.map((e: { status: string }) => e.status)).toEqual(['QUEUED', 'SENDING']);
  });
});
