import { registerUser, startTestSystem, type SeededUser, type TestSystem } from '@switchboard/testkit';
import { sendMessage, smsSender, waitFor } from './support/messaging';

/**
 * contact.changed end to end: contact writes through the gateway → the contact schema's outbox →
 * the system's outbox relay → Kafka → messaging's contact projection, observed the way a user would:
 * a contact can be messaged by id once messaging knows it, its consent and its deletion reach the
 * send checks.
 */

jest.setTimeout(90_000);

let system: TestSystem;
let owner: SeededUser;
let senderId: string;

const call = async (query: string, variables?: Record<string, unknown>) => {
  const result = await system.graphql(query, variables, { token: owner.accessToken });
  if (result.errors) throw new Error(JSON.stringify(result.errors));
  return result.data;
};

beforeAll(async () => {
  system = await startTestSystem();
  owner = await registerUser(system, { organizationName: 'Contact Events' });
  senderId = (await smsSender(system, owner)).id;
});

afterAll(async () => {
  await system?.close();
});

/** sendMessage to the contact by id; the first error code, or 'SENT' when accepted. */
async function sendTo(contactId: string, body = 'Hello from the e2e test'): Promise<string> {
  const result = await sendMessage(system, owner, { channel: 'SMS', senderId, contactId, body });
  if (result.errors) return String(result.errors[0]?.extensions?.code);
  return result.data?.sendMessage?.message ? 'SENT' : 'NO_MESSAGE';
}

describe('contact.changed reaches messaging', () => {
  let contactId: string;

  it('a contact created through the gateway can be messaged by id once messaging has its event', async () => {
    contactId = (await call(`mutation { createContact(input: { name: "Evented Eve", phone: "+14155550188" }) { id } }`)).createContact.id;
    await waitFor(async () => (await sendTo(contactId)) === 'SENT', 'messaging to accept a send to the new contact');
    const sent = await sendMessage(system, owner, { channel: 'SMS', senderId, contactId, body: 'Second hello' });
    expect(sent.data?.sendMessage?.message).toMatchObject({ to: '+14155550188', contact: { id: contactId } });
  });

  it("the contact's consent reaches the send checks: OPTED_OUT on SMS is refused, OPTED_IN sends again", async () => {
    await call(`mutation($id: ID!) { setConsent(contactId: $id, channel: SMS, status: OPTED_OUT, source: "phone call") { id } }`, { id: contactId });
    await waitFor(async () => (await sendTo(contactId)) === 'OPTED_OUT', 'messaging to refuse the opted-out contact');
    await call(`mutation($id: ID!) { setConsent(contactId: $id, channel: SMS, status: OPTED_IN) { id } }`, { id: contactId });
    await waitFor(async () => (await sendTo(contactId)) === 'SENT', 'messaging to send to the opted-in contact again');
  });

  it('a deleted contact can no longer be messaged by id', async () => {
    await call(`mutation($id: ID!) { deleteContact(id: $id) }`, { id: contactId });
    await waitFor(async () => (await sendTo(contactId)) === 'NOT_FOUND', 'messaging to forget the deleted contact');
  });

  it('every contact event was published exactly once by the relay', async () => {
    await waitFor(async () => (await system.prisma.contactOutboxEvent.count({ where: { publishedAt: null } })) === 0, 'the relay to drain contact.outbox');
    const events = await system.prisma.contactOutboxEvent.findMany({ where: { organizationId: owner.organizationId }, orderBy: { createdAt: 'asc' } });
    expect(events.map((event) => (event.payload as { change: string; version: number }).change)).toEqual(['CREATED', 'UPDATED', 'UPDATED', 'DELETED']);
    expect(events.map((event) => (event.payload as { version: number }).version)).toEqual([1, 2, 3, 4]);
  });
});
