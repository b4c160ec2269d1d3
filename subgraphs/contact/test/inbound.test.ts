import { randomUUID } from 'node:crypto';
import { createLogger } from '@switchboard/config';
import { createEvent, encodeEvent, messageReceived, type EventOfType } from '@switchboard/events';
import { connectProducer, createKafka, type Kafka, type Producer } from '@switchboard/kafka';
import { silentLogger, startBroker, type BrokerHandle } from '@switchboard/kafka-broker';
import { startContactConsumers, type ContactConsumers } from '../src';
import { eventsOf, outboxEvents } from './outbox';
import { CONTACT_FIELDS, startContactHarness, type ContactHarness, type Member } from './harness';

/*
 * The `message.received` consumer (group `contact`) against the embedded Kafka broker, PostgreSQL
 * and Redis: unknown senders become contacts exactly once however often the event is delivered,
 * and STOP / START keywords become consent with source `keyword`, newest decision winning.
 */

jest.setTimeout(60_000);

const log = createLogger('contact-inbound-test', process.env.TEST_LOG_LEVEL ?? 'silent');

let harness: ContactHarness;
let broker: BrokerHandle;
let kafka: Kafka;
let producer: Producer;
let consumers: ContactConsumers;
const stopLater: (() => Promise<void>)[] = [];
/** Messages produced to message.received so far. */
let produced = 0;

beforeAll(async () => {
  harness = await startContactHarness();
  broker = await startBroker({ port: 0, logger: silentLogger });
  kafka = createKafka({ brokers: [`127.0.0.1:${broker.port}`], clientId: 'contact-inbound-test', log, logLevel: 'nothing' });
  ({ producer } = await connectProducer(kafka, { log }));
  consumers = await startContactConsumers({
    kafka,
    prisma: harness.prisma,
    redis: harness.redis,
    log,
    groupId: `contact-${randomUUID()}`,
    ensureTopics: { partitions: 2 },
    maxWaitTimeMs: 100,
  });
});

afterAll(async () => {
  for (const stop of stopLater) await stop();
  await consumers?.stop();
  await producer?.disconnect();
  await broker?.close();
  await harness?.close();
});

type Received = EventOfType<'message.received'>;

function inbound(
  organizationId: string,
  fields: Partial<Received['payload']> & Pick<Received['payload'], 'channel' | 'from'>,
): Received {
  return createEvent(
    messageReceived,
    {
      messageId: randomUUID(),
      senderId: randomUUID(),
      to: fields.channel === 'EMAIL' ? 'support@acme.example' : '+14155550100',
      providerMessageId: `SM${randomUUID().replace(/-/g, '')}`,
      conversationId: null,
      contactId: null,
      subject: null,
      text: 'Hello',
      media: [],
      inReplyToProviderMessageId: null,
      receivedAt: new Date().toISOString(),
      consentChange: null,
      ...fields,
    },
    { organizationId, traceId: null },
  ) as Received;
}

/** Publishes events (the same one twice = a redelivery) and waits until the group has taken them all. */
async function deliver(...events: Received[]): Promise<void> {
  for (const event of events) {
    const encoded = encodeEvent(event);
    await producer.send({ topic: encoded.topic, acks: -1, messages: [{ key: encoded.key, value: encoded.value, headers: encoded.headers }] });
    produced += 1;
  }
  await until(() => consumers.handles[0]!.stats().received >= produced, `the consumer to take ${produced} messages`);
  const stats = consumers.handles[0]!.stats();
  await until(() => {
    const now = consumers.handles[0]!.stats();
    return now.handled + now.duplicates >= produced;
  }, `the consumer to apply ${produced} messages (${JSON.stringify(stats)})`);
}

async function until(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const contactsOf = (organizationId: string, where: { phone?: string; email?: string }) =>
  harness.prisma.contact.findMany({ where: { organizationId, ...where } });

async function contactById(member: Member, id: string) {
  const result = await member.graphql(`query($id: ID!) { contact(id: $id) { ${CONTACT_FIELDS} source } }`, { id });
  if (result.errors) throw new Error(JSON.stringify(result.errors));
  return result.data.contact;
}

describe('message.received → contacts', () => {
  it('an unknown sender delivered twice becomes ONE contact (source inbound) with one CREATED event', async () => {
    const organizationId = randomUUID();
    const event = inbound(organizationId, { channel: 'SMS', from: '+447911123401' });
    await deliver(event, event);
    const contacts = await contactsOf(organizationId, { phone: '+447911123401' });
    expect(contacts).toHaveLength(1);
    expect(contacts[0]).toMatchObject({ name: '+447911123401', source: 'inbound', whatsappId: null, smsConsent: 'UNKNOWN', version: 1 });
    const events = await eventsOf(harness.prisma, contacts[0]!.id);
    expect(events.map((e) => [e.payload.change, e.payload.version])).toEqual([['CREATED', 1]]);
    expect(events[0]!.traceId).toBe(event.id); // the consumed event is the trace
    expect(consumers.handles[0]!.stats().duplicates).toBeGreaterThanOrEqual(1);
  });

  it('two messages of the same unknown sender (two event ids) still make one contact', async () => {
    const organizationId = randomUUID();
    await deliver(inbound(organizationId, { channel: 'SMS', from: '+447911123402' }), inbound(organizationId, { channel: 'SMS', from: '+447911123402' }));
    expect(await contactsOf(organizationId, { phone: '+447911123402' })).toHaveLength(1);
    expect(await outboxEvents(harness.prisma, organizationId)).toHaveLength(1);
  });

  it('an unknown WhatsApp sender gets the phone and the WhatsApp id; an email sender the email', async () => {
    const organizationId = randomUUID();
    await deliver(
      inbound(organizationId, { channel: 'WHATSAPP', from: '+447911123403' }),
      inbound(organizationId, { channel: 'EMAIL', from: 'Casey.Customer@Example.org' }),
    );
    const [whatsapp] = await contactsOf(organizationId, { phone: '+447911123403' });
    expect(whatsapp).toMatchObject({ whatsappId: '447911123403', email: null, source: 'inbound' });
    const [email] = await contactsOf(organizationId, { email: 'casey.customer@example.org' });
    expect(email).toMatchObject({ phone: null, name: 'casey.customer@example.org', source: 'inbound' });
  });

  it('finds an existing contact by its address instead of creating one', async () => {
    const agent = harness.member('AGENT');
    const created = await agent.graphql(`mutation { createContact(input: { name: "Known Person", whatsappId: "447911123404" }) { id } }`);
    const contactId = created.data.createContact.id;
    await deliver(inbound(agent.organizationId, { channel: 'WHATSAPP', from: '+447911123404' }));
    const all = await harness.prisma.contact.findMany({ where: { organizationId: agent.organizationId } });
    expect(all.map((c) => c.id)).toEqual([contactId]);
    expect((await eventsOf(harness.prisma, contactId)).map((e) => e.payload.change)).toEqual(['CREATED']);
  });

  it('STOP from an unknown sender creates the contact already opted out, source keyword, as of the message', async () => {
    const organizationId = randomUUID();
    const receivedAt = new Date(Date.now() - 5_000).toISOString();
    await deliver(
      inbound(organizationId, { channel: 'SMS', from: '+447911123405', text: 'STOP', receivedAt, consentChange: { channel: 'SMS', status: 'OPTED_OUT', keyword: 'STOP' } }),
    );
    const [contact] = await contactsOf(organizationId, { phone: '+447911123405' });
    expect(contact).toMatchObject({ smsConsent: 'OPTED_OUT', smsConsentSource: 'keyword', emailConsent: 'UNKNOWN', whatsappConsent: 'UNKNOWN' });
    expect(contact!.smsConsentAt?.toISOString()).toBe(receivedAt);
    const [event] = await eventsOf(harness.prisma, contact!.id);
    expect(event!.payload).toMatchObject({ change: 'CREATED', contact: { consent: { email: 'UNKNOWN', sms: 'OPTED_OUT', whatsapp: 'UNKNOWN' } } });
  });

  it('STOP then START on a known contact; a redelivered or older STOP changes nothing', async () => {
    const agent = harness.member('AGENT');
    const created = await agent.graphql(`mutation { createContact(input: { name: "Opting", phone: "+447911123406" }) { id } }`);
    const contactId: string = created.data.createContact.id;
    const t = Date.now() - 60_000;
    const stop = inbound(agent.organizationId, {
      channel: 'SMS',
      from: '+447911123406',
      contactId,
      text: 'stop',
      receivedAt: new Date(t).toISOString(),
      consentChange: { channel: 'SMS', status: 'OPTED_OUT', keyword: 'STOP' },
    });
    await deliver(stop);
    expect((await contactById(agent, contactId)).consent[1]).toMatchObject({ channel: 'SMS', status: 'OPTED_OUT', source: 'keyword' });

    const start = inbound(agent.organizationId, {
      channel: 'SMS',
      from: '+447911123406',
      contactId,
      text: 'START',
      receivedAt: new Date(t + 10_000).toISOString(),
      consentChange: { channel: 'SMS', status: 'OPTED_IN', keyword: 'START' },
    });
    await deliver(start);
    const afterStart = await contactById(agent, contactId);
    expect(afterStart.consent[1]).toMatchObject({ status: 'OPTED_IN', source: 'keyword', updatedAt: new Date(t + 10_000).toISOString() });

    // The STOP again (same event, then the same keyword under a new event id as a late webhook retry would be).
    const lateStop = inbound(agent.organizationId, { ...stop.payload, messageId: randomUUID(), channel: 'SMS', from: '+447911123406' });
    await deliver(stop, lateStop);
    expect((await contactById(agent, contactId)).consent[1]).toMatchObject({ status: 'OPTED_IN', source: 'keyword' });
    const events = await eventsOf(harness.prisma, contactId);
    expect(events.map((e) => [e.payload.change, e.payload.version, e.payload.contact?.consent.sms])).toEqual([
      ['CREATED', 1, 'UNKNOWN'],
      ['UPDATED', 2, 'OPTED_OUT'],
      ['UPDATED', 3, 'OPTED_IN'],
    ]);
  });

  it("never touches another organization's contact named in an event; the sender becomes a contact of the event's organization", async () => {
    const owner = harness.member('AGENT');
    const created = await owner.graphql(`mutation { createContact(input: { name: "Elsewhere", phone: "+447911123407" }) { id } }`);
    const foreignId: string = created.data.createContact.id;
    const organizationId = randomUUID();
    await deliver(
      inbound(organizationId, {
        channel: 'SMS',
        from: '+447911123407',
        contactId: foreignId,
        text: 'STOP',
        consentChange: { channel: 'SMS', status: 'OPTED_OUT', keyword: 'STOP' },
      }),
    );
    expect(await harness.prisma.contact.findUniqueOrThrow({ where: { id: foreignId } })).toMatchObject({ smsConsent: 'UNKNOWN', version: 1 });
    const [own] = await contactsOf(organizationId, { phone: '+447911123407' });
    expect(own).toMatchObject({ smsConsent: 'OPTED_OUT', source: 'inbound' });
  });

  it('an address that can be no contact is acknowledged without a write', async () => {
    const organizationId = randomUUID();
    await deliver(inbound(organizationId, { channel: 'EMAIL', from: 'not an address' }));
    expect(await harness.prisma.contact.count({ where: { organizationId } })).toBe(0);
  });

  it('replaying the whole topic to a new group WITHOUT the dedupe store changes nothing', async () => {
    const contactsBefore = await harness.prisma.contact.count();
    const eventsBefore = await harness.prisma.contactOutboxEvent.count();
    const replay = await startContactConsumers({
      kafka,
      prisma: harness.prisma,
      redis: harness.redis,
      log,
      groupId: `contact-replay-${randomUUID()}`,
      dedupe: null,
      maxWaitTimeMs: 100,
    });
    stopLater.push(() => replay.stop());
    await until(() => replay.handles[0]!.stats().handled >= produced, 'the replay to apply every message');
    expect(replay.handles[0]!.stats()).toMatchObject({ handled: produced, duplicates: 0, failedAttempts: 0 });
    expect(await harness.prisma.contact.count()).toBe(contactsBefore);
    expect(await harness.prisma.contactOutboxEvent.count()).toBe(eventsBefore);
  });
});
