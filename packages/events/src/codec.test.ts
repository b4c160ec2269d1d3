import { z } from 'zod';
import {
  createCatalog,
  createEvent,
  decodeEvent,
  defineEvent,
  encodeEvent,
  eventCatalog,
  invitationCreated,
  SAMPLE_PAYLOADS,
  UnreadableEventError,
  type UnreadableReason,
} from './index';

const ORG = '0b7e9f5c-2f4e-4d6b-8c1a-3e2d1c0b9a88';

function reasonOf(fn: () => unknown): UnreadableReason | 'no error' | 'other error' {
  try {
    fn();
    return 'no error';
  } catch (error) {
    return error instanceof UnreadableEventError ? error.reason : 'other error';
  }
}

describe('envelope and codec', () => {
  const valid = createEvent(invitationCreated, SAMPLE_PAYLOADS['invitation.created'], { organizationId: ORG, traceId: 'req-7' });

  it('createEvent fills id, version, occurredAt and defaults traceId to null', () => {
    expect(valid.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(valid.version).toBe(1);
    expect(new Date(valid.occurredAt).toISOString()).toBe(valid.occurredAt);
    const untraced = createEvent(invitationCreated, SAMPLE_PAYLOADS['invitation.created'], { organizationId: ORG });
    expect(untraced.traceId).toBeNull();
    expect(untraced.id).not.toBe(valid.id);
  });

  it('round-trips through encode/decode with headers for routing', () => {
    const encoded = encodeEvent(valid);
    expect(encoded).toMatchObject({
      topic: 'invitation.created',
      key: SAMPLE_PAYLOADS['invitation.created'].invitationId,
      headers: { 'event-id': valid.id, 'event-type': 'invitation.created', 'event-version': '1', 'trace-id': 'req-7' },
    });
    expect(decodeEvent(Buffer.from(encoded.value))).toEqual(valid);
  });

  it.each<[string, Buffer | string | null, UnreadableReason]>([
    ['a null value (tombstone)', null, 'EMPTY'],
    ['an empty value', Buffer.alloc(0), 'EMPTY'],
    ['text that is not JSON', 'hello', 'INVALID_JSON'],
    ['binary garbage', Buffer.from([0xff, 0x00, 0x13]), 'INVALID_JSON'],
    ['a JSON array', '[1,2]', 'INVALID_ENVELOPE'],
    ['JSON null', 'null', 'INVALID_ENVELOPE'],
  ])('decoding %s throws UnreadableEventError %s', (_name, value, reason) => {
    expect(reasonOf(() => decodeEvent(value))).toBe(reason);
  });

  it.each<[string, (e: Record<string, unknown>) => void, UnreadableReason]>([
    ['an id that is not a uuid', (e) => (e.id = 'abc'), 'INVALID_ENVELOPE'],
    ['no organizationId key', (e) => delete e.organizationId, 'INVALID_ENVELOPE'],
    ['an occurredAt that is not ISO', (e) => (e.occurredAt = 'yesterday'), 'INVALID_ENVELOPE'],
    ['a version 0', (e) => (e.version = 0), 'INVALID_ENVELOPE'],
    ['an unknown type', (e) => (e.type = 'payment.captured'), 'UNKNOWN_TYPE'],
    ['an unknown version', (e) => (e.version = 9), 'UNKNOWN_VERSION'],
    ['a payload that violates the schema', (e) => (e.payload = { invitationId: 'x' }), 'INVALID_PAYLOAD'],
  ])('an envelope with %s is unreadable', (_name, mutate, reason) => {
    const envelope = JSON.parse(JSON.stringify(valid)) as Record<string, unknown>;
    mutate(envelope);
    expect(reasonOf(() => decodeEvent(JSON.stringify(envelope)))).toBe(reason);
    expect(reasonOf(() => eventCatalog.encode(envelope as never))).toBe(reason);
  });

  it('accepts a null organizationId and traceId (account events)', () => {
    const event = createEvent(eventCatalog.find('user.password_changed')!, SAMPLE_PAYLOADS['user.password_changed'], {
      organizationId: null,
    });
    expect(decodeEvent(encodeEvent(event as never).value)).toEqual(event);
  });

  it('never puts payload values in the error (they may be personal data)', () => {
    const envelope = { ...valid, payload: { ...valid.payload, email: 'secret-person@@example' } };
    try {
      decodeEvent(JSON.stringify(envelope));
      throw new Error('expected an error');
    } catch (error) {
      expect(JSON.stringify({ message: (error as Error).message, details: (error as UnreadableEventError).details })).not.toContain(
        'secret-person',
      );
    }
  });

  it('decodes several versions of one type and finds the newest by default', () => {
    const v1 = defineEvent({ type: 'widget.made', version: 1, topic: 'widget.made', description: 'v1', payload: z.object({ widgetId: z.string() }), key: (p) => p.widgetId });
    const v2 = defineEvent({
      type: 'widget.made',
      version: 2,
      topic: 'widget.made',
      description: 'v2',
      payload: z.object({ widgetId: z.string(), colour: z.string() }),
      key: (p) => p.widgetId,
    });
    const catalog = createCatalog([v1, v2]);
    expect(catalog.find('widget.made')).toBe(v2);
    const old = { id: valid.id, type: 'widget.made', version: 1, organizationId: null, occurredAt: valid.occurredAt, traceId: null, payload: { widgetId: 'w' } };
    expect(catalog.decode(JSON.stringify(old)).payload).toEqual({ widgetId: 'w' });
    expect(() => createCatalog([v1, v1])).toThrow(/defined twice/);
  });

  it('refuses to define an event whose type or topic is not <entity>.<fact>', () => {
    const payload = z.object({ a: z.string() });
    expect(() => defineEvent({ type: 'Widget', version: 1, topic: 'widget.made', description: '', payload, key: (p) => p.a })).toThrow();
    expect(() => defineEvent({ type: 'widget.made', version: 1, topic: 'widgets', description: '', payload, key: (p) => p.a })).toThrow();
    expect(() => defineEvent({ type: 'widget.made', version: 0, topic: 'widget.made', description: '', payload, key: (p) => p.a })).toThrow();
  });
});
