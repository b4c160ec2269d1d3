import { randomUUID } from 'node:crypto';
import { createLogger } from '@switchboard/config';
import { withTransaction } from '@switchboard/db';
import { decodeEvent, type EventOfType } from '@switchboard/events';
import { createKafka } from '@switchboard/kafka';
import { silentLogger, startBroker, type BrokerHandle } from '@switchboard/kafka-broker';
import { startOutboxRelay, type OutboxRelay } from '@switchboard/worker-outbox-relay';
import type { Consumer } from 'kafkajs';
import { searchTextOf, sortKeyOf } from '../src/domain/contact-fields';
import { insertContact, updateContact } from '../src/store/contact-writes';
import { isUniqueViolation } from '../src/store/sql';
import { eventsOf, outboxEvents } from './outbox';
import { CONTACT_FIELDS, startContactTeam, waitForImport, type ContactHarness, type Member } from './harness';

/*
 * contact.changed through the outbox: every contact write (create, update, consent, delete, each
 * import batch) writes its event in the same statement — so in the same transaction — and the
 * outbox relay publishes them to Kafka, where the catalog decodes them.
 */

jest.setTimeout(60_000);

let harness: ContactHarness;
let admin: Member;
let agent: Member;
let viewer: Member;

beforeAll(async () => {
  ({ harness, admin, agent, viewer } = await startContactTeam({ import: { batchSize: 100 } }));
});

afterAll(() => harness?.close());

async function ok(member: Member, query: string, variables?: Record<string, unknown>, requestId?: string) {
  const result = await member.graphql(query, variables, requestId ? { requestId } : {});
  if (result.errors) throw new Error(JSON.stringify(result.errors));
  return result.data;
}

const CREATE = `mutation($input: CreateContactInput!) { createContact(input: $input) { ${CONTACT_FIELDS} source } }`;
const UPDATE = `mutation($id: ID!, $input: UpdateContactInput!) { updateContact(id: $id, input: $input) { ${CONTACT_FIELDS} } }`;
const CONSENT = `mutation($id: ID!, $channel: ConsentChannel!, $status: ConsentStatus!) {
  setConsent(contactId: $id, channel: $channel, status: $status, source: "web-form") { ${CONTACT_FIELDS} } }`;
const DELETE = `mutation($id: ID!) { deleteContact(id: $id) }`;

const countAll = () => harness.prisma.contactOutboxEvent.count();

describe('contact.changed in the outbox', () => {
  it('createContact writes one CREATED event: the catalog payload, version 1, the request as trace id', async () => {
    const before = await countAll();
    const requestId = randomUUID();
    const { createContact: contact } = await ok(
      agent,
      CREATE,
      {
        input: {
          name: 'Grace Hopper',
          phone: '+44 20 7946 0101',
          email: 'Grace@Example.com',
          whatsappId: '442079460101',
          tags: ['Navy', 'cobol'],
          consent: [{ channel: 'EMAIL', status: 'OPTED_IN' }],
        },
      },
      requestId,
    );
    expect(contact.source).toBe('api');
    const events = await outboxEvents(harness.prisma, admin.organizationId);
    expect(await countAll()).toBe(before + 1);
    const mine = events.filter((e) => e.event.payload.contactId === contact.id);
    expect(mine).toHaveLength(1);
    const [{ row, event }] = mine as [(typeof mine)[0]];
    expect(event.payload).toEqual({
      contactId: contact.id,
      change: 'CREATED',
      version: 1,
      contact: {
        name: 'Grace Hopper',
        phone: '+442079460101',
        email: 'grace@example.com',
        whatsappId: '442079460101',
        tags: ['navy', 'cobol'],
        consent: { email: 'OPTED_IN', sms: 'UNKNOWN', whatsapp: 'UNKNOWN' },
        updatedAt: contact.updatedAt,
      },
    });
    expect(row).toMatchObject({ type: 'contact.changed', organizationId: admin.organizationId, traceId: requestId, publishedAt: null });
    // The event's time is the contact's updatedAt: one contact's events leave in the order written.
    expect(row.createdAt.toISOString()).toBe(contact.updatedAt);
  });

  it('each update, consent and the deletion add exactly one event, with a higher version and a later time', async () => {
    const { createContact: contact } = await ok(agent, CREATE, { input: { name: 'Alan Turing', email: 'alan@example.org' } });
    await ok(agent, UPDATE, { id: contact.id, input: { name: 'Alan M. Turing', phone: '+44 20 7946 0102' } });
    await ok(agent, CONSENT, { id: contact.id, channel: 'SMS', status: 'OPTED_OUT' });
    const { updateContact: last } = await ok(agent, UPDATE, { id: contact.id, input: { tags: ['enigma'] } });
    await ok(admin, DELETE, { id: contact.id });

    const events = await eventsOf(harness.prisma, contact.id);
    expect(events.map((e) => [e.payload.change, e.payload.version])).toEqual([
      ['CREATED', 1],
      ['UPDATED', 2],
      ['UPDATED', 3],
      ['UPDATED', 4],
      ['DELETED', 5],
    ]);
    expect(events[1]!.payload.contact).toMatchObject({ name: 'Alan M. Turing', phone: '+442079460102' });
    expect(events[2]!.payload.contact?.consent).toEqual({ email: 'UNKNOWN', sms: 'OPTED_OUT', whatsapp: 'UNKNOWN' });
    expect(events[3]!.payload.contact).toMatchObject({ tags: ['enigma'], updatedAt: last.updatedAt });
    const times = events.slice(0, 4).map((e) => Date.parse(e.payload.contact!.updatedAt));
    for (let i = 1; i < times.length; i++) expect(times[i]).toBeGreaterThan(times[i - 1]!);
    // The tombstone: no state, and a time after the last state's, so consumers do not take it for an old event.
    expect(events[4]!.payload.contact).toBeNull();
    expect(Date.parse(events[4]!.occurredAt)).toBeGreaterThan(times[3]!);
  });

  it('refused writes add no event', async () => {
    const { createContact: contact } = await ok(agent, CREATE, { input: { name: 'Kept', phone: '+44 20 7946 0103' } });
    const before = await countAll();
    const duplicate = await agent.graphql(CREATE, { input: { name: 'Copy', phone: '+442079460103' } });
    expect(duplicate.errors?.[0]?.extensions?.code).toBe('CONFLICT');
    const forbidden = await viewer.graphql(CONSENT, { id: contact.id, channel: 'SMS', status: 'OPTED_IN' });
    expect(forbidden.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const otherOrganization = harness.member('ADMIN');
    const missing = await otherOrganization.graphql(DELETE, { id: contact.id });
    expect(missing.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    const badInput = await agent.graphql(UPDATE, { id: contact.id, input: { email: 'not-an-email' } });
    expect(badInput.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(await countAll()).toBe(before);
  });

  it('a write the database refuses leaves neither the change nor an event', async () => {
    const { createContact: holder } = await ok(agent, CREATE, { input: { name: 'Holder', phone: '+44 20 7946 0104', email: 'holder@example.org' } });
    const { createContact: other } = await ok(agent, CREATE, { input: { name: 'Other', email: 'other@example.org' } });
    const before = await countAll();
    const meta = { now: new Date(), traceId: null };
    // Past the service's duplicate check (a concurrent writer): the unique index refuses the statement.
    const insert = insertContact(
      harness.prisma,
      admin.organizationId,
      {
        name: 'Racer',
        sortName: sortKeyOf('Racer'),
        searchText: searchTextOf({ sortName: 'racer', phone: '+442079460104', email: null }),
        phone: '+442079460104',
        email: null,
        whatsappId: null,
        tags: [],
        attributes: {},
        favourite: false,
        consent: {},
        source: 'api',
      },
      meta,
    );
    expect(isUniqueViolation(await insert.catch((error: unknown) => error))).toBe(true);
    const update = updateContact(harness.prisma, admin.organizationId, other.id, { email: 'holder@example.org' }, meta);
    expect(isUniqueViolation(await update.catch((error: unknown) => error))).toBe(true);
    expect(await countAll()).toBe(before);
    const stored = await harness.prisma.contact.findUniqueOrThrow({ where: { id: other.id } });
    expect(stored).toMatchObject({ email: 'other@example.org', version: 1 });
    expect(holder.id).not.toBe(other.id);
  });

  it('a write inside a transaction that rolls back leaves no event', async () => {
    const { createContact: contact } = await ok(agent, CREATE, { input: { name: 'Rolled Back', email: 'rollback@example.org' } });
    const before = await countAll();
    const attempt = withTransaction(harness.prisma, async (tx) => {
      const updated = await updateContact(tx, admin.organizationId, contact.id, { favourite: true }, { now: new Date(), traceId: null });
      expect(updated?.version).toBe(2); // written, and its event too — until the rollback
      throw new Error('a later step of the transaction failed');
    });
    await expect(attempt).rejects.toThrow('a later step of the transaction failed');
    expect(await countAll()).toBe(before);
    expect(await harness.prisma.contact.findUniqueOrThrow({ where: { id: contact.id } })).toMatchObject({ favourite: false, version: 1 });
  });

  it("updatedAt increases strictly per contact even when a writer's clock is behind", async () => {
    const { createContact: contact } = await ok(agent, CREATE, { input: { name: 'Skewed Clock', email: 'skew@example.org' } });
    const behind = { now: new Date(Date.parse(contact.updatedAt) - 3_600_000), traceId: null };
    const first = await updateContact(harness.prisma, admin.organizationId, contact.id, { favourite: true }, behind);
    const second = await updateContact(harness.prisma, admin.organizationId, contact.id, { favourite: false }, behind);
    expect(first!.updatedAt.getTime()).toBe(Date.parse(contact.updatedAt) + 1);
    expect(second!.updatedAt.getTime()).toBe(first!.updatedAt.getTime() + 1);
    const events = await eventsOf(harness.prisma, contact.id);
    expect(events.map((e) => e.payload.version)).toEqual([1, 2, 3]);
  });

  it('group changes write no contact event', async () => {
    const { createContact: contact } = await ok(agent, CREATE, { input: { name: 'Grouped', email: 'grouped@example.org' } });
    const before = await countAll();
    const { createContactGroup: group } = await ok(agent, `mutation { createContactGroup(input: { name: "Events ${randomUUID()}" }) { id } }`);
    await ok(agent, `mutation($g: ID!, $c: [ID!]!) { addContactsToGroup(groupId: $g, contactIds: $c) { id } }`, { g: group.id, c: [contact.id] });
    expect(await countAll()).toBe(before);
  });
});

describe('imports write their events batch by batch', () => {
  const ROWS = 1_000;
  const csv = (extra = '') =>
    `name,phone,email\n${Array.from({ length: ROWS }, (_, i) => `Imported ${i},+1202555${String(1000 + i).padStart(4, '0')},imp${i}@example.org`).join('\n')}\n${extra}`;

  async function runImport(member: Member, text: string) {
    const { importContacts: job } = await ok(member, `mutation($csv: String) { importContacts(input: { csv: $csv }) { id } }`, { csv: text });
    return waitForImport(member, job.id);
  }

  it('N rows → N CREATED events, one multi-row outbox insert per batch (never a statement per row)', async () => {
    const importer = harness.member('ADMIN');
    harness.queries.length = 0;
    const job = await runImport(importer, csv());
    expect(job).toMatchObject({ status: 'COMPLETED', createdCount: ROWS, failedCount: 0 });
    const events = await outboxEvents(harness.prisma, importer.organizationId);
    expect(events).toHaveLength(ROWS);
    expect(events.every((e) => e.event.payload.change === 'CREATED' && e.event.payload.version === 1)).toBe(true);
    expect(new Set(events.map((e) => e.event.payload.contactId)).size).toBe(ROWS);
    const first = events.find((e) => e.event.payload.contact?.name === 'Imported 0');
    expect(first?.event.payload.contact).toMatchObject({ phone: '+12025551000', email: 'imp0@example.org', tags: [] });
    // 1,000 rows in batches of 100: each batch's contacts and their events go in one statement.
    const outboxStatements = harness.queries.filter((sql) => sql.includes('INSERT INTO contact.outbox'));
    expect(outboxStatements.length).toBe(ROWS / 100);
    const contacts = await harness.prisma.contact.findMany({ where: { organizationId: importer.organizationId }, select: { source: true } });
    expect(contacts.every((c) => c.source === 'import')).toBe(true);
  });

  it('re-importing updates: N UPDATED events at version 2; rows that fail write none', async () => {
    const importer = harness.member('ADMIN');
    await runImport(importer, csv());
    const job = await runImport(importer, csv('Bad Row,123,\nAnother Bad,,not-an-email\n'));
    expect(job).toMatchObject({ status: 'COMPLETED', createdCount: 0, updatedCount: ROWS, failedCount: 2 });
    const events = await outboxEvents(harness.prisma, importer.organizationId);
    expect(events).toHaveLength(2 * ROWS);
    const updates = events.slice(ROWS).map((e) => e.event.payload);
    expect(updates.every((p) => p.change === 'UPDATED' && p.version === 2)).toBe(true);
    const first = events.find((e) => e.event.payload.contactId === updates[0]!.contactId)!;
    expect(Date.parse(updates[0]!.contact!.updatedAt)).toBeGreaterThan(Date.parse(first.event.payload.contact!.updatedAt));
  });
});

describe('the outbox relay publishes contact.changed to Kafka', () => {
  let broker: BrokerHandle;
  let relay: OutboxRelay;
  let consumer: Consumer;

  afterAll(async () => {
    await consumer?.disconnect();
    await relay?.stop();
    await broker?.close();
  });

  it('keyed by contact, in order per contact, decoded by the catalog', async () => {
    const log = createLogger('contact-events-test', 'silent');
    broker = await startBroker({ port: 0, logger: silentLogger });
    const kafka = createKafka({ brokers: [`127.0.0.1:${broker.port}`], clientId: 'contact-events-test', log, logLevel: 'nothing' });
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'contact.changed', numPartitions: 2 }], waitForLeaders: true });
    await admin.disconnect();

    const writer = harness.member('ADMIN');
    const { createContact: contact } = await ok(writer, CREATE, { input: { name: 'Published', phone: '+44 20 7946 0199' } });
    await ok(writer, CONSENT, { id: contact.id, channel: 'WHATSAPP', status: 'OPTED_IN' });
    const { importContacts: job } = await ok(writer, `mutation($csv: String) { importContacts(input: { csv: $csv }) { id } }`, {
      csv: `name,email\n${Array.from({ length: 250 }, (_, i) => `Relayed ${i},relayed${i}@example.org`).join('\n')}`,
    });
    await waitForImport(writer, job.id);
    await ok(writer, DELETE, { id: contact.id });
    const expected = await outboxEvents(harness.prisma, writer.organizationId);
    expect(expected).toHaveLength(1 + 1 + 250 + 1);

    const received: { key: string; event: EventOfType<'contact.changed'>; partition: number }[] = [];
    consumer = kafka.consumer({ groupId: `observer-${randomUUID()}`, maxWaitTimeInMs: 100 });
    await consumer.connect();
    await consumer.subscribe({ topic: 'contact.changed', fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message, partition }) => {
        const event = decodeEvent(message.value);
        if (event.type !== 'contact.changed' || event.organizationId !== writer.organizationId) return;
        received.push({ key: message.key!.toString(), event, partition });
      },
    });
    relay = await startOutboxRelay({ databaseUrl: harness.database.url, kafka, schemas: ['contact'], log, pollIntervalMs: 50 });

    const deadline = Date.now() + 30_000;
    while (received.length < expected.length && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(received).toHaveLength(expected.length);
    expect(received.every((r) => r.key === r.event.payload.contactId)).toBe(true);
    expect(new Set(received.map((r) => r.event.id))).toEqual(new Set(expected.map((e) => e.row.id)));
    const ofContact = received.filter((r) => r.event.payload.contactId === contact.id);
    expect(ofContact.map((r) => [r.event.payload.change, r.event.payload.version])).toEqual([
      ['CREATED', 1],
      ['UPDATED', 2],
      ['DELETED', 3],
    ]);
    expect(ofContact[1]!.event.payload.contact?.consent.whatsapp).toBe('OPTED_IN');
    expect(await harness.prisma.contactOutboxEvent.count({ where: { organizationId: writer.organizationId, publishedAt: null } })).toBe(0);
  });
});
