import { randomBytes, randomUUID } from 'node:crypto';
// Credentials are written the way the messaging subgraph writes them (the same cipher).
import { CredentialsCipher } from '@switchboard/crypto';
import type { Prisma } from '@switchboard/db';
import { createTestDatabase, type TestDatabase } from '@switchboard/testkit';
import { emailRequest, Harness, smsRequest, waitFor, whatsappRequest } from './helpers';

const credentialsKey = randomBytes(32).toString('base64');
const cipher = new CredentialsCipher(credentialsKey);
const organizationId = randomUUID();

let db: TestDatabase;
let h: Harness;

type NewSender = Omit<Prisma.SenderUncheckedCreateInput, 'credentialsCiphertext'> & { credentials?: object; credentialsCiphertext?: string };

/** A sender row as messaging stores it (credentials encrypted with the sender's id). */
async function sender(row: Partial<NewSender> & Pick<NewSender, 'kind' | 'provider' | 'address'>): Promise<string> {
  const id = randomUUID();
  const { credentials, ...rest } = row;
  await db.prisma.sender.create({
    data: {
      id,
      organizationId,
      name: 'Test sender',
      rateLimitPerSecond: 100,
      ...rest,
      credentialsCiphertext: row.credentialsCiphertext ?? (credentials ? cipher.encrypt(JSON.stringify(credentials), id) : null),
    },
  });
  return id;
}

beforeAll(async () => {
  db = await createTestDatabase({ prefix: 'channel_delivery' });
  h = await Harness.start({ smtp: { auth: { user: 'relay@acme.example', pass: 'p@ss:w/rd' } } });
  const accounts = h.accounts();
  // Provider settings only: Twilio and WhatsApp credentials must come from the sender rows.
  await h.startWorkers(
    {
      senderCredentialsKey: credentialsKey,
      accounts: { smtp: accounts.smtp, twilio: { apiBaseUrl: h.standIns.twilio.url, timeoutMs: 2_000 }, metaCloud: { apiBaseUrl: h.standIns.whatsapp.url, timeoutMs: 2_000 } },
    },
    undefined,
    { prisma: db.prisma },
  );
}, 60_000);
afterAll(async () => {
  await h?.close();
  await db?.drop();
});

const twilioCredentials = () => ({ provider: 'TWILIO', accountSid: h.standIns.twilio.accountSid, authToken: h.standIns.twilio.authToken });
const inOrg = <E extends { organizationId: string | null }>(event: E): E => ({ ...event, organizationId });

describe('senders from messaging.sender', () => {
  it("sends SMS with the sender's own decrypted Twilio credentials", async () => {
    const senderId = await sender({ kind: 'SMS_NUMBER', provider: 'TWILIO', address: '+14155550100', credentials: twilioCredentials() });
    const request = inOrg(smsRequest({ senderId }));
    await h.publish(request);
    const sent = await h.outcomes.status(request.payload.messageId, 'SENT');
    expect(sent.payload.providerMessageId).toMatch(/^SM/);
  });

  it('sends WhatsApp with the stored access token, and Twilio WhatsApp from the sender row’s number', async () => {
    const meta = await sender({ kind: 'WHATSAPP_NUMBER', provider: 'META_WHATSAPP', address: '+15550000001', phoneNumberId: h.standIns.whatsapp.phoneNumberId, credentials: { provider: 'META_WHATSAPP', accessToken: h.standIns.whatsapp.token } });
    const viaTwilio = await sender({ kind: 'WHATSAPP_NUMBER', provider: 'TWILIO', address: '+14155550100', credentials: twilioCredentials() });
    const first = inOrg(whatsappRequest({ senderId: meta }));
    const second = inOrg(whatsappRequest({ senderId: viaTwilio, phoneNumberId: 'not-a-number' }));
    await h.publish(first, second);

    expect((await h.outcomes.status(first.payload.messageId, 'SENT')).payload.providerMessageId).toMatch(/^wamid\./);
    expect((await h.outcomes.status(second.payload.messageId, 'SENT')).payload.providerMessageId).toMatch(/^SM/);
    expect(h.standIns.twilio.requests().find((r) => r.recipient === `whatsapp:${second.payload.recipient}`)?.params).toMatchObject({ From: 'whatsapp:+14155550100' });
  });

  it("sends email through the configured SMTP server with the sender's stored login", async () => {
    const senderId = await sender({
      kind: 'EMAIL_ADDRESS',
      provider: 'SMTP',
      address: 'support@acme.example',
      credentials: { provider: 'SMTP', username: 'relay@acme.example', password: 'p@ss:w/rd' },
    });
    const request = inOrg(emailRequest({ senderId }));
    await h.publish(request);
    const sent = await h.outcomes.status(request.payload.messageId, 'SENT');
    const mail = await h.standIns.smtp.waitFor((m) => m.messageId === sent.payload.providerMessageId);
    expect(mail.authUser).toBe('relay@acme.example');
  });

  it("applies the sender's rate limit from its row", async () => {
    const senderId = await sender({ kind: 'SMS_NUMBER', provider: 'TWILIO', address: '+14155550101', credentials: twilioCredentials(), rateLimitPerSecond: 2 });
    const requests = Array.from({ length: 4 }, () => inOrg(smsRequest({ senderId })));
    await h.publish(...requests);
    await waitFor(() => requests.every((r) => h.outcomes.statusesOf(r.payload.messageId).some((e) => e.payload.status === 'SENT')), 'all SENT');
    const ours = new Set(requests.map((r) => r.payload.recipient));
    const times = h.standIns.twilio.requests().filter((r) => ours.has(r.recipient!)).map((r) => Date.parse(r.at));
    expect(Math.max(...times) - Math.min(...times)).toBeGreaterThanOrEqual(1_400); // 3 gaps of 500 ms
  });

  it.each([
    ['a deleted sender', () => sender({ kind: 'SMS_NUMBER', provider: 'TWILIO', address: '+14155550102', credentials: twilioCredentials(), deletedAt: new Date() }), 'SENDER_DELETED'],
    ['credentials under another key', () => sender({ kind: 'SMS_NUMBER', provider: 'TWILIO', address: '+14155550103', credentialsCiphertext: new CredentialsCipher(randomBytes(32)).encrypt('{}', randomUUID()) }), 'SENDER_CREDENTIALS_UNREADABLE'],
    ['an email sender asked for an SMS', () => sender({ kind: 'EMAIL_ADDRESS', provider: 'SMTP', address: 'x@acme.example' }), 'SENDER_WRONG_CHANNEL'],
    ['an unknown sender', async () => randomUUID(), 'SENDER_NOT_FOUND'],
    ['no stored credentials and no configured account', () => sender({ kind: 'SMS_NUMBER', provider: 'TWILIO', address: '+14155550106' }), 'SENDER_CREDENTIALS_MISSING'],
  ])('fails the message for %s, without calling the provider', async (_case, create, code) => {
    const senderId = await create();
    const request = inOrg(smsRequest({ senderId }));
    await h.publish(request);
    const failed = await h.outcomes.status(request.payload.messageId, 'FAILED');
    expect(failed.payload.errorCode).toBe(code);
    await waitFor(() => h.outcomes.deadLettersOf(request.payload.messageId).length === 1, 'dead letter');
    expect(h.standIns.twilio.requests().filter((r) => r.recipient === request.payload.recipient)).toHaveLength(0);
  });

  it("does not use another organization's sender", async () => {
    const senderId = await sender({ kind: 'SMS_NUMBER', provider: 'TWILIO', address: '+14155550104', credentials: twilioCredentials() });
    const request = smsRequest({ senderId }); // a random organization
    await h.publish(request);
    expect((await h.outcomes.status(request.payload.messageId, 'FAILED')).payload.errorCode).toBe('SENDER_NOT_FOUND');
  });

  it('fails with the provider’s answer when stored credentials are refused', async () => {
    const senderId = await sender({ kind: 'SMS_NUMBER', provider: 'TWILIO', address: '+14155550105', credentials: { ...twilioCredentials(), authToken: 'revoked-token' } });
    const request = inOrg(smsRequest({ senderId }));
    await h.publish(request);
    expect((await h.outcomes.status(request.payload.messageId, 'FAILED')).payload.errorCode).toBe('20003');
  });
});
