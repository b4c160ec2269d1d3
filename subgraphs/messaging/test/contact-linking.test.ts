import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_RANDOM_PAGE_COST } from '@switchboard/db';
import { explainNodes } from '@switchboard/testkit';
import pg from 'pg';
import { LINK_MESSAGES } from '../src/store/projection-store';
import { CREATE_SENDER, SEND, contactEvent, startMessagingSubgraph, type MessagingHarness } from './harness';

/*
 * Messages exchanged with an address before messaging knew a contact for it (an unknown sender who
 * then became a contact, a number texted before its contact was imported) are linked to the contact
 * when its `contact.changed` is applied: `Contact.messages`, `messages(filter: {contactId})` and
 * `Message.contact` then show the whole conversation.
 */
let h: MessagingHarness;
let org: ReturnType<MessagingHarness['organization']>;
let other: ReturnType<MessagingHarness['organization']>;
const senders = { sms: '', email: '', whatsapp: '', otherSms: '' };

const CONTACT_MESSAGES = /* GraphQL */ `
  query($representations: [_Any!]!) {
    _entities(representations: $representations) { ... on Contact { id messages(first: 20) { edges { node { id body contact { id } } } } } }
  }
`;
const BY_CONTACT = 'query($contactId: ID) { messages(filter: { contactId: $contactId }, first: 20) { edges { node { id } } } }';

async function createSender(as: ReturnType<MessagingHarness['organization']>['admin'], input: Record<string, unknown>): Promise<string> {
  const result = await h.graphql(CREATE_SENDER, { input }, as);
  if (!result.data?.createSender) throw new Error(JSON.stringify(result.errors));
  return result.data.createSender.id as string;
}

async function send(as: ReturnType<MessagingHarness['organization']>['agent'], input: Record<string, unknown>): Promise<{ id: string; contactId: string | null }> {
  const result = await h.graphql(SEND, { input }, as);
  if (!result.data?.sendMessage) throw new Error(JSON.stringify(result.errors));
  const message = result.data.sendMessage.message as { id: string; contact: { id: string } | null };
  return { id: message.id, contactId: message.contact?.id ?? null };
}

async function contactMessages(contactId: string, as = org.viewer): Promise<string[]> {
  const result = await h.graphql(CONTACT_MESSAGES, { representations: [{ __typename: 'Contact', id: contactId }] }, as);
  return (result.data!._entities[0].messages.edges as { node: { id: string } }[]).map((edge) => edge.node.id).sort();
}

const contactOf = async (messageId: string) => (await h.prisma.message.findUniqueOrThrow({ where: { id: messageId } })).contactId;

beforeAll(async () => {
  h = await startMessagingSubgraph();
  org = h.organization();
  other = h.organization();
  senders.sms = await createSender(org.admin, { name: 'Line', kind: 'SMS_NUMBER', address: '+14155550120' });
  senders.email = await createSender(org.admin, { name: 'Mail', kind: 'EMAIL_ADDRESS', address: 'support@acme.example' });
  senders.whatsapp = await createSender(org.admin, { name: 'WhatsApp', kind: 'WHATSAPP_NUMBER', address: '+14155550122', phoneNumberId: '100000000000077' });
  senders.otherSms = await createSender(other.admin, { name: 'Other line', kind: 'SMS_NUMBER', address: '+14155550121' });
});

afterAll(async () => {
  await h?.close();
});

it('a contact that arrives after messages to its number, WhatsApp number and email gets them, and only its own organization’s', async () => {
  const phone = '+447911200001';
  const sms = [
    await send(org.agent, { channel: 'SMS', senderId: senders.sms, to: phone, body: 'before 1' }),
    await send(org.agent, { channel: 'SMS', senderId: senders.sms, to: '+44 7911 200001', body: 'before 2' }),
  ];
  const email = await send(org.agent, { channel: 'EMAIL', senderId: senders.email, to: 'Ann.Lee@Example.org', subject: 'Hi', body: 'before 3' });
  const foreign = await send(other.agent, { channel: 'SMS', senderId: senders.otherSms, to: phone, body: 'another organization' });
  const stranger = await send(org.agent, { channel: 'SMS', senderId: senders.sms, to: '+447911200002', body: 'someone else' });
  // A WhatsApp message from the contact's WhatsApp number (not its phone), received before the contact was known.
  const whatsapp = { id: randomUUID() };
  await h.prisma.$executeRaw`
    INSERT INTO "messaging"."message" (id, organization_id, direction, channel, sender_id, from_address, to_address, counterpart_address, body, status, updated_at)
    VALUES (${whatsapp.id}::uuid, ${org.id}::uuid, 'INBOUND', 'WHATSAPP', ${senders.whatsapp}::uuid, '+447911200009', '+14155550122', '+447911200009', 'hi on WhatsApp', 'DELIVERED', now())`;
  expect([...sms, email].map((m) => m.contactId)).toEqual([null, null, null]);

  const event = contactEvent(org.id, { name: 'Ann Lee', phone, email: 'ann.lee@example.org', whatsappId: '447911200009' });
  const outcome = await h.runtime.services.projections.applyContactChanges([event]);
  const contactId = event.payload.contactId;
  expect(outcome.messagesLinked).toBe(4);

  const mine = [...sms, email, whatsapp].map((m) => m.id).sort();
  expect(await contactMessages(contactId)).toEqual(mine);
  const listed = await h.graphql(BY_CONTACT, { contactId }, org.viewer);
  expect((listed.data!.messages.edges as { node: { id: string } }[]).map((e) => e.node.id).sort()).toEqual(mine);
  expect(await contactOf(foreign.id)).toBeNull();
  expect(await contactOf(stranger.id)).toBeNull();
  expect(await contactMessages(contactId, other.viewer)).toEqual([]);

  // Sent after the contact is known: linked at once, as before.
  const after = await send(org.agent, { channel: 'SMS', senderId: senders.sms, to: phone, body: 'after' });
  expect(after.contactId).toBe(contactId);
});

it('keeps a message’s contact; a second contact with the same number takes only what is unlinked; deleted contacts link nothing', async () => {
  const phone = '+447911200010';
  const first = await send(org.agent, { channel: 'SMS', senderId: senders.sms, to: phone, body: 'one' });
  const firstContact = contactEvent(org.id, { name: 'First', phone });
  await h.runtime.services.projections.applyContactChanged(firstContact);
  expect(await contactOf(first.id)).toBe(firstContact.payload.contactId);

  // A duplicate contact with the same number: the message stays with the first one.
  const duplicate = contactEvent(org.id, { name: 'Duplicate', phone });
  expect((await h.runtime.services.projections.applyContactChanges([duplicate])).messagesLinked).toBe(0);
  expect(await contactOf(first.id)).toBe(firstContact.payload.contactId);

  // A contact deleted in the same batch that created it links nothing.
  const lonely = await send(org.agent, { channel: 'SMS', senderId: senders.sms, to: '+447911200011', body: 'two' });
  const created = contactEvent(org.id, { id: randomUUID(), name: 'Gone', phone: '+447911200011' });
  const deleted = { ...contactEvent(org.id, { id: created.payload.contactId }, 'DELETED'), occurredAt: new Date(Date.now() + 1_000).toISOString() };
  expect((await h.runtime.services.projections.applyContactChanges([created, deleted])).messagesLinked).toBe(0);
  expect(await contactOf(lonely.id)).toBeNull();
});

it('a replayed or stale contact event links nothing new and changes no linked message', async () => {
  const phone = '+447911200020';
  const event = contactEvent(org.id, { name: 'Replay', phone });
  const message = await send(org.agent, { channel: 'SMS', senderId: senders.sms, to: phone, body: 'replayed' });
  expect((await h.runtime.services.projections.applyContactChanges([event])).messagesLinked).toBe(1);
  expect((await h.runtime.services.projections.applyContactChanges([event])).messagesLinked).toBe(0);
  expect(await contactOf(message.id)).toBe(event.payload.contactId);
});

it('reads each message at most once to find those of the contacts’ addresses, not once per address', async () => {
  // Prisma's sessions run the statement: the server's planner with our random_page_cost.
  jest.setTimeout(60_000);
  const session = new pg.Client({ connectionString: h.databaseUrl, options: `-c random_page_cost=${DEFAULT_RANDOM_PAGE_COST}` });
  await session.connect();
  try {
    // Four senders with 2,250 messages each, and a batch of 500 contacts (half of them with a
    // number that was messaged).
    const lines = [senders.sms, ...(await Promise.all([1, 2, 3].map((i) => createSender(org.admin, { name: `Line ${i}`, kind: 'SMS_NUMBER', address: `+1415555013${i}` }))))];
    await session.query(
      `INSERT INTO "messaging"."message" (id, organization_id, direction, channel, sender_id, from_address, to_address, counterpart_address, body, status, updated_at)
       SELECT gen_random_uuid(), $1, 'OUTBOUND', 'SMS', ($2::uuid[])[1 + n % 4], '+14155550120', '+447911' || lpad(n::text, 6, '0'), '+447911' || lpad(n::text, 6, '0'), 'hello', 'SENT', now()
         FROM generate_series(1, 9000) AS n`,
      [org.id, lines],
    );
    const ids = Array.from({ length: 500 }, () => randomUUID());
    await session.query(
      `INSERT INTO "messaging"."contact_projection" (id, organization_id, phone, email, whatsapp_id, email_consent, sms_consent, whatsapp_consent, deleted, source_updated_at, updated_at)
       SELECT id, $2, CASE WHEN n % 2 = 0 THEN '+447911' || lpad((n * 17)::text, 6, '0') ELSE '+447922' || lpad(n::text, 6, '0') END,
              'c' || n || '@example.org', '447933' || lpad(n::text, 6, '0'), 'UNKNOWN', 'UNKNOWN', 'UNKNOWN', false, now(), now()
         FROM unnest($1::uuid[]) WITH ORDINALITY AS c (id, n)`,
      [ids, org.id],
    );
    // The batch's contacts were written a moment ago, in the link's own transaction: the planner
    // has no statistics for them yet (none here, at all, for the projection).
    await session.query('ANALYZE "messaging"."message"');
    const nodes = await explainNodes(session, LINK_MESSAGES, [ids]);
    // The message scans (the primary-key look-ups of the rows to update aside) read each message at
    // most once in all, whichever join the planner picks; a plan joining on the sender alone reads
    // every message of the sender once per address (4.5 million rows for 500 contacts against
    // 9,000 messages, seen with the ids given by a subquery).
    const total = await h.prisma.message.count();
    const scans = nodes.filter((node) => node['Relation Name'] === 'message' && node['Index Name'] !== 'message_pkey');
    expect(scans.length).toBeGreaterThan(0);
    expect(scans.reduce((rows, node) => rows + node['Actual Rows'] * node['Actual Loops'], 0)).toBeLessThanOrEqual(total);
    expect(await h.prisma.message.count({ where: { contactId: { in: ids } } })).toBe(250);
  } finally {
    await session.end();
  }
});

it('the upgrade links the messages of contacts known before linking existed (migration 20261122110000_message_contact_link)', async () => {
  const phone = '+447911200030';
  const message = await send(org.agent, { channel: 'SMS', senderId: senders.sms, to: phone, body: 'from before the upgrade' });
  const foreign = await send(other.agent, { channel: 'SMS', senderId: senders.otherSms, to: phone, body: 'another organization' });
  // Contacts as a projection without linking left them: an older and a newer one with the number,
  // and a deleted one.
  const insert = (id: string, organizationId: string, updated: string, deleted: boolean) =>
    h.prisma.$executeRaw`
      INSERT INTO "messaging"."contact_projection" (id, organization_id, phone, email_consent, sms_consent, whatsapp_consent, deleted, source_updated_at, updated_at)
      VALUES (${id}::uuid, ${organizationId}::uuid, ${phone}, 'UNKNOWN', 'UNKNOWN', 'UNKNOWN', ${deleted}, ${new Date(updated)}, now())`;
  const [older, newer, removed] = [randomUUID(), randomUUID(), randomUUID()];
  await insert(older, org.id, '2026-01-01T00:00:00Z', false);
  await insert(newer, org.id, '2026-06-01T00:00:00Z', false);
  await insert(removed, org.id, '2026-09-01T00:00:00Z', true);
  expect(await contactOf(message.id)).toBeNull();

  const migration = readFileSync(join(__dirname, '../../../prisma/migrations/20261122110000_message_contact_link/migration.sql'), 'utf8');
  await h.prisma.$executeRawUnsafe(migration);
  expect(await contactOf(message.id)).toBe(newer);
  expect(await contactOf(foreign.id)).toBeNull();
  // Run again (nothing left to link), it changes nothing.
  await h.prisma.$executeRawUnsafe(migration);
  expect(await contactOf(message.id)).toBe(newer);
});
