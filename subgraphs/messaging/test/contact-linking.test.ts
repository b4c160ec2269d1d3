import { randomUUID } from 'node:crypto';
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
const senders = { sms: '', email: '', otherSms: '' };

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
  senders.otherSms = await createSender(other.admin, { name: 'Other line', kind: 'SMS_NUMBER', address: '+14155550121' });
});

afterAll(async () => {
  await h?.close();
});

it('a contact that arrives after messages to its number and email gets them, and only its own organization’s', async () => {
  const phone = '+447911200001';
  const sms = [
    await send(org.agent, { channel: 'SMS', senderId: senders.sms, to: phone, body: 'before 1' }),
    await send(org.agent, { channel: 'SMS', senderId: senders.sms, to: '+44 7911 200001', body: 'before 2' }),
  ];
  const email = await send(org.agent, { channel: 'EMAIL', senderId: senders.email, to: 'Ann.Lee@Example.org', subject: 'Hi', body: 'before 3' });
  const foreign = await send(other.agent, { channel: 'SMS', senderId: senders.otherSms, to: phone, body: 'another organization' });
  const stranger = await send(org.agent, { channel: 'SMS', senderId: senders.sms, to: '+447911200002', body: 'someone else' });
  expect([...sms, email].map((m) => m.contactId)).toEqual([null, null, null]);

  const event = contactEvent(org.id, { name: 'Ann Lee', phone, email: 'ann.lee@example.org' });
  const outcome = await h.runtime.services.projections.applyContactChanges([event]);
  const contactId = event.payload.contactId;
  expect(outcome.messagesLinked).toBe(3);

  const mine = [...sms, email].map((m) => m.id).sort();
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
