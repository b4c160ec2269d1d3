import { validateTemplateInput, type TemplateInput, type WhatsAppInput } from './template-input';

const email = (overrides: Partial<TemplateInput> = {}): TemplateInput => ({
  channel: 'EMAIL',
  name: 'Welcome',
  variables: [{ name: 'first_name', example: 'Ann' }, { name: 'link', type: 'URL' }],
  email: { subject: 'Welcome {{first_name}}', html: '<p>Hi {{first_name}}, <a href="{{link}}">start</a></p>', text: 'Hi {{first_name}}: {{link}}' },
  ...overrides,
});

const whatsapp = (content: Partial<WhatsAppInput> = {}, overrides: Partial<TemplateInput> = {}): TemplateInput => ({
  channel: 'WHATSAPP',
  name: 'order_update',
  language: 'en_US',
  variables: [{ name: '1', example: 'Ann' }, { name: '2', example: 'A-12' }],
  whatsapp: { category: 'UTILITY', body: 'Hi {{1}}, order {{2}} shipped.', ...content },
  ...overrides,
});

function issues(input: TemplateInput) {
  const result = validateTemplateInput(input);
  return result.ok ? [] : result.issues;
}

describe('validateTemplateInput — email', () => {
  it('accepts a valid template and normalizes it', () => {
    const result = validateTemplateInput(email({ name: '  Welcome  ' }));
    expect(result).toEqual({
      ok: true,
      value: {
        name: 'Welcome',
        language: null,
        content: {
          channel: 'EMAIL',
          subject: 'Welcome {{first_name}}',
          html: '<p>Hi {{first_name}}, <a href="{{link}}">start</a></p>',
          text: 'Hi {{first_name}}: {{link}}',
        },
        variables: [
          { name: 'first_name', type: 'STRING', example: 'Ann', description: null },
          { name: 'link', type: 'URL', example: null, description: null },
        ],
      },
    });
  });

  it('names the field of each problem', () => {
    const found = issues(
      email({
        name: ' ',
        language: 'en',
        email: { subject: '', html: '<script>{{first_name}}</script>', text: 'Bye {{nickname}}' },
        sms: { body: 'x' },
      }),
    );
    expect(found.map((i) => i.field)).toEqual([
      'name',
      'language',
      'sms',
      'email.subject',
      'email.html',
      'variables',
      'variables[1].name',
    ]);
    expect(found.find((i) => i.field === 'variables')?.message).toBe('{{nickname}} is used in email.text but not declared in variables');
    expect(found.find((i) => i.field === 'variables[1].name')?.message).toBe('Variable "link" is declared but no placeholder uses it');
  });

  it('requires the content of its channel', () => {
    expect(issues(email({ email: null }))).toContainEqual({ field: 'email', message: 'An EMAIL template needs its content in email' });
  });

  it('refuses a multi-line subject and a positional placeholder', () => {
    expect(issues(email({ variables: [], email: { subject: 'a\nb {{1}}', html: '<p>x</p>' } })).map((i) => i.field)).toEqual([
      'email.subject',
      'email.subject',
      'variables',
    ]);
  });
});

describe('validateTemplateInput — SMS', () => {
  it('accepts named placeholders', () => {
    expect(validateTemplateInput({ channel: 'SMS', name: 'Code', variables: [{ name: 'code' }], sms: { body: 'Code: {{code}}' } }).ok).toBe(true);
  });

  it('refuses an empty body and a body over 1600 characters', () => {
    expect(issues({ channel: 'SMS', name: 'x', variables: [], sms: { body: ' ' } })[0]?.field).toBe('sms.body');
    expect(issues({ channel: 'SMS', name: 'x', variables: [], sms: { body: 'a'.repeat(1601) } })[0]?.message).toMatch(/1600/);
  });
});

describe('validateTemplateInput — WhatsApp', () => {
  it('accepts a full template', () => {
    const result = validateTemplateInput(
      whatsapp({
        header: { text: 'Order {{3}}' },
        footer: 'Reply STOP to opt out',
        buttons: [
          { type: 'QUICK_REPLY', text: 'Thanks' },
          { type: 'QUICK_REPLY', text: 'Help' },
          { type: 'URL', text: 'Track', url: 'https://shop.test/track/{{4}}' },
          { type: 'PHONE_NUMBER', text: 'Call us', phoneNumber: '+14155550100' },
        ],
      }, { variables: [{ name: '1' }, { name: '2' }, { name: '3' }, { name: '4' }] }),
    );
    expect(result.ok).toBe(true);
  });

  it('names a gap in the numbering', () => {
    const found = issues(whatsapp({ body: 'Hi {{1}}, order {{3}} shipped.' }, { variables: [{ name: '1' }, { name: '3' }] }));
    expect(found).toEqual([
      { field: 'whatsapp.body', message: 'Placeholder {{2}} is missing: WhatsApp placeholders run from {{1}} to {{3}} with no gap' },
    ]);
  });

  it('names several gaps, counting placeholders of every component', () => {
    const found = issues(
      whatsapp(
        { header: { text: 'Hi {{5}}' }, body: 'Order {{1}} ok.' },
        { variables: [{ name: '1' }, { name: '5' }] },
      ),
    );
    expect(found[0]?.message).toBe('Placeholder {{2}}, {{3}}, {{4}} are missing: WhatsApp placeholders run from {{1}} to {{5}} with no gap');
  });

  it('refuses named placeholders and a name with capitals', () => {
    const found = issues(whatsapp({ body: 'Hi {{name}} there' }, { name: 'Order Update', variables: [] }));
    expect(found.map((i) => i.field)).toEqual(['name', 'whatsapp.body', 'variables']);
  });

  it('requires a language code', () => {
    expect(issues(whatsapp({}, { language: null }))[0]).toEqual({
      field: 'language',
      message: 'WhatsApp templates need a language code such as en, en_US or pt_BR',
    });
    expect(issues(whatsapp({}, { language: 'english' }))[0]?.field).toBe('language');
  });

  it('allows at most one variable in a TEXT header and none in the footer', () => {
    const found = issues(
      whatsapp({ header: { text: '{{1}} and {{2}}' }, footer: 'Bye {{1}}' }),
    );
    expect(found).toEqual([
      { field: 'whatsapp.header.text', message: 'A TEXT header has at most one variable; found {{1}}, {{2}}' },
      { field: 'whatsapp.footer', message: 'A footer cannot contain variables' },
    ]);
  });

  it('refuses a body that starts or ends with a variable', () => {
    expect(issues(whatsapp({ body: '{{1}} your order {{2}}' }))[0]).toEqual({
      field: 'whatsapp.body',
      message: 'WhatsApp does not accept a body that starts or ends with a variable',
    });
  });

  it('checks lengths of header, body, footer and button text', () => {
    const found = issues(
      whatsapp(
        {
          header: { text: 'h'.repeat(61) },
          body: 'b'.repeat(1025),
          footer: 'f'.repeat(61),
          buttons: [{ type: 'QUICK_REPLY', text: 'q'.repeat(26) }],
        },
        { variables: [] },
      ),
    );
    expect(found.map((i) => i.field)).toEqual(['whatsapp.header.text', 'whatsapp.body', 'whatsapp.footer', 'whatsapp.buttons[0].text']);
  });

  it('checks buttons: URL variable at the end, phone in E.164, counts and grouping', () => {
    const found = issues(
      whatsapp(
        {
          buttons: [
            { type: 'QUICK_REPLY', text: 'A' },
            { type: 'URL', text: 'Open', url: 'https://x.test/{{3}}/details' },
            { type: 'QUICK_REPLY', text: 'B' },
            { type: 'URL', text: 'Site', url: 'ftp://x.test' },
            { type: 'URL', text: 'Three', url: 'https://x.test' },
            { type: 'PHONE_NUMBER', text: 'Call', phoneNumber: '555-0100' },
            { type: 'PHONE_NUMBER', text: 'Call 2', phoneNumber: '+14155550100', url: 'https://x.test' },
          ],
        },
        { variables: [{ name: '1' }, { name: '2' }, { name: '3' }] },
      ),
    );
    expect(found).toEqual([
      { field: 'whatsapp.buttons[1].url', message: 'The variable of a URL button must be at the end of the URL' },
      { field: 'whatsapp.buttons[3].url', message: 'Button URL must start with https:// or http://' },
      { field: 'whatsapp.buttons[5].phoneNumber', message: 'Phone number must be E.164, like +14155550100' },
      { field: 'whatsapp.buttons[6].url', message: 'Only URL buttons have a URL' },
      { field: 'whatsapp.buttons', message: 'At most 2 URL buttons' },
      { field: 'whatsapp.buttons', message: 'At most 1 PHONE_NUMBER button' },
      { field: 'whatsapp.buttons', message: 'QUICK_REPLY buttons must be next to each other (WhatsApp groups them)' },
    ]);
  });

  it('has AUTHENTICATION rules: no header, one code variable, no URL or phone buttons', () => {
    expect(
      validateTemplateInput(whatsapp({ category: 'AUTHENTICATION', body: '{{1}} is your verification code.' }, { variables: [{ name: '1' }] })).ok,
    ).toBe(true);
    const found = issues(
      whatsapp({
        category: 'AUTHENTICATION',
        header: { text: 'Code' },
        buttons: [{ type: 'URL', text: 'Open', url: 'https://x.test' }],
      }),
    );
    expect(found.map((i) => i.field)).toEqual(['whatsapp.header', 'whatsapp.body', 'whatsapp.buttons[0].type']);
  });

  it('refuses email content on a WhatsApp template', () => {
    expect(issues(whatsapp({}, { email: { subject: 's', html: 'h' } }))).toContainEqual({
      field: 'email',
      message: 'This is a WHATSAPP template: give its content in whatsapp',
    });
  });

  it('checks examples against the language (CURRENCY example must be an amount)', () => {
    const found = issues(whatsapp({}, { variables: [{ name: '1' }, { name: '2', type: 'CURRENCY', example: '12 EUR' }] }));
    expect(found).toEqual([
      { field: 'variables[1].example', message: 'Example for "2" is not a valid CURRENCY: expected { "amount": 12.5, "currency": "EUR" }' },
    ]);
  });
});
