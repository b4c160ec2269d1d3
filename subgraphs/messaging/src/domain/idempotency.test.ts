import { requestFingerprint, type FingerprintedRequest } from './idempotency';

const sms: FingerprintedRequest = { channel: 'SMS', senderId: 's-1', to: '+447911123456', body: 'Hi' };

describe('requestFingerprint', () => {
  it('is the same for the same request, whether absent fields are null or left out', () => {
    expect(requestFingerprint({ ...sms, subject: null, templateId: null, contactId: null, variables: null })).toBe(requestFingerprint(sms));
  });

  it('compares recipients as they are sent: formatting of a number and case of an email do not matter', () => {
    expect(requestFingerprint({ ...sms, to: ' +44 7911 123456 ' })).toBe(requestFingerprint(sms));
    const email: FingerprintedRequest = { channel: 'EMAIL', senderId: 's-2', to: 'Ann@Example.com', subject: 'S', body: 'B' };
    expect(requestFingerprint({ ...email, to: 'ann@example.com' })).toBe(requestFingerprint(email));
  });

  it('compares variables by value, not by the order of their keys', () => {
    const a = { ...sms, body: null, templateId: 't-1', variables: { name: 'Ann', order: { id: 7, items: [1, 2] } } };
    const b = { ...sms, body: null, templateId: 't-1', variables: { order: { items: [1, 2], id: 7 }, name: 'Ann' } };
    expect(requestFingerprint(a)).toBe(requestFingerprint(b));
    expect(requestFingerprint({ ...b, variables: { name: 'Ann', order: { id: 7, items: [2, 1] } } })).not.toBe(requestFingerprint(a));
  });

  it.each<[string, Partial<FingerprintedRequest>]>([
    ['channel', { channel: 'WHATSAPP' }],
    ['sender', { senderId: 's-9' }],
    ['recipient', { to: '+447911123457' }],
    ['recipient kind (a contact, not an address)', { to: null, contactId: 'c-1' }],
    ['body (one space more)', { body: 'Hi ' }],
    ['subject', { subject: 'Hello' }],
    ['template', { templateId: 't-1' }],
    ['variables', { variables: { a: 1 } }],
  ])('another %s is another request', (_field, change) => {
    expect(requestFingerprint({ ...sms, ...change })).not.toBe(requestFingerprint(sms));
  });

  it('keeps a recipient that does not parse as written (trimmed)', () => {
    expect(requestFingerprint({ ...sms, to: ' not a number ' })).toBe(requestFingerprint({ ...sms, to: 'not a number' }));
    expect(requestFingerprint({ ...sms, to: 'not a number' })).not.toBe(requestFingerprint({ ...sms, to: 'not a numbe' }));
  });
});
