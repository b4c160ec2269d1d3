import { placeholderNames, renderTemplate, type RenderableTemplate } from './template-render';

const email: RenderableTemplate = {
  name: 'welcome',
  language: null,
  content: {
    channel: 'EMAIL',
    subject: 'Welcome, {{first_name}}',
    html: '<p>Hello {{ first_name }}, your code is <b>{{code}}</b></p>',
    text: 'Hello {{first_name}}, your code is {{code}}',
  },
  variables: [
    { name: 'first_name', type: 'STRING' },
    { name: 'code', type: 'STRING' },
  ],
};

const whatsapp: RenderableTemplate = {
  name: 'order_update',
  language: 'pt_BR',
  content: {
    channel: 'WHATSAPP',
    category: 'UTILITY',
    header: { format: 'TEXT', text: 'Order {{2}}' },
    body: 'Hi {{1}}, order {{2}} ships on {{3}}.',
    footer: 'Reply STOP to opt out',
    buttons: [],
  },
  variables: [
    { name: '1', type: 'STRING' },
    { name: '2', type: 'STRING' },
    { name: '3', type: 'DATE' },
  ],
};

describe('template rendering for sending', () => {
  it('finds placeholder names once each, in order', () => {
    expect(placeholderNames('{{a}} {{ b }} {{a}}')).toEqual(['a', 'b']);
  });

  it('renders email with HTML-escaped values and a one-line subject', () => {
    const result = renderTemplate(email, { first_name: 'Ann\r\nBcc: x@y.z', code: '<script>1</script>' });
    expect(result).toEqual({
      ok: true,
      rendered: {
        channel: 'EMAIL',
        subject: 'Welcome, Ann Bcc: x@y.z',
        html: '<p>Hello Ann\r\nBcc: x@y.z, your code is <b>&lt;script&gt;1&lt;/script&gt;</b></p>',
        text: 'Hello Ann\r\nBcc: x@y.z, your code is <script>1</script>',
      },
    });
  });

  it('names every missing variable (absent, null or blank)', () => {
    const result = renderTemplate(email, { first_name: '  ', unrelated: 'x' });
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.missing).toEqual(['first_name', 'code']);
      expect(result.message).toContain('first_name, code');
    }
  });

  it('renders SMS with numbers as text', () => {
    const sms: RenderableTemplate = { name: 'otp', language: null, content: { channel: 'SMS', body: 'Code {{code}}' }, variables: [{ name: 'code', type: 'NUMBER' }] };
    expect(renderTemplate(sms, { code: 123456 })).toEqual({ ok: true, rendered: { channel: 'SMS', body: 'Code 123456' } });
  });

  it('renders WhatsApp parameters per component in positional order, from an object or a list', () => {
    const expected = {
      ok: true,
      rendered: {
        channel: 'WHATSAPP',
        name: 'order_update',
        language: 'pt_BR',
        headerParameters: ['#12'],
        bodyParameters: ['Ann', '#12', '2026-03-01'],
        preview: 'Order #12\n\nHi Ann, order #12 ships on 2026-03-01.\n\nReply STOP to opt out',
      },
    };
    expect(renderTemplate(whatsapp, { '3': '2026-03-01', '1': 'Ann', '2': '#12' })).toEqual(expected);
    expect(renderTemplate(whatsapp, ['Ann', '#12', '2026-03-01'])).toEqual(expected);
  });

  it('applies WhatsApp parameter rules', () => {
    const result = renderTemplate(whatsapp, ['Ann\nSmith', '#12', '2026-03-01']);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.invalid).toEqual([{ name: '1', reason: 'WhatsApp parameters cannot contain line breaks or tabs' }]);
  });

  it('refuses variables that are not an object (or a list for WhatsApp)', () => {
    expect(renderTemplate(email, 'Ann').ok).toBe(false);
    expect(renderTemplate(email, ['Ann']).ok).toBe(false);
    const nested = renderTemplate(email, { first_name: { nested: true }, code: '1' });
    expect(nested.ok).toBe(false);
    if (!nested.ok) expect(nested.invalid).toEqual([{ name: 'first_name', reason: 'must be text or a number' }]);
  });

  it('requires placeholders even when they were not declared', () => {
    const loose: RenderableTemplate = { ...email, variables: [] };
    const result = renderTemplate(loose, { first_name: 'Ann' });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.missing).toEqual(['code']);
  });
});
