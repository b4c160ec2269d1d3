import type { SeededUser, TestSystem } from '@switchboard/testkit';
import { RECEIVED_SUBSCRIPTION, phoneNumber, sendMessage, smsSender, subscribe, waitFor, waitForStatus } from './support/messaging';
import { setUpMessagingSystem } from './support/messaging-setup';

/**
 * Messaging and the contact subgraph, through events only: a contact created through the API is
 * known to messaging once its `contact.changed` arrives (sendMessage by contactId, the subscriber's
 * `message { contact { name } }` resolved by the contact subgraph); a consent decision recorded on
 * the contact is honoured by sendMessage; an unknown sender's message creates a contact, its STOP is
 * recorded on that contact, and the messages from before the contact existed are its conversation.
 */
let system: TestSystem;
let owner: SeededUser;
let sender: { id: string; address: string };
const { subscribers } = setUpMessagingSystem({ sender: smsSender, ready: (setup) => ({ system, owner, sender } = setup) });

async function createContact(input: Record<string, unknown>): Promise<string> {
  const result = await system.graphql('mutation($input: CreateContactInput!) { createContact(input: $input) { id } }', { input }, { token: owner.accessToken });
  if (result.errors) throw new Error(`createContact failed: ${JSON.stringify(result.errors)}`);
  return result.data.createContact.id;
}

/** sendMessage by contact, retried while messaging has not heard of the contact yet (NOT_FOUND). */
function sendToContact(contactId: string, body: string) {
  return waitFor(
    async () => {
      const result = await sendMessage(system, owner, { channel: 'SMS', senderId: sender.id, contactId, body });
      return result.errors?.[0]?.extensions?.code === 'NOT_FOUND' ? undefined : result;
    },
    'messaging to know the contact',
    10_000,
    100,
  );
}

it('sends to a contact created through the API; the subscriber sees the contact resolved by its subgraph', async () => {
  const phone = phoneNumber();
  const contactId = await createContact({ name: 'Ann Customer', phone });
  const watcher = await subscribe(
    system,
    owner.accessToken,
    'subscription($contactId: ID) { messageStatusChanged(contactId: $contactId) { status message { to status contact { id name phone } } } }',
    { contactId },
  );
  subscribers.push(watcher);

  const result = await sendToContact(contactId, 'Hello Ann');
  expect(result.errors).toBeUndefined();
  const message = result.data.sendMessage.message;
  expect(message).toMatchObject({ to: phone, contact: { id: contactId } });
  await waitForStatus(system, owner, message.id, 'DELIVERED');

  const delivered = await watcher.waitFor((value) => value.data?.messageStatusChanged?.status === 'DELIVERED');
  expect(delivered.value.data.messageStatusChanged.message).toEqual({ to: phone, status: 'DELIVERED', contact: { id: contactId, name: 'Ann Customer', phone } });
});

it('a consent decision recorded on the contact is honoured by sendMessage', async () => {
  const contactId = await createContact({ name: 'Bob Careful', phone: phoneNumber() });
  const opted = await system.graphql(
    'mutation($id: ID!) { setConsent(contactId: $id, channel: SMS, status: OPTED_OUT, source: "phone call") { id } }',
    { id: contactId },
    { token: owner.accessToken },
  );
  expect(opted.errors).toBeUndefined();
  const refused = await waitFor(
    async () => {
      const result = await sendMessage(system, owner, { channel: 'SMS', senderId: sender.id, contactId, body: 'Promo' });
      return result.errors?.[0]?.extensions?.code === 'OPTED_OUT' ? result : undefined;
    },
    'the opt-out to reach messaging',
    10_000,
    100,
  );
  expect(refused.data).toBeNull();
});

it("an unknown sender's message creates a contact, their STOP is recorded on it, and both messages are its conversation", async () => {
  const phone = phoneNumber();
  const inbox = await subscribe(system, owner.accessToken, RECEIVED_SUBSCRIPTION, { senderId: sender.id });
  subscribers.push(inbox);
  await system.standIns.twilio.simulateInbound({ from: phone, to: sender.address, body: 'Hi, who is this?' });
  const first = (await inbox.waitForCount(1))[0]!.value.data.messageReceived;
  expect(first).toMatchObject({ contactId: null, message: { from: phone, body: 'Hi, who is this?' } });

  const contact = await waitFor(
    async () => {
      const found = await system.graphql('query($search: String) { contacts(filter: { search: $search }) { edges { node { id phone source } } } }', { search: phone }, { token: owner.accessToken });
      return found.data?.contacts?.edges?.[0]?.node;
    },
    'the contact made from the inbound message',
  );
  expect(contact).toMatchObject({ phone, source: 'inbound' });

  await system.standIns.twilio.simulateInbound({ from: phone, to: sender.address, body: 'STOP' });
  await waitFor(
    async () => {
      const read = await system.graphql('query($id: ID!) { contact(id: $id) { consentFor(channel: SMS) { status source } } }', { id: contact.id }, { token: owner.accessToken });
      const consent = read.data?.contact?.consentFor;
      return consent?.status === 'OPTED_OUT' ? consent : undefined;
    },
    'the STOP to be recorded on the contact',
  );
  // Messaging learns the new contact from contact.changed; by contact or by number, it is opted out.
  const byContact = await waitFor(
    async () => {
      const result = await sendMessage(system, owner, { channel: 'SMS', senderId: sender.id, contactId: contact.id, body: 'Are you sure?' });
      return result.errors?.[0]?.extensions?.code === 'NOT_FOUND' ? undefined : result;
    },
    'messaging to know the new contact',
  );
  expect(byContact.errors?.[0]?.extensions?.code).toBe('OPTED_OUT');
  const byNumber = await sendMessage(system, owner, { channel: 'SMS', senderId: sender.id, to: phone, body: 'Are you sure?' });
  expect(byNumber.errors?.[0]?.extensions?.code).toBe('OPTED_OUT');

  // The messages that came before messaging knew the contact are the contact's conversation too.
  const conversation = await waitFor(
    async () => {
      const read = await system.graphql(
        'query($id: ID!) { contact(id: $id) { messages(first: 10) { edges { node { body direction contact { id } } } } } }',
        { id: contact.id },
        { token: owner.accessToken },
      );
      const nodes = (read.data?.contact?.messages?.edges ?? []).map((edge: { node: unknown }) => edge.node);
      return nodes.length === 2 ? nodes : undefined;
    },
    "the inbound messages on the contact's conversation",
  );
  expect(conversation).toEqual([
    { body: 'STOP', direction: 'INBOUND', contact: { id: contact.id } },
    { body: 'Hi, who is this?', direction: 'INBOUND', contact: { id: contact.id } },
  ]);
});
