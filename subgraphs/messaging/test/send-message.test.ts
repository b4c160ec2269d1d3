import { randomUUID } from 'node:crypto';
import {
  CREATE_SENDER,
  SEND,
  contactEvent,
  expectError,
  startMessagingSubgraph,
  templateEvent,
  type GraphQLResult,
  type MessagingHarness,
  encodeOutboxLikeTheRelay,
} from './harness';

let h: MessagingHarness;
let org: ReturnType<MessagingHarness['organization']>;
let other: ReturnType<MessagingHarness['organization']>;
const senders: Record<'sms' | 'whatsapp' | 'email' | 'otherSms', string> = { sms: '', whatsapp: '', email: '', otherSms: '' };

async function createSender(as: ReturnType<MessagingHarness['organization']>['admin'], input: Record<string, unknown>): Promise<string> {
  const result = await h.graphql(CREATE_SENDER, { input }, as);
  if (!result.data?.createSender) throw new Error(JSON.stringify(result.errors));
  return result.data.createSender.id as string;
}

async function seedContact(organizationId: string, seed: Parameters<typeof contactEvent>[1] = {}): Promise<string> {
  const event = contactEvent(organizationId, seed);
  await h.runtime.services.projections.applyContactChanged(event);
  return event.payload.contactId;
}

async function seedTemplate(organizationId: string, seed: Parameters<typeof templateEvent>[1] = {}) {
  const event = templateEvent(organizationId, seed);
  await h.runtime.services.projections.applyTemplateChanged(event);
  return event.payload;
}

const counts = async () => ({
  messages: await h.prisma.message.count(),
  outbox: await h.prisma.messagingOutboxEvent.count(),
});

beforeAll(async () => {
  h = await startMessagingSubgraph();
  org = h.organization();
  other = h.organization();
  senders.sms = await createSender(org.admin, {
    name: 'Support line',
    kind: 'SMS_NUMBER',
    address: '+14155550100',
    credentials: { twilio: { accountSid: `AC${'1'.repeat(32)}`, authToken: 'twilio-auth-token-1234' } },
  });
  senders.whatsapp = await createSender(org.admin, {
    name: 'WhatsApp',
    kind: 'WHATSAPP_NUMBER',
    address: '+14155550111',
    phoneNumberId: '100000000000001',
    credentials: { whatsapp: { accessToken: 'whatsapp-access-token' } },
  });
  senders.email = await createSender(org.admin, { name: 'Support email', kind: 'EMAIL_ADDRESS', address: 'Support@Acme.example', displayName: 'Acme Support' });
  senders.otherSms = await createSender(other.admin, { name: 'Other', kind: 'SMS_NUMBER', address: '+14155550199' });
});

afterAll(async () => {
  await h?.close();
});

describe('sendMessage: accepted messages', () => {
  it('queues an SMS to a contact and writes its request to the outbox', async () => {
    const contactId = await seedContact(org.id, { phone: '+447911123456' });
    const result = await h.graphql(SEND, { input: { channel: 'SMS', contactId, senderId: senders.sms, body: 'Your order shipped' } }, org.agent);
    expect(result.errors).toBeUndefined();
    const message = result.data!.sendMessage.message;
    expect(message).toMatchObject({
      status: 'QUEUED',
      channel: 'SMS',
      direction: 'OUTBOUND',
      to: '+447911123456',
      from: '+14155550100',
      body: 'Your order shipped',
      attempts: 0,
      contact: { id: contactId },
      sender: { id: senders.sms },
    });
    expect(message.statusHistory).toEqual([{ status: 'QUEUED', source: 'API', at: expect.any(String), providerCode: null }]);

    const outbox = await h.prisma.messagingOutboxEvent.findMany({ where: { payload: { path: ['messageId'], equals: message.id } } });
    expect(outbox).toHaveLength(1);
    expect(outbox[0]).toMatchObject({ type: 'message.requested.sms', organizationId: org.id, publishedAt: null });
    expect(outbox[0]!.payload).toMatchObject({
      messageId: message.id,
      contactId,
      senderId: senders.sms,
      recipient: '+447911123456',
      from: '+14155550100',
      body: 'Your order shipped',
      conversationId: null,
    });
    expect(outbox[0]!.traceId).toEqual(expect.any(String));
  });

  it('queues a free-form email with its subject and sender name', async () => {
    const contactId = await seedContact(org.id, { email: 'Ann@Example.org', phone: null, whatsappId: null });
    const result = await h.graphql(
      SEND,
      { input: { channel: 'EMAIL', contactId, senderId: senders.email, subject: 'Hello\nthere', body: 'Plain text body' } },
      org.agent,
    );
    expect(result.errors).toBeUndefined();
    const message = result.data!.sendMessage.message;
    expect(message).toMatchObject({ to: 'ann@example.org', from: 'support@acme.example', subject: 'Hello there' });
    const row = await h.prisma.messagingOutboxEvent.findFirstOrThrow({ where: { payload: { path: ['messageId'], equals: message.id } } });
    expect(row.type).toBe('message.requested.email');
    expect(row.payload).toMatchObject({
      recipient: 'ann@example.org',
      recipientName: 'Casey Customer',
      from: { address: 'support@acme.example', name: 'Acme Support' },
      subject: 'Hello there',
      text: 'Plain text body',
      html: null,
    });
  });

  it('renders an SMS template with its variables', async () => {
    const template = await seedTemplate(org.id);
    const result = await h.graphql(
      SEND,
      { input: { channel: 'SMS', to: '+44 7911 123457', senderId: senders.sms, templateId: template.templateId, variables: { first_name: 'Ann', code: 4711 } } },
      org.agent,
    );
    expect(result.errors).toBeUndefined();
    const message = result.data!.sendMessage.message;
    expect(message).toMatchObject({ to: '+447911123457', body: 'Hi Ann, your code is 4711', template: { id: template.templateId }, contact: null });
    const row = await h.prisma.messagingOutboxEvent.findFirstOrThrow({ where: { payload: { path: ['messageId'], equals: message.id } } });
    expect(row.payload).toMatchObject({ body: 'Hi Ann, your code is 4711', templateId: template.templateId, templateVersionId: template.template.activeVersionId });
  });

  it('sends an APPROVED WhatsApp template outside the 24-hour window, as parameters', async () => {
    const contactId = await seedContact(org.id, { whatsappId: '447911123458', phone: '+447911123458' });
    const template = await seedTemplate(org.id, {
      channel: 'WHATSAPP',
      name: 'order_update',
      language: 'en_GB',
      status: 'APPROVED',
      activeVersion: {
        content: { channel: 'WHATSAPP', category: 'UTILITY', header: null, body: 'Hi {{1}}, order {{2}} ships soon.', footer: null, buttons: [] },
        variables: [
          { name: '1', type: 'STRING' },
          { name: '2', type: 'STRING' },
        ],
      },
    });
    const result = await h.graphql(
      SEND,
      { input: { channel: 'WHATSAPP', contactId, senderId: senders.whatsapp, templateId: template.templateId, variables: ['Ann', '#12'] } },
      org.agent,
    );
    expect(result.errors).toBeUndefined();
    const message = result.data!.sendMessage.message;
    expect(message).toMatchObject({ to: '+447911123458', body: 'Hi Ann, order #12 ships soon.' });
    const row = await h.prisma.messagingOutboxEvent.findFirstOrThrow({ where: { payload: { path: ['messageId'], equals: message.id } } });
    expect(row.type).toBe('message.requested.whatsapp');
    expect(row.payload).toMatchObject({
      phoneNumberId: '100000000000001',
      recipient: '+447911123458',
      content: { kind: 'template', name: 'order_update', language: 'en_GB', headerParameters: [], bodyParameters: ['Ann', '#12'] },
    });
  });
});

describe('sendMessage: refusals (nothing is written)', () => {
  let before: { messages: number; outbox: number };
  beforeEach(async () => {
    before = await counts();
  });
  afterEach(async () => {
    expect(await counts()).toEqual(before);
  });

  it.each([
    ['SMS', 'not a number'],
    ['SMS', '07911123456'],
    ['SMS', '+15550001111'],
    ['EMAIL', '+447911123456'],
    ['EMAIL', 'ann@'],
  ])('INVALID_RECIPIENT for %s to %j', async (channel, to) => {
    const senderId = channel === 'EMAIL' ? senders.email : senders.sms;
    const error = expectError(await h.graphql(SEND, { input: { channel, to, senderId, body: 'Hi', subject: channel === 'EMAIL' ? 'S' : null } }, org.agent), 'INVALID_RECIPIENT');
    expect(error.extensions!.field).toBe('to');
  });

  it('INVALID_RECIPIENT when the contact has no address for the channel', async () => {
    const contactId = await seedContact(org.id, { email: null });
    const error = expectError(
      await h.graphql(SEND, { input: { channel: 'EMAIL', contactId, senderId: senders.email, subject: 'S', body: 'Hi' } }, org.agent),
      'INVALID_RECIPIENT',
    );
    expect(error.extensions!.field).toBe('contactId');
  });

  it('OPTED_OUT when the contact opted out of the channel (by contact or by its address)', async () => {
    const contactId = await seedContact(org.id, { phone: '+447911123460', consent: { email: 'OPTED_IN', sms: 'OPTED_OUT', whatsapp: 'OPTED_IN' } });
    const byContact = expectError(await h.graphql(SEND, { input: { channel: 'SMS', contactId, senderId: senders.sms, body: 'Hi' } }, org.agent), 'OPTED_OUT');
    expect(byContact.extensions).toMatchObject({ field: 'contactId', channel: 'SMS' });
    // Named by its number, the same contact's refusal points at the field the request used.
    const byNumber = expectError(await h.graphql(SEND, { input: { channel: 'SMS', to: '+447911123460', senderId: senders.sms, body: 'Hi' } }, org.agent), 'OPTED_OUT');
    expect(byNumber.extensions).toMatchObject({ field: 'to', channel: 'SMS' });
  });

  it('WINDOW_CLOSED for free-form WhatsApp to a contact who never wrote', async () => {
    const contactId = await seedContact(org.id, { whatsappId: '447911123461', phone: null });
    const error = expectError(await h.graphql(SEND, { input: { channel: 'WHATSAPP', contactId, senderId: senders.whatsapp, body: 'Hi' } }, org.agent), 'WINDOW_CLOSED');
    expect(error.message).toMatch(/approved template/);
  });

  it.each([['PENDING'], ['REJECTED'], ['PAUSED'], ['DRAFT']] as const)('TEMPLATE_NOT_APPROVED for a %s WhatsApp template', async (status) => {
    // The template subgraph publishes no active version while none is approved.
    const template = await seedTemplate(org.id, {
      channel: 'WHATSAPP',
      name: `t_${status.toLowerCase()}`,
      language: 'en',
      status,
      activeVersionId: null,
      activeVersion: null,
    });
    const error = expectError(
      await h.graphql(SEND, { input: { channel: 'WHATSAPP', to: '+447911123462', senderId: senders.whatsapp, templateId: template.templateId } }, org.agent),
      'TEMPLATE_NOT_APPROVED',
    );
    expect(error.extensions!.status).toBe(status);
  });

  it('BAD_USER_INPUT naming missing template variables', async () => {
    const template = await seedTemplate(org.id);
    const error = expectError(
      await h.graphql(SEND, { input: { channel: 'SMS', to: '+447911123463', senderId: senders.sms, templateId: template.templateId, variables: { first_name: 'Ann' } } }, org.agent),
      'BAD_USER_INPUT',
    );
    expect(error.extensions).toMatchObject({ field: 'variables', missing: ['code'] });
    expect(error.message).toContain('code');
  });

  it('NOT_FOUND for unknown or other organizations’ senders, contacts and templates', async () => {
    const otherContact = await seedContact(other.id, { phone: '+447911123464' });
    const otherTemplate = await seedTemplate(other.id);
    const cases = [
      { channel: 'SMS', to: '+447911123464', senderId: randomUUID(), body: 'x' },
      { channel: 'SMS', to: '+447911123464', senderId: 'not-a-uuid', body: 'x' },
      { channel: 'SMS', to: '+447911123464', senderId: senders.otherSms, body: 'x' },
      { channel: 'SMS', contactId: randomUUID(), senderId: senders.sms, body: 'x' },
      { channel: 'SMS', contactId: otherContact, senderId: senders.sms, body: 'x' },
      { channel: 'SMS', to: '+447911123464', senderId: senders.sms, templateId: randomUUID() },
      { channel: 'SMS', to: '+447911123464', senderId: senders.sms, templateId: otherTemplate.templateId, variables: { first_name: 'a', code: 'b' } },
    ];
    for (const input of cases) {
      const error = expectError(await h.graphql(SEND, { input }, org.agent), 'NOT_FOUND');
      expect(error.message).not.toContain(other.id);
    }
  });

  it('NOT_FOUND with a clear message for a contact not (yet) in the projection, or deleted', async () => {
    const error = expectError(await h.graphql(SEND, { input: { channel: 'SMS', contactId: randomUUID(), senderId: senders.sms, body: 'x' } }, org.agent), 'NOT_FOUND');
    expect(error.message).toMatch(/may not have arrived yet/);
    const contactId = await seedContact(org.id, { phone: '+447911123465' });
    await h.runtime.services.projections.applyContactChanged({ ...contactEvent(org.id, { id: contactId }, 'DELETED'), id: randomUUID() });
    expectError(await h.graphql(SEND, { input: { channel: 'SMS', contactId, senderId: senders.sms, body: 'x' } }, org.agent), 'NOT_FOUND');
  });

  it('BAD_USER_INPUT when the sender is for another channel, or the template is', async () => {
    const error = expectError(await h.graphql(SEND, { input: { channel: 'EMAIL', to: 'a@example.org', senderId: senders.sms, subject: 's', body: 'x' } }, org.agent), 'BAD_USER_INPUT');
    expect(error.extensions!.field).toBe('senderId');
    const sms = await seedTemplate(org.id);
    const wrong = expectError(
      await h.graphql(SEND, { input: { channel: 'WHATSAPP', to: '+447911123466', senderId: senders.whatsapp, templateId: sms.templateId } }, org.agent),
      'BAD_USER_INPUT',
    );
    expect(wrong.extensions!.field).toBe('templateId');
  });

  it.each([
    ['both body and templateId', { channel: 'SMS', to: '+447911123467', body: 'x', templateId: randomUUID() }, 'body'],
    ['no recipient', { channel: 'SMS', body: 'x' }, 'to'],
    ['a blank body', { channel: 'SMS', to: '+447911123467', body: '   ' }, 'body'],
    ['an SMS body over 1600 characters', { channel: 'SMS', to: '+447911123467', body: 'x'.repeat(1601) }, 'body'],
    ['a subject on an SMS', { channel: 'SMS', to: '+447911123467', body: 'x', subject: 'no' }, 'subject'],
    ['variables without a template', { channel: 'SMS', to: '+447911123467', body: 'x', variables: { name: 'Ann' } }, 'variables'],
    ['an idempotency key over 200 characters', { channel: 'SMS', to: '+447911123467', body: 'x', idempotencyKey: 'k'.repeat(201) }, 'idempotencyKey'],
  ])('BAD_USER_INPUT for %s', async (_name, input, field) => {
    const error = expectError(await h.graphql(SEND, { input: { senderId: senders.sms, ...input } }, org.agent), 'BAD_USER_INPUT');
    expect(error.extensions!.field).toBe(field);
  });

  it('an email needs a subject', async () => {
    const error = expectError(await h.graphql(SEND, { input: { channel: 'EMAIL', to: 'a@example.org', senderId: senders.email, body: 'x' } }, org.agent), 'BAD_USER_INPUT');
    expect(error.extensions!.field).toBe('subject');
  });

  it('VIEWER cannot send; anonymous callers are UNAUTHENTICATED', async () => {
    const input = { channel: 'SMS', to: '+447911123468', senderId: senders.sms, body: 'x' };
    expectError(await h.graphql(SEND, { input }, org.viewer), 'FORBIDDEN');
    expectError(await h.graphql(SEND, { input }, null), 'UNAUTHENTICATED');
  });
});

describe('sendMessage: idempotency', () => {
  it('the same key and request return the same message and write one message and one outbox event', async () => {
    const input = { channel: 'SMS', to: '+447911123470', senderId: senders.sms, body: 'Once', idempotencyKey: 'order-1-shipped' };
    const first = await h.graphql(SEND, { input }, org.agent);
    // A retry, by another member and with the number written another way, is the same request.
    const second = await h.graphql(SEND, { input: { ...input, to: '+44 7911 123470' } }, org.admin);
    expect(second.data!.sendMessage.message.id).toBe(first.data!.sendMessage.message.id);
    expect(await h.prisma.message.count({ where: { idempotencyKey: 'order-1-shipped' } })).toBe(1);
    expect(await h.prisma.messagingOutboxEvent.count({ where: { payload: { path: ['messageId'], equals: first.data!.sendMessage.message.id } } })).toBe(1);
  });

  it.each([
    ['another body', () => ({ body: 'Changed body' })],
    ['another recipient', () => ({ to: '+447911123499' })],
    ['another channel and sender', () => ({ channel: 'WHATSAPP', senderId: senders.whatsapp })],
    ['a subject added', () => ({ subject: 'Hello' })],
  ])('the same key with %s is IDEMPOTENCY_KEY_REUSED, naming the first message, and nothing is written', async (_case, change) => {
    const key = `reused-${randomUUID()}`;
    const input = { channel: 'SMS', to: '+447911123473', senderId: senders.sms, body: 'First', idempotencyKey: key };
    const first = await h.graphql(SEND, { input }, org.agent);
    const firstId = first.data!.sendMessage.message.id;
    const changed = { ...input, ...change() };
    const before = await counts();
    const error = expectError(await h.graphql(SEND, { input: changed }, org.agent), 'IDEMPOTENCY_KEY_REUSED');
    expect(error.extensions).toMatchObject({ field: 'idempotencyKey', messageId: firstId });
    expect(error.message).toContain(firstId);
    expect(await counts()).toEqual(before);
    // The first request can still be retried.
    expect((await h.graphql(SEND, { input }, org.agent)).data!.sendMessage.message.id).toBe(firstId);
  });

  it('template variables in another key order are the same request; other values are not', async () => {
    const template = await seedTemplate(org.id);
    const key = `otp-${randomUUID()}`;
    const input = { channel: 'SMS', to: '+447911123474', senderId: senders.sms, templateId: template.templateId, idempotencyKey: key };
    const first = await h.graphql(SEND, { input: { ...input, variables: { first_name: 'Ann', code: 4711 } } }, org.agent);
    const reordered = await h.graphql(SEND, { input: { ...input, variables: { code: 4711, first_name: 'Ann' } } }, org.agent);
    expect(reordered.data!.sendMessage.message.id).toBe(first.data!.sendMessage.message.id);
    expectError(await h.graphql(SEND, { input: { ...input, variables: { first_name: 'Ann', code: 4712 } } }, org.agent), 'IDEMPOTENCY_KEY_REUSED');
  });

  it('concurrent requests with one key create one message', async () => {
    const input = { channel: 'SMS', to: '+447911123471', senderId: senders.sms, body: 'Race', idempotencyKey: `race-${randomUUID()}` };
    const results = await Promise.all(Array.from({ length: 8 }, () => h.graphql(SEND, { input }, org.agent)));
    for (const result of results) expect(result.errors).toBeUndefined();
    const ids = new Set(results.map((r) => r.data!.sendMessage.message.id));
    expect(ids.size).toBe(1);
    expect(await h.prisma.message.count({ where: { idempotencyKey: input.idempotencyKey } })).toBe(1);
    expect(await h.prisma.messagingOutboxEvent.count({ where: { payload: { path: ['messageId'], equals: [...ids][0] } } })).toBe(1);
  });

  it('concurrent different requests with one key: one is sent, the others of its kind get it, the rest are refused', async () => {
    const key = `race-${randomUUID()}`;
    const bodies = ['Left', 'Right', 'Left', 'Right', 'Left', 'Right', 'Left', 'Right'];
    const results = await Promise.all(
      bodies.map((body) => h.graphql(SEND, { input: { channel: 'SMS', to: '+447911123475', senderId: senders.sms, body, idempotencyKey: key } }, org.agent)),
    );
    const stored = await h.prisma.message.findMany({ where: { idempotencyKey: key } });
    expect(stored).toHaveLength(1);
    results.forEach((result, i) => {
      if (bodies[i] === stored[0]!.body) expect(result.data!.sendMessage.message.id).toBe(stored[0]!.id);
      else expect(expectError(result, 'IDEMPOTENCY_KEY_REUSED').extensions).toMatchObject({ messageId: stored[0]!.id });
    });
  });

  it('a message stored before requests were fingerprinted answers its key as before', async () => {
    const key = `legacy-${randomUUID()}`;
    const first = await h.graphql(SEND, { input: { channel: 'SMS', to: '+447911123476', senderId: senders.sms, body: 'Old', idempotencyKey: key } }, org.agent);
    await h.prisma.message.updateMany({ where: { idempotencyKey: key }, data: { idempotencyFingerprint: null } });
    const again = await h.graphql(SEND, { input: { channel: 'SMS', to: '+447911123476', senderId: senders.sms, body: 'New', idempotencyKey: key } }, org.agent);
    expect(again.data!.sendMessage.message).toMatchObject({ id: first.data!.sendMessage.message.id, body: 'Old' });
  });

  it('keys are per organization', async () => {
    const key = `shared-${randomUUID()}`;
    const a = await h.graphql(SEND, { input: { channel: 'SMS', to: '+447911123472', senderId: senders.sms, body: 'A', idempotencyKey: key } }, org.agent);
    const b = await h.graphql(SEND, { input: { channel: 'SMS', to: '+447911123472', senderId: senders.otherSms, body: 'B', idempotencyKey: key } }, other.agent);
    expect(a.data!.sendMessage.message.id).not.toBe(b.data!.sendMessage.message.id);
  });
});

describe('sendMessage: the transactional outbox', () => {
  it('writes neither the message nor the event when the outbox insert fails after the message insert', async () => {
    await h.prisma.$executeRawUnsafe(`
      CREATE FUNCTION messaging.fail_outbox() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'outbox unavailable (test)'; END $$`);
    await h.prisma.$executeRawUnsafe(`CREATE TRIGGER fail_outbox BEFORE INSERT ON messaging.outbox FOR EACH ROW EXECUTE FUNCTION messaging.fail_outbox()`);
    try {
      const before = await counts();
      const result = await h.graphql(SEND, { input: { channel: 'SMS', to: '+447911123480', senderId: senders.sms, body: 'Lost?', idempotencyKey: 'tx-test' } }, org.agent);
      expectError(result, 'INTERNAL_SERVER_ERROR');
      expect(await counts()).toEqual(before);
      expect(await h.prisma.message.count({ where: { idempotencyKey: 'tx-test' } })).toBe(0);
    } finally {
      await h.prisma.$executeRawUnsafe('DROP TRIGGER fail_outbox ON messaging.outbox');
      await h.prisma.$executeRawUnsafe('DROP FUNCTION messaging.fail_outbox()');
    }
    // The same request succeeds once the outbox works again.
    const retry = await h.graphql(SEND, { input: { channel: 'SMS', to: '+447911123480', senderId: senders.sms, body: 'Lost?', idempotencyKey: 'tx-test' } }, org.agent);
    expect(retry.data!.sendMessage.message.status).toBe('QUEUED');
  });
});

describe('reading messages', () => {
  const PAGE = /* GraphQL */ `
    query Page($filter: MessageFilter, $first: Int, $after: String) {
      messages(filter: $filter, first: $first, after: $after) { edges { cursor node { id body } } pageInfo { hasNextPage endCursor } }
    }
  `;

  it('pages through the organization’s messages newest first with keyset cursors and filters', async () => {
    const contactId = await seedContact(org.id, { phone: '+447911123490' });
    const sent: string[] = [];
    for (let i = 0; i < 5; i += 1) {
      const result = await h.graphql(SEND, { input: { channel: 'SMS', contactId, senderId: senders.sms, body: `page ${i}` } }, org.agent);
      sent.push(result.data!.sendMessage.message.id);
    }
    const seen: string[] = [];
    let after: string | null = null;
    for (let page = 0; page < 3; page += 1) {
      const result: GraphQLResult = await h.graphql(PAGE, { filter: { contactId }, first: 2, after }, org.viewer);
      const connection = result.data!.messages as { edges: { node: { id: string } }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } };
      seen.push(...connection.edges.map((e) => e.node.id));
      after = connection.pageInfo.endCursor;
      expect(connection.pageInfo.hasNextPage).toBe(page < 2);
    }
    expect(seen).toEqual([...sent].reverse());

    const none = await h.graphql(PAGE, { filter: { contactId, status: 'DELIVERED' } }, org.viewer);
    expect(none.data!.messages.edges).toEqual([]);
    const otherOrg = await h.graphql(PAGE, { filter: { contactId } }, other.viewer);
    expect(otherOrg.data!.messages.edges).toEqual([]);
    expectError(await h.graphql(PAGE, { after: 'garbage' }, org.viewer), 'BAD_USER_INPUT');
    expectError(await h.graphql(PAGE, { first: 101 }, org.viewer), 'BAD_USER_INPUT');

    // A time range: from inclusive, to exclusive; an empty or reversed range is a mistake, not "nothing".
    const now = Date.now();
    const inRange = await h.graphql(PAGE, { filter: { contactId, from: new Date(now - 3_600_000).toISOString(), to: new Date(now + 60_000).toISOString() } }, org.viewer);
    expect(inRange.data!.messages.edges).toHaveLength(5);
    const later = await h.graphql(PAGE, { filter: { contactId, from: new Date(now + 60_000).toISOString() } }, org.viewer);
    expect(later.data!.messages.edges).toEqual([]);
    const reversed = expectError(await h.graphql(PAGE, { filter: { from: new Date(now).toISOString(), to: new Date(now - 1).toISOString() } }, org.viewer), 'BAD_USER_INPUT');
    expect(reversed.extensions!.field).toBe('filter.to');
  });

  it('message(id) of another organization is NOT_FOUND', async () => {
    const result = await h.graphql(SEND, { input: { channel: 'SMS', to: '+447911123491', senderId: senders.sms, body: 'mine' } }, org.agent);
    const id = result.data!.sendMessage.message.id;
    const QUERY = 'query($id: ID!) { message(id: $id) { id body sender { name } } }';
    expect((await h.graphql(QUERY, { id }, org.viewer)).data!.message).toEqual({ id, body: 'mine', sender: { name: 'Support line' } });
    expectError(await h.graphql(QUERY, { id }, other.admin), 'NOT_FOUND');
  });

  it('contributes Contact.messages through federation', async () => {
    const contactId = await seedContact(org.id, { phone: '+447911123492' });
    const sent = await h.graphql(SEND, { input: { channel: 'SMS', contactId, senderId: senders.sms, body: 'entity' } }, org.agent);
    const QUERY = /* GraphQL */ `
      query($representations: [_Any!]!) {
        _entities(representations: $representations) { ... on Contact { id messages(first: 5) { edges { node { id body } } } } }
      }
    `;
    const result = await h.graphql(QUERY, { representations: [{ __typename: 'Contact', id: contactId }] }, org.viewer);
    expect(result.data!._entities).toEqual([{ id: contactId, messages: { edges: [{ node: { id: sent.data!.sendMessage.message.id, body: 'entity' } }] } }]);
    const foreign = await h.graphql(QUERY, { representations: [{ __typename: 'Contact', id: contactId }] }, other.viewer);
    expect(foreign.data!._entities[0].messages.edges).toEqual([]);
  });
});

describe('the outbox rows', () => {
  it('all match the event catalog as the relay publishes them (topics and keys included)', async () => {
    const encoded = await encodeOutboxLikeTheRelay(h.prisma);
    expect(encoded.length).toBeGreaterThanOrEqual(15);
    expect(new Set(encoded.map((e) => e.topic))).toEqual(new Set(['message.requested.sms', 'message.requested.email', 'message.requested.whatsapp']));
    const sms = encoded.find((e) => e.topic === 'message.requested.sms')!;
    expect(sms.key).toBe((JSON.parse(sms.value) as { payload: { recipient: string } }).payload.recipient);
  });
});

describe('WhatsApp template versions', () => {
  it('sends the approved version while a newer edit of the template awaits approval', async () => {
    const template = await seedTemplate(org.id, {
      channel: 'WHATSAPP',
      name: 't_edited_after_approval',
      language: 'en',
      status: 'PENDING',
      activeVersion: { content: { channel: 'WHATSAPP', category: 'MARKETING', header: null, body: 'Sale!', footer: null, buttons: [] }, variables: [] },
    });
    const response = await h.graphql(
      SEND,
      { input: { channel: 'WHATSAPP', to: '+447911123465', senderId: senders.whatsapp, templateId: template.templateId } },
      org.agent,
    );
    expect(response.errors).toBeUndefined();
    expect(response.data).toMatchObject({ sendMessage: { message: { status: 'QUEUED' } } });
  });
});
