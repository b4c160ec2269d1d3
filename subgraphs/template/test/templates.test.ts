/* eslint-disable @typescript-eslint/no-explicit-any -- GraphQL responses are untyped JSON. */
import { CREATE, DELETE, emailInput, GET, LIST, RENDER, smsInput, UPDATE, VERSIONS, whatsappInput } from './operations';
import { startTemplateSubgraph, type Member, type TemplateSubgraphHarness } from './harness';

let h: TemplateSubgraphHarness;
let agent: Member;
let admin: Member;

beforeAll(async () => {
  h = await startTemplateSubgraph();
  agent = h.member('AGENT');
  admin = h.member('ADMIN', agent.organizationId);
});
afterAll(() => h?.close());

async function create(input: Record<string, unknown>, as: Member = agent) {
  const result = await h.graphql(CREATE, { input }, as);
  expect(result.errors).toBeUndefined();
  return result.data!.createTemplate;
}

describe('createTemplate', () => {
  it('creates an email template, ACTIVE and sendable, with its variables', async () => {
    const template = await create(emailInput({ name: 'Email create' }));
    expect(template).toMatchObject({
      channel: 'EMAIL',
      name: 'Email create',
      language: null,
      status: 'ACTIVE',
      sendable: true,
      archivedAt: null,
      content: { __typename: 'EmailTemplateContent', subject: 'Welcome, {{first_name}}' },
      variables: [
        { name: 'first_name', type: 'STRING', example: 'Ann', description: null },
        { name: 'link', type: 'URL', example: 'https://app.example.test/start', description: null },
      ],
      latestVersion: { version: 1, status: 'ACTIVE' },
      activeVersion: { version: 1, status: 'ACTIVE' },
    });
  });

  it('creates an SMS template and shows its encoding and segments', async () => {
    const gsm = await create(smsInput({ name: 'SMS gsm' }));
    expect(gsm.content).toEqual({
      __typename: 'SmsTemplateContent',
      body: 'Your code is {{code}}. It expires in 10 minutes.',
      preview: 'Your code is 123456. It expires in 10 minutes.',
      encoding: 'GSM_7',
      segments: 1,
      units: 46,
      nonGsmCharacters: [],
    });
    const ucs = await create(smsInput({ name: 'SMS emoji', sms: { body: `${'a'.repeat(60)} {{code}} 🎉` } }));
    // 60 + 1 + 6 (example) + 1 + 2 (emoji) = 70 UTF-16 units: one UCS-2 SMS; two without an example would be 64.
    expect(ucs.content).toMatchObject({ encoding: 'UCS_2', units: 70, segments: 1, nonGsmCharacters: ['🎉'] });
    const longer = await create(smsInput({ name: 'SMS emoji long', sms: { body: `${'a'.repeat(61)} {{code}} 🎉` } }));
    expect(longer.content).toMatchObject({ encoding: 'UCS_2', units: 71, segments: 2 });
  });

  it('creates a WhatsApp template as a DRAFT that cannot be sent yet', async () => {
    const template = await create(whatsappInput({ name: 'wa_create' }));
    expect(template).toMatchObject({
      channel: 'WHATSAPP',
      name: 'wa_create',
      language: 'en_US',
      status: 'DRAFT',
      sendable: false,
      content: {
        __typename: 'WhatsAppTemplateContent',
        category: 'UTILITY',
        header: { format: 'TEXT', text: 'Order {{2}}' },
        footer: 'Reply STOP to unsubscribe',
        buttons: [
          { type: 'QUICK_REPLY', text: 'Thanks', url: null, phoneNumber: null },
          { type: 'URL', text: 'Track order', url: 'https://shop.example.test/track/{{2}}', phoneNumber: null },
        ],
      },
      latestVersion: { version: 1, status: 'DRAFT' },
      activeVersion: null,
    });
  });

  it('answers a placeholder gap with BAD_USER_INPUT naming it', async () => {
    const result = await h.graphql(
      CREATE,
      {
        input: whatsappInput({
          name: 'wa_gap',
          variables: [{ name: '1', example: 'a' }, { name: '3', example: 'c' }],
          whatsapp: { category: 'MARKETING', body: 'Hi {{1}}, see {{3}} now.' },
        }),
      },
      agent,
    );
    expect(result.status).toBe(200);
    expect(result.data).toBeNull();
    expect(result.errors?.[0]).toMatchObject({
      message: 'Placeholder {{2}} is missing: WhatsApp placeholders run from {{1}} to {{3}} with no gap',
      extensions: { code: 'BAD_USER_INPUT', field: 'whatsapp.body' },
    });
  });

  it('names every problem of the input with its field', async () => {
    const result = await h.graphql(
      CREATE,
      {
        input: {
          channel: 'EMAIL',
          name: '',
          variables: [{ name: 'first_name', type: 'NUMBER', example: 'Ann' }],
          email: { subject: 'Hi {{first_name}}', html: '<p onclick="x({{first_name}})">{{nickname}}</p>' },
        },
      },
      agent,
    );
    expect(result.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'name' });
    expect(result.errors?.[0]?.extensions?.issues).toEqual([
      { field: 'name', message: 'Name is required' },
      { field: 'email.html', message: '{{first_name}} cannot be placed in the onclick event handler' },
      { field: 'variables[0].example', message: 'Example for "first_name" is not a valid NUMBER: expected a number, got a string' },
      { field: 'variables', message: '{{nickname}} is used in email.html but not declared in variables' },
    ]);
  });

  it('refuses a second live template with the same name (CONFLICT), per channel', async () => {
    await create(smsInput({ name: 'Duplicate name' }));
    const again = await h.graphql(CREATE, { input: smsInput({ name: 'duplicate NAME' }) }, agent);
    expect(again.errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT', field: 'name' });
    // Another channel may use it.
    await create(emailInput({ name: 'Duplicate name' }));
    // Renaming onto a taken name is refused too.
    const other = await create(smsInput({ name: 'Other name' }));
    const rename = await h.graphql(UPDATE, { id: other.id, input: { name: 'DUPLICATE name' } }, agent);
    expect(rename.errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT', field: 'name' });
  });

  it('refuses the content of another channel', async () => {
    const result = await h.graphql(CREATE, { input: { ...smsInput({ name: 'wrong channel' }), email: emailInput().email } }, agent);
    expect(result.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'email' });
  });
});

describe('updateTemplate', () => {
  it('starts a new ACTIVE version of an email template, superseding the old one', async () => {
    const template = await create(emailInput({ name: 'Email update' }));
    const result = await h.graphql(
      UPDATE,
      { id: template.id, input: { email: { subject: 'Hello {{first_name}}', html: '<p>{{first_name}} <a href="{{link}}">go</a></p>' } } },
      agent,
    );
    expect(result.errors).toBeUndefined();
    expect(result.data!.updateTemplate).toMatchObject({
      content: { subject: 'Hello {{first_name}}', text: null },
      latestVersion: { version: 2, status: 'ACTIVE' },
      activeVersion: { version: 2, status: 'ACTIVE' },
      sendable: true,
    });
    const versions = await h.graphql(VERSIONS, { id: template.id }, agent);
    expect(versions.data!.template.versions.map((v: any) => [v.version, v.status, v.supersededAt !== null])).toEqual([
      [2, 'ACTIVE', false],
      [1, 'ACTIVE', true],
    ]);
  });

  it('renames without a new version, and does nothing when nothing changes', async () => {
    const template = await create(smsInput({ name: 'Before rename' }));
    const renamed = await h.graphql(UPDATE, { id: template.id, input: { name: 'After rename' } }, agent);
    expect(renamed.data!.updateTemplate).toMatchObject({ name: 'After rename', latestVersion: { version: 1 } });
    const same = await h.graphql(UPDATE, { id: template.id, input: { sms: { body: 'Your code is {{code}}. It expires in 10 minutes.' } } }, agent);
    expect(same.data!.updateTemplate.latestVersion.version).toBe(1);
  });

  it('validates the merged template: new variables must match the current content', async () => {
    const template = await create(smsInput({ name: 'Variables update' }));
    const result = await h.graphql(UPDATE, { id: template.id, input: { variables: [{ name: 'otp' }] } }, agent);
    expect(result.errors?.[0]?.extensions?.issues).toEqual([
      { field: 'variables', message: '{{code}} is used in sms.body but not declared in variables' },
      { field: 'variables[0].name', message: 'Variable "otp" is declared but no placeholder uses it' },
    ]);
  });

  it('serializes concurrent edits: each one makes its own version', async () => {
    const template = await create(smsInput({ name: 'Concurrent' }));
    const bodies = ['One {{code}}', 'Two {{code}}', 'Three {{code}}'];
    const results = await Promise.all(bodies.map((body) => h.graphql(UPDATE, { id: template.id, input: { sms: { body } } }, agent)));
    expect(results.every((r) => r.errors === undefined)).toBe(true);
    const versions = await h.graphql(VERSIONS, { id: template.id }, agent);
    expect(versions.data!.template.versions.map((v: any) => v.version)).toEqual([4, 3, 2, 1]);
  });

  it('answers NOT_FOUND for an unknown or malformed id', async () => {
    for (const id of ['00000000-0000-4000-8000-000000000000', 'not-a-uuid']) {
      const result = await h.graphql(UPDATE, { id, input: { name: 'x' } }, agent);
      expect(result.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    }
  });
});

describe('deleteTemplate (archive)', () => {
  it('archives: still readable by id, gone from the list, not sendable, frozen, name reusable', async () => {
    const template = await create(smsInput({ name: 'To archive' }));
    const deleted = await h.graphql(DELETE, { id: template.id }, admin);
    expect(deleted.data!.deleteTemplate).toMatchObject({ sendable: false, archivedAt: expect.any(String) });

    const read = await h.graphql(GET, { id: template.id }, agent);
    expect(read.data!.template.archivedAt).not.toBeNull();
    const live = await h.graphql(LIST, { filter: { search: 'To archive' } }, agent);
    expect(live.data!.templates.totalCount).toBe(0);
    const archived = await h.graphql(LIST, { filter: { search: 'To archive', archived: true } }, agent);
    expect(archived.data!.templates.edges.map((e: any) => e.node.id)).toEqual([template.id]);

    const edit = await h.graphql(UPDATE, { id: template.id, input: { name: 'Nope' } }, agent);
    expect(edit.errors?.[0]?.extensions?.code).toBe('CONFLICT');
    const send = await h.graphql(RENDER, { id: template.id, variables: { code: 1 }, forSending: true }, agent);
    expect(send.errors?.[0]?.extensions?.code).toBe('CONFLICT');
    const again = await h.graphql(DELETE, { id: template.id }, admin);
    expect(again.errors).toBeUndefined();
    await create(smsInput({ name: 'To archive' }));
  });
});

describe('templates (list)', () => {
  let org: Member;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    org = h.member('ADMIN');
    for (const [key, input] of [
      ['email', emailInput({ name: 'List email' })],
      ['sms', smsInput({ name: 'List sms_100%' })],
      ['wa1', whatsappInput({ name: 'list_wa_one' })],
      ['wa2', whatsappInput({ name: 'list_wa_two' })],
    ] as const) {
      ids[key] = (await create(input as Record<string, unknown>, org)).id;
    }
  });

  const list = async (variables: Record<string, unknown>) => {
    const result = await h.graphql(LIST, variables, org);
    expect(result.errors).toBeUndefined();
    return result.data!.templates;
  };

  it('lists the organization’s templates, newest first', async () => {
    const page = await list({});
    expect(page.totalCount).toBe(4);
    expect(page.edges.map((e: any) => e.node.id)).toEqual([ids.wa2, ids.wa1, ids.sms, ids.email]);
  });

  it('filters by channel, status, sendable and search (wildcards are literal)', async () => {
    expect((await list({ filter: { channel: 'WHATSAPP' } })).totalCount).toBe(2);
    expect((await list({ filter: { status: 'ACTIVE' } })).edges.map((e: any) => e.node.id).sort()).toEqual([ids.email, ids.sms].sort());
    expect((await list({ filter: { sendable: false } })).totalCount).toBe(2);
    expect((await list({ filter: { sendable: true, channel: 'SMS' } })).totalCount).toBe(1);
    expect((await list({ filter: { search: 'WA_T' } })).edges.map((e: any) => e.node.id)).toEqual([ids.wa2]);
    expect((await list({ filter: { search: '100%' } })).edges.map((e: any) => e.node.id)).toEqual([ids.sms]);
    expect((await list({ filter: { search: 'list_wa%' } })).totalCount).toBe(0);
    expect((await list({ filter: { search: 'list_wa_' } })).totalCount).toBe(2);
  });

  it('pages with first/after', async () => {
    const first = await list({ first: 3 });
    expect(first.edges).toHaveLength(3);
    expect(first.pageInfo.hasNextPage).toBe(true);
    const second = await list({ first: 3, after: first.pageInfo.endCursor });
    expect(second.edges.map((e: any) => e.node.id)).toEqual([ids.email]);
    expect(second.pageInfo).toEqual({ hasNextPage: false, hasPreviousPage: true, startCursor: second.edges[0].cursor, endCursor: second.edges[0].cursor });
    expect(first.pageInfo).toMatchObject({ hasPreviousPage: false, startCursor: first.edges[0].cursor });
  });

  it('refuses a bad cursor or page size with the field named', async () => {
    const cursor = await h.graphql(LIST, { after: 'garbage' }, org);
    expect(cursor.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'after' });
    const size = await h.graphql(LIST, { first: 1000 }, org);
    expect(size.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'first' });
  });
});
