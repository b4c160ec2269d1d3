import { randomUUID } from 'node:crypto';
import { DEV_CREDENTIALS, startProviderStandIns, type ProviderStandIns } from '@switchboard/provider-stand-ins';
import { CredentialsCipher } from '@switchboard/crypto';
import { CREATE_SENDER, SEND, expectError, startMessagingSubgraph, type MessagingHarness } from './harness';

const TOKEN = 'twilio-auth-token-for-senders-0001';
const SID = `AC${'a'.repeat(32)}`;

let standIns: ProviderStandIns;
let h: MessagingHarness;
let org: ReturnType<MessagingHarness['organization']>;
let other: ReturnType<MessagingHarness['organization']>;

const SENDERS = 'query { senders { id name kind address hasCredentials credentialsHint rateLimitPerSecond } }';
const UPDATE = 'mutation($id: ID!, $input: UpdateSenderInput!) { updateSender(id: $id, input: $input) { id name rateLimitPerSecond credentialsHint hasCredentials } }';
const DELETE = 'mutation($id: ID!) { deleteSender(id: $id) }';
const PROVISION = 'mutation($input: ProvisionPhoneNumberInput!) { provisionPhoneNumber(input: $input) { id name kind provider address hasCredentials credentialsHint rateLimitPerSecond } }';

beforeAll(async () => {
  standIns = await startProviderStandIns();
  h = await startMessagingSubgraph({
    twilio: { accountSid: DEV_CREDENTIALS.twilio.accountSid, authToken: DEV_CREDENTIALS.twilio.authToken, apiBaseUrl: standIns.twilio.url },
  });
  org = h.organization();
  other = h.organization();
});

afterAll(async () => {
  await h?.close();
  await standIns?.close();
});

describe('senders', () => {
  it('an ADMIN creates a sender; credentials are encrypted at rest and never returned', async () => {
    const result = await h.graphql(
      CREATE_SENDER,
      { input: { name: ' Main   line ', kind: 'SMS_NUMBER', address: '+1 415 555 0120', credentials: { twilio: { accountSid: SID, authToken: TOKEN } } } },
      org.admin,
    );
    expect(result.errors).toBeUndefined();
    expect(result.data!.createSender).toEqual({
      id: expect.any(String),
      name: 'Main line',
      kind: 'SMS_NUMBER',
      provider: 'TWILIO',
      address: '+14155550120',
      phoneNumberId: null,
      businessAccountId: null,
      displayName: null,
      hasCredentials: true,
      credentialsHint: 'AC…aaaa',
      rateLimitPerSecond: 1,
    });
    expect(JSON.stringify(result)).not.toContain(TOKEN);

    const id = result.data!.createSender.id as string;
    const row = await h.prisma.sender.findUniqueOrThrow({ where: { id } });
    expect(row.credentialsCiphertext).toMatch(/^v1\./);
    expect(row.credentialsCiphertext).not.toContain(TOKEN);
    const plain = JSON.parse(new CredentialsCipher(h.credentialsKey).decrypt(row.credentialsCiphertext!, id));
    expect(plain).toEqual({ provider: 'TWILIO', accountSid: SID, authToken: TOKEN });
    // Bound to the row: the same ciphertext on another sender does not decrypt.
    expect(() => new CredentialsCipher(h.credentialsKey).decrypt(row.credentialsCiphertext!, randomUUID())).toThrow();

    const list = await h.graphql(SENDERS, {}, org.viewer);
    expect(list.data!.senders.map((s: { id: string }) => s.id)).toContain(id);
    expect((await h.graphql(SENDERS, {}, other.viewer)).data!.senders).toEqual([]);
  });

  it('only ADMIN and up manage senders', async () => {
    const input = { name: 'x', kind: 'EMAIL_ADDRESS', address: 'agent@acme.example' };
    expectError(await h.graphql(CREATE_SENDER, { input }, org.agent), 'FORBIDDEN');
    expectError(await h.graphql(CREATE_SENDER, { input }, org.viewer), 'FORBIDDEN');
    expectError(await h.graphql(PROVISION, { input: { senderName: 'x', areaCode: '212' } }, org.agent), 'FORBIDDEN');
    expect((await h.graphql(CREATE_SENDER, { input }, org.owner)).data!.createSender.kind).toBe('EMAIL_ADDRESS');
  });

  it.each([
    ['a WhatsApp Cloud API number without phoneNumberId', { kind: 'WHATSAPP_NUMBER', address: '+14155550130' }, 'phoneNumberId'],
    ['another provider’s credentials', { kind: 'SMS_NUMBER', address: '+14155550131', credentials: { smtp: { username: 'u', password: 'p' } } }, 'credentials'],
    ['a malformed account SID', { kind: 'SMS_NUMBER', address: '+14155550132', credentials: { twilio: { accountSid: 'AC1', authToken: TOKEN } } }, 'credentials.twilio.accountSid'],
    ['a number that is no number', { kind: 'SMS_NUMBER', address: '12345' }, 'address'],
    ['an email sender with a bad address', { kind: 'EMAIL_ADDRESS', address: 'nope' }, 'address'],
    ['SMTP for an SMS number', { kind: 'SMS_NUMBER', provider: 'SMTP', address: '+14155550133' }, 'provider'],
    ['a rate limit of 0', { kind: 'SMS_NUMBER', address: '+14155550134', rateLimitPerSecond: 0 }, 'rateLimitPerSecond'],
    ['a display name on a number', { kind: 'SMS_NUMBER', address: '+14155550135', displayName: 'x' }, 'displayName'],
  ])('BAD_USER_INPUT for %s', async (_name, input, field) => {
    const error = expectError(await h.graphql(CREATE_SENDER, { input: { name: 'x', ...input } }, org.admin), 'BAD_USER_INPUT');
    expect(error.extensions!.field).toBe(field);
  });

  it('an address is one live sender across organizations (CONFLICT), free again once deleted', async () => {
    const input = { name: 'Shared', kind: 'SMS_NUMBER', address: '+14155550140' };
    const first = await h.graphql(CREATE_SENDER, { input }, org.admin);
    expectError(await h.graphql(CREATE_SENDER, { input }, other.admin), 'CONFLICT');
    expectError(await h.graphql(CREATE_SENDER, { input }, org.admin), 'CONFLICT');
    // Another organization cannot delete it…
    expectError(await h.graphql(DELETE, { id: first.data!.createSender.id }, other.admin), 'NOT_FOUND');
    expect((await h.graphql(DELETE, { id: first.data!.createSender.id }, org.admin)).data!.deleteSender).toBe(first.data!.createSender.id);
    // …once deleted, it is gone from the list and may be registered again.
    const list = await h.graphql(SENDERS, {}, org.admin);
    expect(list.data!.senders.map((s: { id: string }) => s.id)).not.toContain(first.data!.createSender.id);
    expect((await h.graphql(CREATE_SENDER, { input }, other.admin)).data!.createSender.address).toBe('+14155550140');
  });

  it('updates name, rate and credentials; messages keep a deleted sender; sending with it is NOT_FOUND', async () => {
    const created = await h.graphql(CREATE_SENDER, { input: { name: 'Old', kind: 'SMS_NUMBER', address: '+14155550150' } }, org.admin);
    const id = created.data!.createSender.id as string;
    const updated = await h.graphql(
      UPDATE,
      { id, input: { name: 'New', rateLimitPerSecond: 5, credentials: { twilio: { accountSid: `AC${'b'.repeat(32)}`, authToken: TOKEN } } } },
      org.admin,
    );
    expect(updated.data!.updateSender).toEqual({ id, name: 'New', rateLimitPerSecond: 5, credentialsHint: 'AC…bbbb', hasCredentials: true });
    expectError(await h.graphql(UPDATE, { id, input: { name: 'Theirs' } }, other.admin), 'NOT_FOUND');
    expectError(await h.graphql(UPDATE, { id, input: { rateLimitPerSecond: 5000 } }, org.admin), 'BAD_USER_INPUT');

    const sent = await h.graphql(SEND, { input: { channel: 'SMS', to: '+447911123456', senderId: id, body: 'hi' } }, org.agent);
    await h.graphql(DELETE, { id }, org.admin);
    const message = await h.graphql('query($id: ID!) { message(id: $id) { sender { id name } } }', { id: sent.data!.sendMessage.message.id }, org.viewer);
    expect(message.data!.message.sender).toEqual({ id, name: 'New' });
    expectError(await h.graphql(SEND, { input: { channel: 'SMS', to: '+447911123456', senderId: id, body: 'hi' } }, org.agent), 'NOT_FOUND');
  });
});

describe('provisionPhoneNumber (Twilio stand-in, real twilio SDK)', () => {
  it('buys a number in the area code with its inbound webhook pointed here, and creates an SMS sender', async () => {
    const result = await h.graphql(PROVISION, { input: { senderName: 'New York line', areaCode: '212' } }, org.admin);
    expect(result.errors).toBeUndefined();
    const sender = result.data!.provisionPhoneNumber;
    expect(sender).toMatchObject({ name: 'New York line', kind: 'SMS_NUMBER', provider: 'TWILIO', hasCredentials: true, rateLimitPerSecond: 1 });
    expect(sender.address).toMatch(/^\+1212555\d{4}$/);
    expect(sender.credentialsHint).toBe(`AC…${DEV_CREDENTIALS.twilio.accountSid.slice(-4)}`);

    const owned = standIns.twilio.ownedNumbers().find((n) => n.phoneNumber === sender.address);
    expect(owned).toMatchObject({ smsUrl: `${h.origin}/webhooks/twilio/inbound`, smsMethod: 'POST', friendlyName: 'New York line' });
    const row = await h.prisma.sender.findUniqueOrThrow({ where: { id: sender.id } });
    expect(row.providerResourceId).toBe(owned!.sid);

    // The number works: a text to it (signed by the stand-in) lands as an inbound message.
    const inbound = await standIns.twilio.simulateInbound({ from: '+447911123499', to: sender.address, body: 'Hello new number' });
    expect(inbound.status).toBe(200);
    const stored = await h.prisma.message.findFirstOrThrow({ where: { senderId: sender.id, direction: 'INBOUND' } });
    expect(stored).toMatchObject({ organizationId: org.id, fromAddress: '+447911123499', body: 'Hello new number', providerMessageId: inbound.messageSid });
  });

  it('anywhere in the country without an area code; NOT_FOUND when Twilio has no number there', async () => {
    const any = await h.graphql(PROVISION, { input: { senderName: 'Anywhere', country: 'us' } }, org.admin);
    expect(any.data!.provisionPhoneNumber.address).toMatch(/^\+1\d{10}$/);
    const none = expectError(await h.graphql(PROVISION, { input: { senderName: 'Toronto?', areaCode: '416', country: 'US' } }, org.admin), 'NOT_FOUND');
    expect(none.message).toContain('416');
    const nowhere = expectError(await h.graphql(PROVISION, { input: { senderName: 'Nowhere', country: 'ZZ' } }, org.admin), 'NOT_FOUND');
    expect(nowhere).toMatchObject({ message: 'Twilio offers no phone numbers in ZZ', extensions: { field: 'country' } });
    expectError(await h.graphql(PROVISION, { input: { senderName: 'x', areaCode: '12' } }, org.admin), 'BAD_USER_INPUT');
    expectError(await h.graphql(PROVISION, { input: { senderName: 'x', country: 'USA' } }, org.admin), 'BAD_USER_INPUT');
  });

  it('PROVIDER_ERROR when Twilio refuses the account', async () => {
    const wrong = await startMessagingSubgraph({
      twilio: { accountSid: DEV_CREDENTIALS.twilio.accountSid, authToken: 'wrong-token-0000000000', apiBaseUrl: standIns.twilio.url },
    });
    try {
      const admin = wrong.organization().admin;
      const error = expectError(await wrong.graphql(PROVISION, { input: { senderName: 'x', areaCode: '206' } }, admin), 'PROVIDER_ERROR');
      expect(error.extensions!.providerCode).toBe(20003);
      expect(await wrong.prisma.sender.count()).toBe(0);
    } finally {
      await wrong.close();
    }
  });

  it('PROVIDER_ERROR when no Twilio account is configured', async () => {
    const bare = await startMessagingSubgraph();
    try {
      expectError(await bare.graphql(PROVISION, { input: { senderName: 'x' } }, bare.organization().admin), 'PROVIDER_ERROR');
    } finally {
      await bare.close();
    }
  });
});
