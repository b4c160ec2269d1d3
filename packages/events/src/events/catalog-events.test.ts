import { createEvent, decodeEvent, encodeEvent, eventCatalog, eventDefinitions, SAMPLE_PAYLOADS, UnreadableEventError, type SwitchboardEvent } from '../index';

type Type = SwitchboardEvent['type'];
type Mutation = { name: string; apply: (payload: Record<string, unknown>) => void; path: string };

const ORG = '0b7e9f5c-2f4e-4d6b-8c1a-3e2d1c0b9a88';

/** The key each sample must get, and payload mutations that must be refused (with the path blamed). */
const CASES: { [T in Type]: { key: string; invalid: Mutation[] } } = {
  'user.registered': {
    key: SAMPLE_PAYLOADS['user.registered'].userId,
    invalid: [
      { name: 'unknown via', apply: (p) => (p.via = 'MAGIC'), path: 'via' },
      { name: 'user id not a uuid', apply: (p) => (p.userId = '42'), path: 'userId' },
    ],
  },
  'organization.created': {
    key: ORG,
    invalid: [
      { name: 'empty name', apply: (p) => (p.name = ''), path: 'name' },
      { name: 'no owner', apply: (p) => delete p.ownerUserId, path: 'ownerUserId' },
    ],
  },
  'invitation.created': {
    key: SAMPLE_PAYLOADS['invitation.created'].invitationId,
    invalid: [
      { name: 'bad email', apply: (p) => (p.email = 'not-an-email'), path: 'email' },
      { name: 'unknown role', apply: (p) => (p.role = 'GOD'), path: 'role' },
      { name: 'accept url not http', apply: (p) => (p.acceptUrl = 'javascript:alert(1)'), path: 'acceptUrl' },
      { name: 'expiresAt not ISO', apply: (p) => (p.expiresAt = 'tomorrow'), path: 'expiresAt' },
      { name: 'inviter without user id', apply: (p) => (p.invitedBy = { name: 'x' }), path: 'invitedBy.userId' },
    ],
  },
  'invitation.revoked': {
    key: SAMPLE_PAYLOADS['invitation.revoked'].invitationId,
    invalid: [{ name: 'missing revokedByUserId', apply: (p) => delete p.revokedByUserId, path: 'revokedByUserId' }],
  },
  'invitation.accepted': {
    key: SAMPLE_PAYLOADS['invitation.accepted'].invitationId,
    invalid: [{ name: 'lower-case role', apply: (p) => (p.role = 'agent'), path: 'role' }],
  },
  'membership.role_changed': {
    key: `${ORG}:${SAMPLE_PAYLOADS['membership.role_changed'].userId}`,
    invalid: [{ name: 'missing previousRole', apply: (p) => delete p.previousRole, path: 'previousRole' }],
  },
  'membership.removed': {
    key: `${ORG}:${SAMPLE_PAYLOADS['membership.removed'].userId}`,
    invalid: [{ name: 'organization id not a uuid', apply: (p) => (p.organizationId = 'acme'), path: 'organizationId' }],
  },
  'user.password_reset_requested': {
    key: SAMPLE_PAYLOADS['user.password_reset_requested'].userId,
    invalid: [
      { name: 'short token', apply: (p) => (p.token = 'abc'), path: 'token' },
      { name: 'missing resetUrl', apply: (p) => delete p.resetUrl, path: 'resetUrl' },
      { name: 'bad email', apply: (p) => (p.email = 'ada at example.com'), path: 'email' },
    ],
  },
  'user.password_changed': {
    key: SAMPLE_PAYLOADS['user.password_changed'].userId,
    invalid: [{ name: 'unknown via', apply: (p) => (p.via = 'FORGOT'), path: 'via' }],
  },
  'message.requested.email': {
    key: SAMPLE_PAYLOADS['message.requested.email'].conversationId as string,
    invalid: [
      { name: 'neither html nor text', apply: (p) => ((p.html = null), (p.text = null)), path: 'text' },
      { name: 'bad recipient', apply: (p) => (p.recipient = '+447911123456'), path: 'recipient' },
      { name: 'empty subject', apply: (p) => (p.subject = ''), path: 'subject' },
      { name: 'missing senderId', apply: (p) => delete p.senderId, path: 'senderId' },
    ],
  },
  'message.requested.sms': {
    key: SAMPLE_PAYLOADS['message.requested.sms'].recipient,
    invalid: [
      { name: 'recipient not E.164', apply: (p) => (p.recipient = '07911 123456'), path: 'recipient' },
      { name: 'empty body', apply: (p) => (p.body = ''), path: 'body' },
      { name: 'body too long', apply: (p) => (p.body = 'x'.repeat(1601)), path: 'body' },
    ],
  },
  'message.requested.whatsapp': {
    key: SAMPLE_PAYLOADS['message.requested.whatsapp'].conversationId as string,
    invalid: [
      { name: 'unknown content kind', apply: (p) => (p.content = { kind: 'sticker' }), path: 'content.kind' },
      {
        name: 'media without url',
        apply: (p) => (p.content = { kind: 'media', mediaType: 'image', caption: null, filename: null }),
        path: 'content.url',
      },
      { name: 'missing phoneNumberId', apply: (p) => delete p.phoneNumberId, path: 'phoneNumberId' },
    ],
  },
  'message.status': {
    key: SAMPLE_PAYLOADS['message.status'].messageId,
    invalid: [
      { name: 'unknown status', apply: (p) => (p.status = 'BOUNCED'), path: 'status' },
      { name: 'unknown source', apply: (p) => (p.source = 'PIGEON'), path: 'source' },
      { name: 'occurredAt missing', apply: (p) => delete p.occurredAt, path: 'occurredAt' },
    ],
  },
  'message.received': {
    key: SAMPLE_PAYLOADS['message.received'].from,
    invalid: [
      { name: 'unknown channel', apply: (p) => (p.channel = 'FAX'), path: 'channel' },
      { name: 'media not a list', apply: (p) => (p.media = 'none'), path: 'media' },
      {
        name: 'consent keyword with an unknown status',
        apply: (p) => (p.consentChange = { channel: 'SMS', status: 'MAYBE', keyword: 'STOP' }),
        path: 'consentChange.status',
      },
    ],
  },
  'message.status_changed': {
    key: SAMPLE_PAYLOADS['message.status_changed'].messageId,
    invalid: [
      { name: 'unknown direction', apply: (p) => (p.direction = 'SIDEWAYS'), path: 'direction' },
      { name: 'missing previousStatus', apply: (p) => delete p.previousStatus, path: 'previousStatus' },
    ],
  },
  'template.status_changed': {
    key: SAMPLE_PAYLOADS['template.status_changed'].providerTemplateId,
    invalid: [
      { name: 'unknown status', apply: (p) => (p.status = 'LIVE'), path: 'status' },
      { name: 'empty name', apply: (p) => (p.name = ''), path: 'name' },
    ],
  },
  'message.dead_lettered': {
    key: SAMPLE_PAYLOADS['message.dead_lettered'].messageId,
    invalid: [
      { name: 'zero attempts', apply: (p) => (p.attempts = 0), path: 'attempts' },
      { name: 'empty reason', apply: (p) => (p.reason = ''), path: 'reason' },
    ],
  },
  'contact.changed': {
    key: SAMPLE_PAYLOADS['contact.changed'].contactId,
    invalid: [
      { name: 'unknown change', apply: (p) => (p.change = 'MERGED'), path: 'change' },
      {
        name: 'unknown consent',
        apply: (p) => ((p.contact as { consent: { sms: string } }).consent.sms = 'MAYBE'),
        path: 'contact.consent.sms',
      },
    ],
  },
  'template.changed': {
    key: SAMPLE_PAYLOADS['template.changed'].templateId,
    invalid: [
      { name: 'unknown status', apply: (p) => ((p.template as { status: string }).status = 'LIVE'), path: 'template.status' },
      {
        name: 'active content of an unknown channel',
        apply: (p) => ((p.template as { activeVersion: { content: unknown } }).activeVersion.content = { channel: 'FAX' }),
        path: 'template.activeVersion.content.channel',
      },
    ],
  },
  'team.changed': {
    key: SAMPLE_PAYLOADS['team.changed'].teamId,
    invalid: [
      { name: 'unknown member role', apply: (p) => (p.member = { userId: ORG, role: 'BOSS' }), path: 'member.role' },
    ],
  },
};

function envelope(type: Type, payload: unknown): Record<string, unknown> {
  const definition = eventCatalog.find(type)!;
  return {
    id: 'd3b07384-d113-4ec4-8c1e-9f4b8e2c7a10',
    type,
    version: definition.version,
    organizationId: type.startsWith('user.password') ? null : ORG,
    occurredAt: '2026-11-21T20:00:00.000Z',
    traceId: 'req-1',
    payload,
  };
}

function clone<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

describe('the event catalog', () => {
  it('has a case for every definition, and every topic is <entity>.<fact>', () => {
    expect(Object.keys(CASES).sort()).toEqual(eventCatalog.types());
    expect(eventDefinitions).toHaveLength(eventCatalog.types().length);
    for (const topic of eventCatalog.topics()) expect(topic).toMatch(/^[a-z_]+(\.[a-z_]+)+$/);
  });

  describe.each(Object.keys(CASES) as Type[])('%s', (type) => {
    const definition = eventCatalog.find(type)!;
    const sample = SAMPLE_PAYLOADS[type];

    it('accepts its sample: encodes to its topic and key, and decodes back unchanged', () => {
      const encoded = eventCatalog.encode(envelope(type, sample) as never);
      expect(encoded.topic).toBe(definition.topic);
      expect(encoded.key).toBe(CASES[type].key);
      expect(encoded.headers).toMatchObject({ 'event-type': type, 'event-version': String(definition.version) });
      const decoded = decodeEvent(Buffer.from(encoded.value));
      expect(decoded.type).toBe(type);
      expect(decoded.payload).toEqual(sample);
    });

    it.each(CASES[type].invalid.map((m) => [m.name, m] as const))('refuses a payload with %s', (_name, mutation) => {
      const payload = clone(sample) as Record<string, unknown>;
      mutation.apply(payload);
      const value = JSON.stringify(envelope(type, payload));
      let error: unknown;
      try {
        decodeEvent(value);
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(UnreadableEventError);
      const unreadable = error as UnreadableEventError;
      expect(unreadable.reason).toBe('INVALID_PAYLOAD');
      expect(unreadable.details.type).toBe(type);
      expect(unreadable.details.issues?.map((issue) => issue.path)).toContain(mutation.path);
      // The same check protects producers.
      expect(() => createEvent(definition as never, payload as never, { organizationId: ORG })).toThrow(UnreadableEventError);
    });
  });

  it('keys message requests by conversation, or by recipient without one', () => {
    const withConversation = SAMPLE_PAYLOADS['message.requested.email'];
    const withoutConversation = { ...withConversation, conversationId: null };
    const a = eventCatalog.encode(envelope('message.requested.email', withConversation) as never);
    const b = eventCatalog.encode(envelope('message.requested.email', withoutConversation) as never);
    expect(a.key).toBe(withConversation.conversationId);
    expect(b.key).toBe(withConversation.recipient);
  });

  it('strips payload fields the catalog does not define', () => {
    const event = envelope('team.changed', { ...SAMPLE_PAYLOADS['team.changed'], secretExtra: 'x' });
    const decoded = decodeEvent(JSON.stringify(event));
    expect(decoded.payload).not.toHaveProperty('secretExtra');
  });

  it('encodeEvent refuses an event that does not match the catalog', () => {
    const event = envelope('message.status', { ...SAMPLE_PAYLOADS['message.status'], status: 'LOST' });
    expect(() => encodeEvent(event as never)).toThrow(UnreadableEventError);
  });
});
