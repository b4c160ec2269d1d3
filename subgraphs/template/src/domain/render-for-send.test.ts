import { SAMPLE_PAYLOADS, templateChanged } from '@switchboard/events';
import { describeRenderFailure, renderForSend } from './render-for-send';

describe('renderForSend (pure, over a version as template.changed carries it)', () => {
  const payload = templateChanged.payload.parse(SAMPLE_PAYLOADS['template.changed']);
  const version = { name: payload.template.name, language: payload.template.language, ...payload.template.activeVersion! };

  it('renders the active version of a template.changed event for WhatsApp', () => {
    const result = renderForSend(version, ['Casey', '#1234']);
    expect(result).toEqual({
      ok: true,
      rendered: expect.objectContaining({
        channel: 'WHATSAPP',
        name: 'order_update',
        language: 'pt_BR',
        body: 'Hi Casey, your order #1234 is on its way.',
        components: [{ type: 'body', parameters: [{ type: 'text', text: 'Casey' }, { type: 'text', text: '#1234' }] }],
      }),
    });
  });

  it('accepts declarations without example or description, and escapes email HTML', () => {
    const result = renderForSend(
      {
        name: 'welcome',
        language: null,
        content: { channel: 'EMAIL', subject: 'Hi {{first_name}}', html: '<p>Hi {{first_name}}</p>', text: null },
        variables: [{ name: 'first_name', type: 'STRING' }],
      },
      { first_name: '<b>Ann</b>' },
    );
    expect(result).toEqual({ ok: true, rendered: { channel: 'EMAIL', subject: 'Hi <b>Ann</b>', html: '<p>Hi &lt;b&gt;Ann&lt;/b&gt;</p>', text: null } });
  });

  it('reports missing, undeclared and mistyped values without echoing them', () => {
    const result = renderForSend(
      { name: 'otp', language: null, content: { channel: 'SMS', body: 'Code {{code}} for {{link}}' }, variables: [{ name: 'code', type: 'NUMBER' }, { name: 'link', type: 'URL' }] },
      { code: 'secret-value', extra: 1 },
    );
    if (result.ok) throw new Error('expected a failure');
    expect(result.failure).toEqual({
      kind: 'variables',
      missing: ['link'],
      extra: ['extra'],
      mistyped: [{ name: 'code', expected: 'NUMBER', reason: expect.any(String) }],
    });
    const message = describeRenderFailure(result.failure);
    expect(message).toMatch(/^Variables do not match the template: missing link; not declared by the template extra; code should be NUMBER/);
    expect(message).not.toContain('secret-value');
  });
});
