import { renderContent, smsPreview, whatsAppDefinition, type RenderSubject } from './render';
import type { VariableDeclaration, WhatsAppContent } from './types';

const v = (name: string, type: VariableDeclaration['type'] = 'STRING', example: VariableDeclaration['example'] = null): VariableDeclaration => ({
  name,
  type,
  example,
  description: null,
});

const emailSubject: RenderSubject = {
  name: 'Welcome',
  language: null,
  content: {
    channel: 'EMAIL',
    subject: 'Welcome {{first_name}}',
    html: '<p title="{{first_name}}">Hi {{first_name}}, <a href="{{link}}">open</a> <a href="https://x.test/u/{{first_name}}">profile</a></p>',
    text: 'Hi {{first_name}}, open {{link}}',
  },
  variables: [v('first_name'), v('link', 'URL')],
};

describe('renderContent — email', () => {
  it('renders subject, HTML and text', () => {
    expect(renderContent(emailSubject, { first_name: 'Ann', link: 'https://x.test/start' })).toEqual({
      ok: true,
      rendered: {
        channel: 'EMAIL',
        subject: 'Welcome Ann',
        html: '<p title="Ann">Hi Ann, <a href="https://x.test/start">open</a> <a href="https://x.test/u/Ann">profile</a></p>',
        text: 'Hi Ann, open https://x.test/start',
      },
    });
  });

  it('escapes a <script> value in HTML and leaves the text body as is', () => {
    const result = renderContent(emailSubject, { first_name: '<script>alert(1)</script>', link: 'https://x.test' });
    if (!result.ok || result.rendered.channel !== 'EMAIL') throw new Error('expected an email');
    expect(result.rendered.html).not.toContain('<script>');
    expect(result.rendered.html).toContain('Hi &lt;script&gt;alert(1)&lt;/script&gt;,');
    expect(result.rendered.text).toBe('Hi <script>alert(1)</script>, open https://x.test');
    expect(result.rendered.subject).toBe('Welcome <script>alert(1)</script>');
  });

  it('keeps a value with quotes inside its attribute and percent-encodes it inside a URL', () => {
    const result = renderContent(emailSubject, { first_name: 'x" onmouseover="alert(1)', link: 'https://x.test' });
    if (!result.ok || result.rendered.channel !== 'EMAIL') throw new Error('expected an email');
    expect(result.rendered.html).toContain('title="x&quot; onmouseover=&quot;alert(1)"');
    expect(result.rendered.html).toContain('href="https://x.test/u/x%22%20onmouseover%3D%22alert(1)"');
    expect(result.rendered.html).not.toMatch(/" onmouseover="/);
  });

  it('refuses a javascript: URL for a link even when the variable is a STRING', () => {
    const subject: RenderSubject = { ...emailSubject, variables: [v('first_name'), v('link')] };
    expect(renderContent(subject, { first_name: 'Ann', link: 'javascript:alert(document.cookie)' })).toEqual({
      ok: false,
      failure: {
        kind: 'variables',
        missing: [],
        extra: [],
        mistyped: [{ name: 'link', expected: 'STRING', reason: 'href needs an http, https, mailto or tel URL (or a relative one)' }],
      },
    });
  });

  it('keeps a line break in a value from starting a new header line in the subject', () => {
    const result = renderContent(emailSubject, { first_name: 'Ann\r\nBcc: all@example.test', link: 'https://x.test' });
    if (!result.ok || result.rendered.channel !== 'EMAIL') throw new Error('expected an email');
    expect(result.rendered.subject).toBe('Welcome Ann Bcc: all@example.test');
  });

  it('names every missing, extra and mistyped variable', () => {
    expect(renderContent(emailSubject, { link: 'not a url', last_name: 'B' })).toEqual({
      ok: false,
      failure: {
        kind: 'variables',
        missing: ['first_name'],
        extra: ['last_name'],
        mistyped: [{ name: 'link', expected: 'URL', reason: 'expected an http(s) URL without spaces' }],
      },
    });
  });

  it('refuses values that are not an object', () => {
    expect(renderContent(emailSubject, 'Ann')).toMatchObject({ ok: false, failure: { kind: 'notAnObject' } });
    expect(renderContent(emailSubject, ['Ann'])).toMatchObject({ ok: false, failure: { kind: 'notAnObject' } });
  });
});

describe('renderContent — SMS', () => {
  const sms: RenderSubject = { name: 'Code', language: null, content: { channel: 'SMS', body: 'Hi {{name}}, your code is {{code}}' }, variables: [v('name'), v('code', 'NUMBER')] };

  it('renders the body with its encoding and segments', () => {
    expect(renderContent(sms, { name: 'Ann', code: 123456 })).toEqual({
      ok: true,
      rendered: { channel: 'SMS', body: 'Hi Ann, your code is 123456', encoding: 'GSM_7', units: 27, segments: 1, nonGsmCharacters: [] },
    });
  });

  it('measures the rendered body: a value can switch it to UCS-2 and add segments', () => {
    const result = renderContent(sms, { name: 'Zoë 😀'.repeat(10), code: 1 });
    expect(result).toMatchObject({ ok: true, rendered: { encoding: 'UCS_2', segments: 2, nonGsmCharacters: ['ë', '😀'] } });
  });

  it('does not escape HTML in SMS', () => {
    expect(renderContent(sms, { name: '<b>&', code: 1 })).toMatchObject({ ok: true, rendered: { body: 'Hi <b>&, your code is 1' } });
  });
});

describe('renderContent — WhatsApp', () => {
  const content: WhatsAppContent = {
    channel: 'WHATSAPP',
    category: 'UTILITY',
    header: { format: 'TEXT', text: 'Order {{3}}' },
    body: 'Hi {{1}}, your total is {{2}}. Order {{3}} ships soon.',
    footer: 'Thanks',
    buttons: [
      { type: 'QUICK_REPLY', text: 'OK', url: null, phoneNumber: null },
      { type: 'URL', text: 'Track', url: 'https://shop.test/t/{{4}}', phoneNumber: null },
      { type: 'PHONE_NUMBER', text: 'Call', url: null, phoneNumber: '+14155550100' },
    ],
  };
  const subject: RenderSubject = {
    name: 'order_update',
    language: 'en_US',
    content,
    variables: [v('1', 'STRING', 'Ann'), v('2', 'CURRENCY', { amount: 12.5, currency: 'USD' }), v('3', 'STRING', 'A-12'), v('4', 'STRING', 'abc')],
  };

  it('renders the preview and the Cloud API components, parameters per component', () => {
    const result = renderContent(subject, { '1': 'Ann', '2': { amount: 12.5, currency: 'USD' }, '3': 'A-12', '4': 'xyz' });
    expect(result).toEqual({
      ok: true,
      rendered: {
        channel: 'WHATSAPP',
        name: 'order_update',
        language: 'en_US',
        category: 'UTILITY',
        header: 'Order A-12',
        body: 'Hi Ann, your total is $12.50. Order A-12 ships soon.',
        footer: 'Thanks',
        buttons: [
          { type: 'QUICK_REPLY', text: 'OK', url: null, phoneNumber: null },
          { type: 'URL', text: 'Track', url: 'https://shop.test/t/xyz', phoneNumber: null },
          { type: 'PHONE_NUMBER', text: 'Call', url: null, phoneNumber: '+14155550100' },
        ],
        components: [
          { type: 'header', parameters: [{ type: 'text', text: 'A-12' }] },
          {
            type: 'body',
            parameters: [
              { type: 'text', text: 'Ann' },
              { type: 'currency', currency: { fallback_value: '$12.50', code: 'USD', amount_1000: 12500 } },
              { type: 'text', text: 'A-12' },
            ],
          },
          { type: 'button', sub_type: 'url', index: '1', parameters: [{ type: 'text', text: 'xyz' }] },
        ],
        cloudApiTemplate: {
          name: 'order_update',
          language: { policy: 'deterministic', code: 'en_US' },
          components: expect.any(Array),
        },
      },
    });
  });

  it('accepts the values as a list', () => {
    expect(renderContent(subject, ['Ann', { amount: 1, currency: 'USD' }, 'A-12', 'xyz']).ok).toBe(true);
  });

  it('refuses parameters WhatsApp would reject (line breaks, 5 spaces, spaces in a URL suffix)', () => {
    const result = renderContent(subject, { '1': 'Ann\nB', '2': { amount: 1, currency: 'USD' }, '3': 'a     b', '4': 'x y' });
    expect(result).toEqual({
      ok: false,
      failure: {
        kind: 'variables',
        missing: [],
        extra: [],
        mistyped: [
          { name: '1', expected: 'STRING', reason: 'WhatsApp parameters cannot contain line breaks or tabs' },
          { name: '3', expected: 'STRING', reason: 'WhatsApp parameters cannot contain more than 4 consecutive spaces' },
          { name: '4', expected: 'STRING', reason: 'the end of a button URL cannot contain spaces' },
        ],
      },
    });
  });

  it('names missing and extra positions', () => {
    expect(renderContent(subject, { '1': 'Ann', '5': 'x' })).toMatchObject({
      ok: false,
      failure: { missing: ['2', '3', '4'], extra: ['5'] },
    });
  });

  it('builds the message_templates definition with per-component numbering and examples', () => {
    expect(whatsAppDefinition({ ...subject, content })).toEqual({
      name: 'order_update',
      language: 'en_US',
      category: 'UTILITY',
      components: [
        { type: 'HEADER', format: 'TEXT', text: 'Order {{1}}', example: { header_text: ['A-12'] } },
        {
          type: 'BODY',
          text: 'Hi {{1}}, your total is {{2}}. Order {{3}} ships soon.',
          example: { body_text: [['Ann', 'USD 12.5', 'A-12']] },
        },
        { type: 'FOOTER', text: 'Thanks' },
        {
          type: 'BUTTONS',
          buttons: [
            { type: 'QUICK_REPLY', text: 'OK' },
            { type: 'URL', text: 'Track', url: 'https://shop.test/t/{{1}}', example: ['https://shop.test/t/abc'] },
            { type: 'PHONE_NUMBER', text: 'Call', phone_number: '+14155550100' },
          ],
        },
      ],
    });
  });
});

describe('smsPreview', () => {
  it('fills placeholders with examples (formatted) and drops those without one', () => {
    expect(smsPreview('Hi {{name}}, {{total}} due {{when}}.', [v('name', 'STRING', 'Ann'), v('total', 'CURRENCY', { amount: 5, currency: 'EUR' }), v('when', 'DATE')])).toBe(
      'Hi Ann, €5.00 due .',
    );
  });
});
