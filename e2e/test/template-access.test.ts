/* eslint-disable @typescript-eslint/no-explicit-any -- GraphQL responses are untyped JSON. */
import { randomUUID } from 'node:crypto';
import { inviteAndJoin, registerUser, startTestSystem, type GraphQLResponse, type SeededUser, type TestSystem } from '@switchboard/testkit';

/**
 * Who may do what with templates, through the gateway: the role matrix (VIEWER reads and renders;
 * AGENT creates, edits, submits; ADMIN approves and deletes), tenant isolation (another
 * organization's template is NOT_FOUND everywhere, exactly like an unknown id) and bad input
 * (placeholder gaps, unknown variables, wrong types) answered with clear typed errors — never a 500.
 */

type Role = 'OWNER' | 'ADMIN' | 'AGENT' | 'VIEWER';
const ROLES: Role[] = ['OWNER', 'ADMIN', 'AGENT', 'VIEWER'];
const RANK: Record<Role, number> = { OWNER: 4, ADMIN: 3, AGENT: 2, VIEWER: 1 };

let system: TestSystem;
const actors = {} as Record<Role, SeededUser>;
let stranger: SeededUser;

const CREATE = `mutation ($input: CreateTemplateInput!) { createTemplate(input: $input) { id status } }`;
const GET = `query ($id: ID!) { template(id: $id) { id name status sendable archivedAt latestVersion { version status } } }`;
const LIST = `{ templates { totalCount edges { node { id } } } }`;
const RENDER = `query ($id: ID!, $variables: JSON!, $forSending: Boolean) {
  renderTemplate(id: $id, variables: $variables, forSending: $forSending) { __typename ... on RenderedSms { body } ... on RenderedWhatsApp { body } }
}`;
const UPDATE = `mutation ($id: ID!, $input: UpdateTemplateInput!) { updateTemplate(id: $id, input: $input) { id name latestVersion { version } } }`;
const SUBMIT = `mutation ($id: ID!) { submitTemplateForApproval(id: $id) { id status } }`;
const SET_STATUS = `mutation ($id: ID!, $status: TemplateStatus!) { setTemplateApprovalStatus(id: $id, status: $status) { id status } }`;
const DELETE = `mutation ($id: ID!) { deleteTemplate(id: $id) { id archivedAt } }`;

let sequence = 0;
const sms = () => ({ channel: 'SMS', name: `Access sms ${(sequence += 1)}`, variables: [{ name: 'code', type: 'NUMBER', example: 1 }], sms: { body: 'Code {{code}}' } });
const whatsapp = () => ({
  channel: 'WHATSAPP',
  name: `access_wa_${(sequence += 1)}`,
  language: 'en',
  variables: [{ name: '1', example: 'Ann' }],
  whatsapp: { category: 'UTILITY', body: 'Hello {{1}}, thanks!' },
});

const as = (user: SeededUser | null, query: string, variables: Record<string, unknown> = {}) =>
  system.graphql(query, variables, user ? { token: user.accessToken } : {});

function ok(result: GraphQLResponse): any {
  expect({ status: result.status, errors: result.errors }).toEqual({ status: 200, errors: undefined });
  return Object.values(result.data as Record<string, unknown>)[0];
}
const codeOf = (result: GraphQLResponse) => result.errors?.[0]?.extensions?.code;

async function smsTemplate(owner: SeededUser = actors.OWNER): Promise<string> {
  return ok(await as(owner, CREATE, { input: sms() })).id;
}
async function pendingWhatsApp(owner: SeededUser = actors.OWNER): Promise<string> {
  const id = ok(await as(owner, CREATE, { input: whatsapp() })).id;
  ok(await as(owner, SUBMIT, { id }));
  return id;
}

beforeAll(async () => {
  system = await startTestSystem();
  actors.OWNER = await registerUser(system, { organizationName: 'Access Co' });
  for (const role of ['ADMIN', 'AGENT', 'VIEWER'] as const) actors[role] = await inviteAndJoin(system, actors.OWNER, role);
  stranger = await registerUser(system, { organizationName: 'Someone Else' });
});
afterAll(async () => {
  await system?.close();
});

interface Operation {
  name: string;
  minimum: Role;
  run(actor: SeededUser | null): Promise<{ result: GraphQLResponse; unchanged: () => Promise<void> }>;
}

const operations: Operation[] = [
  { name: 'template', minimum: 'VIEWER', run: async (actor) => ({ result: await as(actor, GET, { id: await smsTemplate() }), unchanged: async () => undefined }) },
  { name: 'templates', minimum: 'VIEWER', run: async (actor) => ({ result: await as(actor, LIST), unchanged: async () => undefined }) },
  {
    name: 'renderTemplate',
    minimum: 'VIEWER',
    run: async (actor) => ({ result: await as(actor, RENDER, { id: await smsTemplate(), variables: { code: 7 } }), unchanged: async () => undefined }),
  },
  {
    name: 'createTemplate',
    minimum: 'AGENT',
    run: async (actor) => {
      const before = ok(await as(actors.OWNER, LIST)).totalCount;
      return {
        result: await as(actor, CREATE, { input: sms() }),
        unchanged: async () => expect(ok(await as(actors.OWNER, LIST)).totalCount).toBe(before),
      };
    },
  },
  {
    name: 'updateTemplate',
    minimum: 'AGENT',
    run: async (actor) => {
      const id = await smsTemplate();
      return {
        result: await as(actor, UPDATE, { id, input: { sms: { body: 'New {{code}}' } } }),
        unchanged: async () => expect(ok(await as(actors.OWNER, GET, { id })).latestVersion.version).toBe(1),
      };
    },
  },
  {
    name: 'submitTemplateForApproval',
    minimum: 'AGENT',
    run: async (actor) => {
      const id = ok(await as(actors.OWNER, CREATE, { input: whatsapp() })).id;
      return { result: await as(actor, SUBMIT, { id }), unchanged: async () => expect(ok(await as(actors.OWNER, GET, { id })).status).toBe('DRAFT') };
    },
  },
  {
    name: 'setTemplateApprovalStatus',
    minimum: 'ADMIN',
    run: async (actor) => {
      const id = await pendingWhatsApp();
      return {
        result: await as(actor, SET_STATUS, { id, status: 'APPROVED' }),
        unchanged: async () => expect(ok(await as(actors.OWNER, GET, { id })).status).toBe('PENDING'),
      };
    },
  },
  {
    name: 'deleteTemplate',
    minimum: 'ADMIN',
    run: async (actor) => {
      const id = await smsTemplate();
      return { result: await as(actor, DELETE, { id }), unchanged: async () => expect(ok(await as(actors.OWNER, GET, { id })).archivedAt).toBeNull() };
    },
  },
];

describe('role matrix', () => {
  const cases = operations.flatMap((operation) => ROLES.map((role) => [operation.name, role, operation] as const));

  it.each(cases)('%s as %s', async (_name, role, operation) => {
    const { result, unchanged } = await operation.run(actors[role]);
    expect(result.status).toBe(200);
    if (RANK[role] >= RANK[operation.minimum]) {
      expect(result.errors).toBeUndefined();
    } else {
      expect(codeOf(result)).toBe('FORBIDDEN');
      expect(result.errors?.[0]?.message).toBe(`This needs the ${operation.minimum} role or higher; you are ${role}`);
      await unchanged();
    }
  });

  it.each(operations.map((o) => [o.name, o] as const))('%s without a token is UNAUTHENTICATED', async (_name, operation) => {
    const { result, unchanged } = await operation.run(null);
    expect(codeOf(result)).toBe('UNAUTHENTICATED');
    await unchanged();
  });
});

describe('tenant isolation', () => {
  const foreign: [string, string, (id: string) => Record<string, unknown>][] = [
    ['template', GET, (id) => ({ id })],
    ['renderTemplate', RENDER, (id) => ({ id, variables: { '1': 'x' } })],
    ['renderTemplate forSending', RENDER, (id) => ({ id, variables: { '1': 'x' }, forSending: true })],
    ['updateTemplate', UPDATE, (id) => ({ id, input: { name: 'taken_over' } })],
    ['submitTemplateForApproval', SUBMIT, (id) => ({ id })],
    ['setTemplateApprovalStatus', SET_STATUS, (id) => ({ id, status: 'APPROVED' })],
    ['deleteTemplate', DELETE, (id) => ({ id })],
  ];

  it.each(foreign)('%s on another organization’s template: NOT_FOUND like an unknown id; nothing changes', async (_name, query, variables) => {
    const id = await pendingWhatsApp(stranger);
    const before = ok(await as(stranger, GET, { id }));
    const results = [await as(actors.OWNER, query, variables(id)), await as(actors.OWNER, query, variables(randomUUID()))];
    for (const result of results) {
      expect(result.status).toBe(200);
      expect(result.errors).toHaveLength(1);
      expect(result.errors?.[0]?.extensions).toMatchObject({ code: 'NOT_FOUND', entity: 'Template' });
    }
    expect(results[0]!.errors?.[0]?.message).toBe(`Template ${id} not found`);
    expect(ok(await as(stranger, GET, { id }))).toEqual(before);
  });

  it('lists only the caller’s own templates', async () => {
    const mine = await smsTemplate(stranger);
    const theirs = ok(await as(actors.OWNER, LIST)).edges.map((e: any) => e.node.id);
    expect(theirs).not.toContain(mine);
    expect(ok(await as(stranger, LIST)).edges.map((e: any) => e.node.id)).toContain(mine);
  });
});

describe('bad input: clear typed errors, never a 500', () => {
  it('a WhatsApp placeholder gap is BAD_USER_INPUT naming the missing number and field', async () => {
    const result = await as(actors.AGENT, CREATE, {
      input: { ...whatsapp(), variables: [{ name: '1' }, { name: '2' }, { name: '4' }], whatsapp: { category: 'UTILITY', body: 'Hi {{1}}, {{2}} and {{4}}.' } },
    });
    expect(result.status).toBe(200);
    expect(result.errors?.[0]).toMatchObject({
      message: 'Placeholder {{3}} is missing: WhatsApp placeholders run from {{1}} to {{4}} with no gap',
      extensions: { code: 'BAD_USER_INPUT', field: 'whatsapp.body' },
    });
  });

  it('unknown, missing and mistyped variables are named in extensions', async () => {
    const id = await smsTemplate();
    const result = await as(actors.VIEWER, RENDER, { id, variables: { code: 'abc', coupon: 'X', extra_field: true } });
    expect(result.status).toBe(200);
    expect(result.errors?.[0]?.extensions).toEqual({
      code: 'BAD_USER_INPUT',
      field: 'variables',
      missing: [],
      extra: ['coupon', 'extra_field'],
      mistyped: [{ name: 'code', expected: 'NUMBER', reason: 'expected a number, got a string' }],
    });
    const missing = await as(actors.VIEWER, RENDER, { id, variables: {} });
    expect(missing.errors?.[0]?.extensions).toMatchObject({ missing: ['code'], extra: [], mistyped: [] });
  });

  it.each([
    ['named placeholder in WhatsApp', { ...whatsapp(), variables: [], whatsapp: { category: 'UTILITY', body: 'Hi {{name}} there' } }, 'whatsapp.body'],
    ['undeclared placeholder', { ...sms(), variables: [], sms: { body: 'Hi {{name}}' } }, 'variables'],
    ['unclosed placeholder', { ...sms(), variables: [], sms: { body: 'Hi {{name' } }, 'sms.body'],
    ['bad WhatsApp name', { ...whatsapp(), name: 'Spring Sale!' }, 'name'],
    ['missing language', { ...whatsapp(), language: null }, 'language'],
    ['two header variables', { ...whatsapp(), variables: [{ name: '1' }, { name: '2' }], whatsapp: { category: 'UTILITY', header: { text: '{{1}} {{2}}' }, body: 'Hello {{1}} and {{2}}!' } }, 'whatsapp.header.text'],
    ['script placeholder', { channel: 'EMAIL', name: 'x', variables: [{ name: 'a' }], email: { subject: 's', html: '<script>var a = "{{a}}"</script>' } }, 'email.html'],
    ['example of the wrong type', { ...sms(), variables: [{ name: 'code', type: 'DATE', example: 'soon' }] }, 'variables[0].example'],
    ['missing content', { channel: 'EMAIL', name: 'No content' }, 'email'],
  ])('%s → BAD_USER_INPUT on %s', async (_name, input, field) => {
    const result = await as(actors.AGENT, CREATE, { input });
    expect(result.status).toBe(200);
    expect(result.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
  });

  it('a value of the wrong GraphQL type is a validation error, not a 500', async () => {
    const result = await as(actors.AGENT, CREATE, { input: { ...sms(), channel: 'FAX' } });
    expect(result.status).toBeLessThan(500);
    expect(codeOf(result)).not.toBe('INTERNAL_SERVER_ERROR');
    const bad = await as(actors.VIEWER, GET, { id: 'definitely-not-a-uuid' });
    expect(codeOf(bad)).toBe('NOT_FOUND');
  });
});
