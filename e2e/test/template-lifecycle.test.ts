/* eslint-disable @typescript-eslint/no-explicit-any -- GraphQL responses are untyped JSON. */
import { registerUser, startTestSystem, type GraphQLResponse, type SeededUser, type TestSystem } from '@switchboard/testkit';

/**
 * Templates through the gateway, as a client uses them: create per channel, read, list, render,
 * edit, WhatsApp approval (submit → approve → edit while approved → pause → resume), delete —
 * and a write is visible on the very next read (templates are cached in Redis by id).
 */

let system: TestSystem;
let owner: SeededUser;

const TEMPLATE = `
  id channel name language status sendable archivedAt
  content {
    __typename
    ... on EmailTemplateContent { subject html text }
    ... on SmsTemplateContent { body preview encoding segments units nonGsmCharacters }
    ... on WhatsAppTemplateContent { category header { text } body footer buttons { type text url phoneNumber } providerDefinition }
  }
  variables { name type example }
  latestVersion { version status statusReason }
  activeVersion { version status }
`;
const RENDERED = `
  __typename
  ... on RenderedEmail { version subject html text }
  ... on RenderedSms { version body encoding segments units nonGsmCharacters }
  ... on RenderedWhatsApp { version name language header body footer buttons { url } components cloudApiTemplate }
`;
const CREATE = `mutation ($input: CreateTemplateInput!) { createTemplate(input: $input) { ${TEMPLATE} } }`;
const UPDATE = `mutation ($id: ID!, $input: UpdateTemplateInput!) { updateTemplate(id: $id, input: $input) { ${TEMPLATE} } }`;
const GET = `query ($id: ID!) { template(id: $id) { ${TEMPLATE} versions { version status } } }`;
const LIST = `query ($filter: TemplateFilter, $first: Int, $after: String) {
  templates(filter: $filter, first: $first, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { node { id name } } }
}`;
const RENDER = `query ($id: ID!, $variables: JSON!, $forSending: Boolean) {
  renderTemplate(id: $id, variables: $variables, forSending: $forSending) { ${RENDERED} }
}`;
const SUBMIT = `mutation ($id: ID!) { submitTemplateForApproval(id: $id) { ${TEMPLATE} } }`;
const SET_STATUS = `mutation ($id: ID!, $status: TemplateStatus!, $reason: String) {
  setTemplateApprovalStatus(id: $id, status: $status, reason: $reason) { ${TEMPLATE} }
}`;
const DELETE = `mutation ($id: ID!) { deleteTemplate(id: $id) { id archivedAt sendable } }`;

function ok(result: GraphQLResponse): any {
  expect({ status: result.status, errors: result.errors }).toEqual({ status: 200, errors: undefined });
  return Object.values(result.data as Record<string, unknown>)[0];
}

const call = (query: string, variables: Record<string, unknown> = {}) => system.graphql(query, variables, { token: owner.accessToken });

beforeAll(async () => {
  system = await startTestSystem();
  owner = await registerUser(system, { organizationName: 'Templates Inc' });
});
afterAll(async () => {
  await system?.close();
});

describe('email templates', () => {
  let id: string;

  it('creates, reads and renders with escaping', async () => {
    const created = ok(
      await call(CREATE, {
        input: {
          channel: 'EMAIL',
          name: 'Welcome',
          variables: [
            { name: 'first_name', example: 'Ann' },
            { name: 'link', type: 'URL' },
          ],
          email: {
            subject: 'Welcome {{first_name}}',
            html: '<h1>Hi {{first_name}}</h1><a href="{{link}}" title="{{first_name}}">Start</a>',
            text: 'Hi {{first_name}} — {{link}}',
          },
        },
      }),
    );
    id = created.id;
    expect(created).toMatchObject({ channel: 'EMAIL', status: 'ACTIVE', sendable: true, latestVersion: { version: 1 } });
    expect(ok(await call(GET, { id }))).toMatchObject({ id, name: 'Welcome', content: { subject: 'Welcome {{first_name}}' } });

    const rendered = ok(await call(RENDER, { id, variables: { first_name: '<img src=x onerror=alert(1)>"', link: 'https://a.test/?x=1&y=2' } }));
    expect(rendered).toEqual({
      __typename: 'RenderedEmail',
      version: 1,
      subject: 'Welcome <img src=x onerror=alert(1)>"',
      html: '<h1>Hi &lt;img src=x onerror=alert(1)&gt;&quot;</h1><a href="https://a.test/?x=1&amp;y=2" title="&lt;img src=x onerror=alert(1)&gt;&quot;">Start</a>',
      text: 'Hi <img src=x onerror=alert(1)>" — https://a.test/?x=1&y=2',
    });
  });

  it('shows a write on the very next read and render (cache invalidated)', async () => {
    ok(await call(RENDER, { id, variables: { first_name: 'Ann', link: 'https://a.test' } })); // warms the cache
    ok(await call(GET, { id }));
    const updated = ok(
      await call(UPDATE, { id, input: { name: 'Welcome v2', email: { subject: 'Hello {{first_name}}!', html: '<p>{{first_name}} <a href="{{link}}">go</a></p>' } } }),
    );
    expect(updated).toMatchObject({ name: 'Welcome v2', latestVersion: { version: 2 }, activeVersion: { version: 2 } });
    expect(ok(await call(GET, { id }))).toMatchObject({ name: 'Welcome v2', content: { subject: 'Hello {{first_name}}!', text: null } });
    expect(ok(await call(RENDER, { id, variables: { first_name: 'Ann', link: 'https://a.test' } }))).toMatchObject({
      version: 2,
      subject: 'Hello Ann!',
      text: null,
    });
  });
});

describe('SMS templates', () => {
  it('shows encoding and segments on the template and on the rendered message', async () => {
    const created = ok(
      await call(CREATE, {
        input: { channel: 'SMS', name: 'Reminder', variables: [{ name: 'name', example: 'Ann' }], sms: { body: 'Hi {{name}}, see you at 10:00 [room 4]' } },
      }),
    );
    // [ and ] are GSM extension characters: 2 septets each.
    expect(created.content).toEqual({
      __typename: 'SmsTemplateContent',
      body: 'Hi {{name}}, see you at 10:00 [room 4]',
      preview: 'Hi Ann, see you at 10:00 [room 4]',
      encoding: 'GSM_7',
      segments: 1,
      units: 35,
      nonGsmCharacters: [],
    });
    const rendered = ok(await call(RENDER, { id: created.id, variables: { name: 'Zoë 👋'.repeat(12) } }));
    expect(rendered).toMatchObject({ __typename: 'RenderedSms', encoding: 'UCS_2', segments: 2, nonGsmCharacters: ['ë', '👋'] });
  });
});

describe('WhatsApp templates', () => {
  const whatsapp = {
    category: 'MARKETING',
    header: { text: 'Hello {{1}}' },
    body: 'Hi {{1}}, use code {{2}} for {{3}} off today.',
    footer: 'Reply STOP to opt out',
    buttons: [{ type: 'URL', text: 'Shop', url: 'https://shop.test/c/{{2}}' }, { type: 'PHONE_NUMBER', text: 'Call', phoneNumber: '+14155550100' }],
  };
  const values = { '1': 'Ann', '2': 'SPRING', '3': { amount: 5, currency: 'EUR' } };
  let id: string;

  it('goes DRAFT → PENDING → APPROVED and is sendable only then', async () => {
    const created = ok(
      await call(CREATE, {
        input: {
          channel: 'WHATSAPP',
          name: 'spring_sale',
          language: 'en',
          variables: [{ name: '1', example: 'Ann' }, { name: '2', example: 'SPRING' }, { name: '3', type: 'CURRENCY', example: { amount: 5, currency: 'EUR' } }],
          whatsapp,
        },
      }),
    );
    id = created.id;
    expect(created).toMatchObject({ status: 'DRAFT', sendable: false, activeVersion: null });
    expect(created.content.providerDefinition.components[1]).toEqual({
      type: 'BODY',
      text: 'Hi {{1}}, use code {{2}} for {{3}} off today.',
      example: { body_text: [['Ann', 'SPRING', 'EUR 5']] },
    });

    const refused = await call(RENDER, { id, variables: values, forSending: true });
    expect(refused.status).toBe(200);
    expect(refused.errors?.[0]?.extensions).toMatchObject({ code: 'TEMPLATE_NOT_APPROVED', currentStatus: 'DRAFT' });

    expect(ok(await call(SUBMIT, { id }))).toMatchObject({ status: 'PENDING', sendable: false });
    expect(ok(await call(SET_STATUS, { id, status: 'APPROVED' }))).toMatchObject({ status: 'APPROVED', sendable: true });

    const rendered = ok(await call(RENDER, { id, variables: values, forSending: true }));
    expect(rendered).toMatchObject({
      __typename: 'RenderedWhatsApp',
      name: 'spring_sale',
      header: 'Hello Ann',
      body: 'Hi Ann, use code SPRING for €5.00 off today.',
      buttons: [{ url: 'https://shop.test/c/SPRING' }, { url: null }],
      components: [
        { type: 'header', parameters: [{ type: 'text', text: 'Ann' }] },
        {
          type: 'body',
          parameters: [
            { type: 'text', text: 'Ann' },
            { type: 'text', text: 'SPRING' },
            { type: 'currency', currency: { fallback_value: '€5.00', code: 'EUR', amount_1000: 5000 } },
          ],
        },
        { type: 'button', sub_type: 'url', index: '0', parameters: [{ type: 'text', text: 'SPRING' }] },
      ],
    });
  });

  it('keeps sending the approved version while an edit waits for review', async () => {
    const edited = ok(await call(UPDATE, { id, input: { whatsapp: { ...whatsapp, body: 'Hey {{1}}! Code {{2}} saves {{3}} today.' } } }));
    expect(edited).toMatchObject({ status: 'DRAFT', sendable: true, latestVersion: { version: 2, status: 'DRAFT' }, activeVersion: { version: 1, status: 'APPROVED' } });
    ok(await call(SUBMIT, { id }));
    expect(ok(await call(RENDER, { id, variables: values, forSending: true }))).toMatchObject({ version: 1, body: 'Hi Ann, use code SPRING for €5.00 off today.' });
    const rejected = ok(await call(SET_STATUS, { id, status: 'REJECTED', reason: 'Misleading offer' }));
    expect(rejected).toMatchObject({ status: 'REJECTED', sendable: true, latestVersion: { version: 2, statusReason: 'Misleading offer' }, activeVersion: { version: 1 } });
  });

  it('pauses and resumes the approved version; illegal moves are CONFLICT naming the state', async () => {
    expect(ok(await call(SET_STATUS, { id, status: 'PAUSED', reason: 'Low quality' }))).toMatchObject({ sendable: false, activeVersion: { status: 'PAUSED' } });
    const paused = await call(RENDER, { id, variables: values, forSending: true });
    expect(paused.errors?.[0]?.extensions).toMatchObject({ code: 'TEMPLATE_NOT_APPROVED', activeStatus: 'PAUSED' });
    expect(ok(await call(SET_STATUS, { id, status: 'APPROVED' }))).toMatchObject({ sendable: true, activeVersion: { status: 'APPROVED' } });

    // Neither the rejected version 2 nor the approved version 1 can become APPROVED: the error names the latest.
    const again = await call(SET_STATUS, { id, status: 'APPROVED' });
    expect(again.errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT', currentStatus: 'REJECTED', version: 2 });
    expect(again.errors?.[0]?.message).toBe('Version 2 is REJECTED: Cannot go from REJECTED to APPROVED; from REJECTED no change is possible');
    const disable = await call(SET_STATUS, { id, status: 'DISABLED', reason: 'Policy' });
    expect(ok(disable)).toMatchObject({ sendable: false, activeVersion: { version: 1, status: 'DISABLED' } });

    const history = ok(await call(GET, { id }));
    expect(history.versions).toEqual([
      { version: 2, status: 'REJECTED' },
      { version: 1, status: 'DISABLED' },
    ]);
  });
});

describe('listing and deleting', () => {
  it('lists, filters and pages; a deleted template leaves the list and cannot be sent', async () => {
    const first = ok(await call(LIST, { first: 2 }));
    expect(first).toMatchObject({ totalCount: 3, pageInfo: { hasNextPage: true } });
    const rest = ok(await call(LIST, { first: 2, after: first.pageInfo.endCursor }));
    expect(rest.pageInfo.hasNextPage).toBe(false);
    const names = [...first.edges, ...rest.edges].map((e: any) => e.node.name);
    expect(names).toEqual(['spring_sale', 'Reminder', 'Welcome v2']);
    expect(ok(await call(LIST, { filter: { channel: 'SMS' } })).edges.map((e: any) => e.node.name)).toEqual(['Reminder']);
    expect(ok(await call(LIST, { filter: { search: 'welcome' } })).edges.map((e: any) => e.node.name)).toEqual(['Welcome v2']);
    expect(ok(await call(LIST, { filter: { status: 'APPROVED' } })).totalCount).toBe(0); // latest version of spring_sale is REJECTED
    expect(ok(await call(LIST, { filter: { sendable: true } })).totalCount).toBe(2);
    expect(ok(await call(LIST, { filter: { sendable: false } })).edges.map((e: any) => e.node.name)).toEqual(['spring_sale']);

    const reminder = first.edges[1].node.id;
    expect(ok(await call(DELETE, { id: reminder }))).toMatchObject({ id: reminder, sendable: false, archivedAt: expect.any(String) });
    expect(ok(await call(LIST, {})).totalCount).toBe(2);
    expect(ok(await call(LIST, { filter: { archived: true } })).edges.map((e: any) => e.node.id)).toEqual([reminder]);
    const send = await call(RENDER, { id: reminder, variables: { name: 'Ann' }, forSending: true });
    expect(send.errors?.[0]?.extensions?.code).toBe('CONFLICT');
    expect(ok(await call(GET, { id: reminder })).archivedAt).not.toBeNull();
  });
});
