import { TemplateCache } from '../src/store/template-cache';
import { CREATE, DELETE, GET, LIST, RENDER, SET_STATUS, SUBMIT, UPDATE, emailInput, smsInput, whatsappInput } from './operations';
import { startTemplateSubgraph, type Member, type TemplateSubgraphHarness } from './harness';

let h: TemplateSubgraphHarness;
let owner: Member;
let emailId: string;
let smsId: string;
let whatsappId: string;

beforeAll(async () => {
  h = await startTemplateSubgraph();
  owner = h.member('OWNER');
  const create = async (input: Record<string, unknown>) => {
    const result = await h.graphql(CREATE, { input }, owner);
    if (result.errors) throw new Error(JSON.stringify(result.errors));
    return result.data!.createTemplate.id as string;
  };
  emailId = await create(emailInput());
  smsId = await create(smsInput());
  whatsappId = await create(whatsappInput());
});
afterAll(() => h?.close());

const render = (id: string, variables: unknown, as: Member = owner, extra: Record<string, unknown> = {}) =>
  h.graphql(RENDER, { id, variables, ...extra }, as);

describe('renderTemplate', () => {
  it('renders an email with HTML escaped where it stands and the text body as is', async () => {
    const result = await render(emailId, { first_name: '<script>alert("x")</script>', link: 'https://app.example.test/start?a=1&b=2' });
    expect(result.errors).toBeUndefined();
    expect(result.data!.renderTemplate).toEqual({
      __typename: 'RenderedEmail',
      templateId: emailId,
      version: 1,
      subject: 'Welcome, <script>alert("x")</script>',
      html:
        '<p>Hi &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;,</p>' +
        '<p><a href="https://app.example.test/start?a=1&amp;b=2" title="Start, &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;">Get started</a></p>',
      text: 'Hi <script>alert("x")</script>, get started: https://app.example.test/start?a=1&b=2',
    });
  });

  it('keeps a quote-carrying value inside its attribute', async () => {
    const result = await render(emailId, { first_name: '" onmouseover="steal()', link: 'https://x.test' });
    expect(result.data!.renderTemplate.html).toContain('title="Start, &quot; onmouseover=&quot;steal()"');
  });

  it('names every missing, extra and mistyped variable in extensions', async () => {
    const result = await render(emailId, { link: 'javascript:alert(1)', last_name: 'B', plan: 'pro' });
    expect(result.status).toBe(200);
    expect(result.errors?.[0]).toEqual({
      message:
        'Variables do not match the template: missing first_name; not declared by the template last_name, plan; link should be URL (expected an http or https URL)',
      path: ['renderTemplate'],
      locations: expect.any(Array),
      extensions: {
        code: 'BAD_USER_INPUT',
        field: 'variables',
        missing: ['first_name'],
        extra: ['last_name', 'plan'],
        mistyped: [{ name: 'link', expected: 'URL', reason: 'expected an http or https URL' }],
      },
    });
  });

  it('refuses variables that are not an object', async () => {
    const result = await render(emailId, 'Ann');
    expect(result.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'variables' });
  });

  it('renders an SMS with the encoding and segments of the real message', async () => {
    const result = await render(smsId, { code: 987654 });
    expect(result.data!.renderTemplate).toEqual({
      __typename: 'RenderedSms',
      templateId: smsId,
      version: 1,
      body: 'Your code is 987654. It expires in 10 minutes.',
      encoding: 'GSM_7',
      segments: 1,
      units: 46,
      nonGsmCharacters: [],
    });
    const mistyped = await render(smsId, { code: 'soon' });
    expect(mistyped.errors?.[0]?.extensions?.mistyped).toEqual([{ name: 'code', expected: 'NUMBER', reason: 'expected a number, got a string' }]);
  });

  it('previews a WhatsApp DRAFT (values as a list too) but refuses it for sending', async () => {
    const preview = await render(whatsappId, ['Ann', 'A-7', { amount: 3, currency: 'EUR' }]);
    expect(preview.data!.renderTemplate).toMatchObject({ __typename: 'RenderedWhatsApp', body: 'Hi Ann, your order A-7 of €3.00 has shipped.' });
    const send = await render(whatsappId, ['Ann', 'A-7', { amount: 3, currency: 'EUR' }], owner, { forSending: true });
    expect(send.errors?.[0]?.extensions?.code).toBe('TEMPLATE_NOT_APPROVED');
    const both = await render(whatsappId, [], owner, { forSending: true, version: 1 });
    expect(both.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'version' });
    const noVersion = await render(whatsappId, [], owner, { version: 9 });
    expect(noVersion.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'version' });
  });
});

describe('Redis cache of templates by id', () => {
  it('serves reads from Redis and drops the entry on every write: the write is visible on the next read', async () => {
    const created = await h.graphql(CREATE, { input: smsInput({ name: 'Cached SMS' }) }, owner);
    const id = created.data!.createTemplate.id;
    const key = TemplateCache.entryKey(owner.organizationId, id);

    await render(id, { code: 1 });
    expect(await h.redis.exists(key)).toBe(1);

    // Change the row behind the cache's back: reads still come from Redis.
    await h.prisma.template.update({ where: { id }, data: { name: 'Changed behind the cache' } });
    expect((await h.graphql(GET, { id }, owner)).data!.template.name).toBe('Cached SMS');

    // A write through the API drops the entry: the next read sees the write.
    const updated = await h.graphql(UPDATE, { id, input: { sms: { body: 'New code {{code}}' } } }, owner);
    expect(updated.errors).toBeUndefined();
    expect(await h.redis.exists(key)).toBe(0);
    const rendered = await render(id, { code: 2 });
    expect(rendered.data!.renderTemplate).toMatchObject({ body: 'New code 2', version: 2 });
    expect((await h.graphql(GET, { id }, owner)).data!.template.name).toBe('Changed behind the cache');
  });

  it('invalidates on submit, status change and delete too', async () => {
    const created = await h.graphql(CREATE, { input: whatsappInput({ name: 'cached_wa' }) }, owner);
    const id = created.data!.createTemplate.id;
    const status = async () => (await h.graphql(GET, { id }, owner)).data!.template.status;
    expect(await status()).toBe('DRAFT');
    await h.graphql(SUBMIT, { id }, owner);
    expect(await status()).toBe('PENDING');
    await h.graphql(SET_STATUS, { id, status: 'APPROVED' }, owner);
    expect(await status()).toBe('APPROVED');
    await h.graphql(DELETE, { id }, owner);
    expect((await h.graphql(GET, { id }, owner)).data!.template.archivedAt).not.toBeNull();
  });

  it('keeps answering when the cache is switched off', async () => {
    const uncached = await startTemplateSubgraph({ cache: false });
    try {
      const member = uncached.member('AGENT');
      const created = await uncached.graphql(CREATE, { input: smsInput() }, member);
      const id = created.data!.createTemplate.id;
      expect((await uncached.graphql(RENDER, { id, variables: { code: 5 } }, member)).data!.renderTemplate.body).toContain('5');
      expect(await uncached.redis.exists(TemplateCache.entryKey(member.organizationId, id))).toBe(0);
    } finally {
      await uncached.close();
    }
  });
});

describe('roles', () => {
  it('lets a VIEWER read and render, nothing else', async () => {
    const viewer = h.member('VIEWER', owner.organizationId);
    expect((await h.graphql(GET, { id: emailId }, viewer)).errors).toBeUndefined();
    expect((await h.graphql(LIST, {}, viewer)).errors).toBeUndefined();
    expect((await render(smsId, { code: 1 }, viewer)).errors).toBeUndefined();
    for (const [query, variables] of [
      [CREATE, { input: smsInput({ name: 'viewer' }) }],
      [UPDATE, { id: smsId, input: { name: 'viewer' } }],
      [SUBMIT, { id: whatsappId }],
      [SET_STATUS, { id: whatsappId, status: 'APPROVED' }],
      [DELETE, { id: smsId }],
    ] as const) {
      const result = await h.graphql(query, variables, viewer);
      expect(result.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    }
  });

  it('lets an AGENT create, edit and submit, but not approve or delete', async () => {
    const agent = h.member('AGENT', owner.organizationId);
    const created = await h.graphql(CREATE, { input: whatsappInput({ name: 'agent_made' }) }, agent);
    const id = created.data!.createTemplate.id;
    expect((await h.graphql(UPDATE, { id, input: { whatsapp: { ...whatsappInput().whatsapp, footer: 'f' } } }, agent)).errors).toBeUndefined();
    expect((await h.graphql(SUBMIT, { id }, agent)).errors).toBeUndefined();
    const approve = await h.graphql(SET_STATUS, { id, status: 'APPROVED' }, agent);
    expect(approve.errors?.[0]).toMatchObject({ message: 'This needs the ADMIN role or higher; you are AGENT', extensions: { code: 'FORBIDDEN' } });
    expect((await h.graphql(DELETE, { id }, agent)).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const admin = h.member('ADMIN', owner.organizationId);
    expect((await h.graphql(SET_STATUS, { id, status: 'APPROVED' }, admin)).errors).toBeUndefined();
  });

  it('refuses anonymous callers', async () => {
    const result = await h.graphql(GET, { id: emailId }, { kind: 'anonymous', clientIp: '127.0.0.1', requestId: 'r' });
    expect(result.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });
});

describe('tenant isolation', () => {
  const stranger = () => h.member('OWNER');

  it('answers NOT_FOUND for another organization’s template, on every operation', async () => {
    const other = stranger();
    for (const [query, variables] of [
      [GET, { id: emailId }],
      [RENDER, { id: emailId, variables: {} }],
      [RENDER, { id: smsId, variables: { code: 1 }, forSending: true }],
      [UPDATE, { id: emailId, input: { name: 'mine now' } }],
      [SUBMIT, { id: whatsappId }],
      [SET_STATUS, { id: whatsappId, status: 'APPROVED' }],
      [DELETE, { id: smsId }],
    ] as const) {
      const result = await h.graphql(query, variables, other);
      expect(result.status).toBe(200);
      expect(result.errors?.[0]?.extensions).toMatchObject({ code: 'NOT_FOUND', entity: 'Template' });
    }
    expect((await h.graphql(LIST, {}, other)).data!.templates.totalCount).toBe(0);
    // Nothing changed for the owner.
    expect((await h.graphql(GET, { id: smsId }, owner)).data!.template.archivedAt).toBeNull();
  });

  it('resolves federation references only within the caller’s organization', async () => {
    const entities = `query($reps: [_Any!]!) { _entities(representations: $reps) { ... on Template { id name } } }`;
    const reps = [{ __typename: 'Template', id: emailId }, { __typename: 'Template', id: 'garbage' }];
    const mine = await h.graphql(entities, { reps }, owner);
    expect(mine.data!._entities).toEqual([{ id: emailId, name: 'Welcome email' }, null]);
    const theirs = await h.graphql(entities, { reps }, stranger());
    expect(theirs.data!._entities).toEqual([null, null]);
  });

  it('lets two organizations use the same name', async () => {
    const other = stranger();
    const result = await h.graphql(CREATE, { input: emailInput() }, other);
    expect(result.errors).toBeUndefined();
  });
});
