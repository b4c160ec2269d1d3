/* eslint-disable @typescript-eslint/no-explicit-any -- GraphQL responses are untyped JSON. */
import { templateChanged, type PayloadOf } from '@switchboard/events';
import { CREATE, DELETE, GET, SET_STATUS, SUBMIT, UPDATE, emailInput, whatsappInput } from './operations';
import { startTemplateSubgraph, type Member, type TemplateSubgraphHarness } from './harness';

/**
 * The transactional outbox: every template write (create, edit / new version, submit, approval
 * status, archive) appends exactly one `template.changed` row to "template"."outbox" in its own
 * transaction — none for a write that changes nothing or is refused, and no template change
 * without its row.
 */

let h: TemplateSubgraphHarness;
let agent: Member;
let admin: Member;

beforeAll(async () => {
  h = await startTemplateSubgraph();
  agent = h.member('AGENT');
  admin = h.member('ADMIN', agent.organizationId);
});
afterAll(() => h?.close());

type Payload = PayloadOf<typeof templateChanged>;

async function ok(query: string, variables: Record<string, unknown>, as: Member): Promise<any> {
  const result = await h.graphql(query, variables, as);
  if (result.errors) throw new Error(JSON.stringify(result.errors));
  return Object.values(result.data!)[0];
}

/** The template's outbox rows, in the relay's order. */
async function outboxOf(templateId: string) {
  const rows = await h.prisma.templateOutboxEvent.findMany({
    where: { payload: { path: ['templateId'], equals: templateId } },
    orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
  });
  return rows.map((row) => ({ ...row, payload: templateChanged.payload.parse(row.payload) as Payload }));
}

/** Runs `write` and returns the one row it added (fails when it added none or several). */
async function oneRowFrom(templateId: string, write: () => Promise<unknown>) {
  const before = (await outboxOf(templateId)).length;
  await write();
  const rows = await outboxOf(templateId);
  expect(rows.length - before).toBe(1);
  return rows[rows.length - 1]!;
}

async function noRowFrom(templateId: string, write: () => Promise<unknown>) {
  const before = (await outboxOf(templateId)).length;
  await write();
  expect((await outboxOf(templateId)).length).toBe(before);
}

describe('template.changed in the outbox', () => {
  it('a WhatsApp template: one row per write, carrying the state after it and the approved version to send', async () => {
    const input = whatsappInput({ name: 'outbox_lifecycle' });
    const created = await ok(CREATE, { input }, agent);
    const id: string = created.id;

    let rows = await outboxOf(id);
    expect(rows).toHaveLength(1);
    const stored = await h.prisma.template.findUniqueOrThrow({ where: { id } });
    expect(rows[0]).toMatchObject({
      type: 'template.changed',
      organizationId: agent.organizationId,
      traceId: agent.caller.kind === 'user' ? agent.caller.requestId : null,
      publishedAt: null,
      // Created at the template's updatedAt, in the same transaction.
      createdAt: stored.updatedAt,
      payload: {
        templateId: id,
        change: 'CREATED',
        template: {
          channel: 'WHATSAPP',
          name: 'outbox_lifecycle',
          language: 'en_US',
          status: 'DRAFT',
          category: 'UTILITY',
          activeVersionId: null,
          latestVersionId: stored.latestVersionId,
          activeVersion: null,
          archivedAt: null,
          updatedAt: stored.updatedAt.toISOString(),
        },
      },
    });

    // A DRAFT is edited in place.
    const edited = await oneRowFrom(id, () => ok(UPDATE, { id, input: { whatsapp: { ...input.whatsapp, footer: 'New footer' } } }, agent));
    expect(edited.payload).toMatchObject({ change: 'UPDATED', template: { status: 'DRAFT', activeVersion: null } });
    // The same content again changes nothing: no event.
    await noRowFrom(id, () => ok(UPDATE, { id, input: { whatsapp: { ...input.whatsapp, footer: 'New footer' } } }, agent));

    const submitted = await oneRowFrom(id, () => ok(SUBMIT, { id }, agent));
    expect(submitted.payload).toMatchObject({ change: 'STATUS_CHANGED', template: { status: 'PENDING', activeVersion: null } });
    // Refused writes (CONFLICT) write nothing.
    await noRowFrom(id, async () => {
      const refused = await h.graphql(UPDATE, { id, input: { whatsapp: { ...input.whatsapp, body: 'Hi {{1}}, order {{2}} of {{3}} shipped today.' } } }, agent);
      expect(refused.errors?.[0]?.extensions?.code).toBe('CONFLICT');
    });

    // Approval: the approved content and its declared variables become the version to send.
    const approved = await oneRowFrom(id, () => ok(SET_STATUS, { id, status: 'APPROVED' }, admin));
    const v1 = await h.prisma.templateVersion.findFirstOrThrow({ where: { templateId: id, version: 1 } });
    expect(approved.payload.template).toMatchObject({
      status: 'APPROVED',
      activeVersionId: v1.id,
      activeVersion: {
        version: 1,
        content: {
          channel: 'WHATSAPP',
          category: 'UTILITY',
          header: { format: 'TEXT', text: 'Order {{2}}' },
          body: 'Hi {{1}}, your order {{2}} of {{3}} has shipped.',
          footer: 'New footer',
          buttons: [
            { type: 'QUICK_REPLY', text: 'Thanks', url: null, phoneNumber: null },
            { type: 'URL', text: 'Track order', url: 'https://shop.example.test/track/{{2}}', phoneNumber: null },
          ],
        },
        variables: [
          { name: '1', type: 'STRING', example: 'Ann', description: null },
          { name: '2', type: 'STRING', example: 'A-1042', description: null },
          { name: '3', type: 'CURRENCY', example: { amount: 42.5, currency: 'USD' }, description: null },
        ],
      },
    });

    // Editing the approved template starts a DRAFT version 2: the approved version 1 still sends.
    const newDraft = await oneRowFrom(id, () =>
      ok(UPDATE, { id, input: { whatsapp: { ...input.whatsapp, category: 'MARKETING', body: 'Hello {{1}}, order {{2}} of {{3}} is on its way.' } } }, agent),
    );
    expect(newDraft.payload.template).toMatchObject({
      status: 'DRAFT',
      category: 'MARKETING',
      activeVersionId: v1.id,
      activeVersion: { version: 1, content: { body: 'Hi {{1}}, your order {{2}} of {{3}} has shipped.', category: 'UTILITY' } },
    });
    expect(newDraft.payload.template.latestVersionId).not.toBe(v1.id);

    await oneRowFrom(id, () => ok(SUBMIT, { id }, agent));
    const rejected = await oneRowFrom(id, () => ok(SET_STATUS, { id, status: 'REJECTED', reason: 'INVALID_FORMAT' }, admin));
    expect(rejected.payload.template).toMatchObject({ status: 'REJECTED', activeVersion: { version: 1 } });

    // Pausing reaches the approved version 1: nothing is sendable any more.
    const paused = await oneRowFrom(id, () => ok(SET_STATUS, { id, status: 'PAUSED', reason: 'Low quality' }, admin));
    expect(paused.payload.template).toMatchObject({ status: 'REJECTED', activeVersionId: null, activeVersion: null });
    const resumed = await oneRowFrom(id, () => ok(SET_STATUS, { id, status: 'APPROVED', version: 1 }, admin));
    expect(resumed.payload.template).toMatchObject({ activeVersionId: v1.id, activeVersion: { version: 1 } });

    const archived = await oneRowFrom(id, () => ok(DELETE, { id }, admin));
    expect(archived.payload).toMatchObject({ change: 'ARCHIVED', template: { activeVersionId: null, activeVersion: null } });
    expect(archived.payload.template.archivedAt).not.toBeNull();
    // Archiving again changes nothing.
    await noRowFrom(id, () => ok(DELETE, { id }, admin));

    rows = await outboxOf(id);
    expect(rows.map((row) => row.payload.change)).toEqual([
      'CREATED',
      'UPDATED',
      'STATUS_CHANGED',
      'STATUS_CHANGED',
      'UPDATED',
      'STATUS_CHANGED',
      'STATUS_CHANGED',
      'STATUS_CHANGED',
      'STATUS_CHANGED',
      'ARCHIVED',
    ]);
    // One template's events are totally ordered: updatedAt strictly increases, ids (UUIDv7) too,
    // and the relay's order (created_at, id) is the order written.
    const times = rows.map((row) => Date.parse(row.payload.template.updatedAt));
    expect(times.every((t, i) => i === 0 || t > times[i - 1]!)).toBe(true);
    expect(rows.every((row) => row.createdAt.toISOString() === row.payload.template.updatedAt)).toBe(true);
    expect([...rows.map((row) => row.id)].sort()).toEqual(rows.map((row) => row.id));
    // The last event is the template as stored now.
    const now = await ok(GET, { id }, agent);
    expect(rows[rows.length - 1]!.payload.template.updatedAt).toBe(now.updatedAt);
  });

  it('an email template: every content change is a new ACTIVE version that is sent at once', async () => {
    const created = await ok(CREATE, { input: emailInput({ name: 'Outbox email' }) }, agent);
    const [first] = await outboxOf(created.id);
    expect(first!.payload.template).toMatchObject({
      channel: 'EMAIL',
      language: null,
      category: null,
      status: 'ACTIVE',
      activeVersion: { version: 1, content: { channel: 'EMAIL', subject: 'Welcome, {{first_name}}' } },
    });
    const changed = await oneRowFrom(created.id, () =>
      ok(UPDATE, { id: created.id, input: { email: { subject: 'Hello {{first_name}}', html: '<p>{{first_name}}: {{link}}</p>', text: null } } }, agent),
    );
    expect(changed.payload.template).toMatchObject({
      activeVersion: { version: 2, content: { channel: 'EMAIL', subject: 'Hello {{first_name}}', html: '<p>{{first_name}}: {{link}}</p>', text: null } },
    });
    expect(changed.payload.template.activeVersionId).toBe(changed.payload.template.latestVersionId);
    const renamed = await oneRowFrom(created.id, () => ok(UPDATE, { id: created.id, input: { name: 'Outbox email renamed' } }, agent));
    expect(renamed.payload.template).toMatchObject({ name: 'Outbox email renamed', activeVersion: { version: 2 } });
  });

  it('concurrent edits of one template: one row each, in the order they committed', async () => {
    const created = await ok(CREATE, { input: emailInput({ name: 'Outbox concurrent' }) }, agent);
    const subjects = Array.from({ length: 8 }, (_, i) => `Subject ${i} {{first_name}}`);
    await Promise.all(
      subjects.map((subject) => ok(UPDATE, { id: created.id, input: { email: { subject, html: '<p>{{first_name}} {{link}}</p>', text: null } } }, agent)),
    );
    const rows = await outboxOf(created.id);
    expect(rows).toHaveLength(1 + subjects.length);
    expect(rows.map((row) => row.payload.template.activeVersion?.version)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const times = rows.map((row) => Date.parse(row.payload.template.updatedAt));
    expect(times.every((t, i) => i === 0 || t > times[i - 1]!)).toBe(true);
    const final = await ok(GET, { id: created.id }, agent);
    expect(rows[rows.length - 1]!.payload.template.activeVersion?.content).toMatchObject({ subject: final.content.subject });
  });

  describe('the event and the change commit together', () => {
    // A trigger that makes inserting an outbox row fail, in this test file's own database.
    beforeAll(async () => {
      await h.prisma.$executeRawUnsafe(`
        CREATE FUNCTION "template".refuse_outbox() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN RAISE EXCEPTION 'outbox refused by the test'; END $$`);
    });
    const refuse = () =>
      h.prisma.$executeRawUnsafe(`CREATE TRIGGER refuse_outbox BEFORE INSERT ON "template"."outbox" FOR EACH ROW EXECUTE FUNCTION "template".refuse_outbox()`);
    const allow = () => h.prisma.$executeRawUnsafe(`DROP TRIGGER IF EXISTS refuse_outbox ON "template"."outbox"`);
    afterEach(allow);

    it('when the outbox row cannot be written, the template write is rolled back', async () => {
      const created = await ok(CREATE, { input: whatsappInput({ name: 'outbox_atomic' }) }, agent);
      const before = await h.prisma.template.findUniqueOrThrow({ where: { id: created.id }, include: { latestVersion: true } });

      await refuse();
      const submit = await h.graphql(SUBMIT, { id: created.id }, agent);
      expect(submit.errors?.[0]?.extensions?.code).toBe('INTERNAL_SERVER_ERROR');
      const create = await h.graphql(CREATE, { input: whatsappInput({ name: 'outbox_atomic_new' }) }, agent);
      expect(create.errors?.[0]?.extensions?.code).toBe('INTERNAL_SERVER_ERROR');
      await allow();

      const after = await h.prisma.template.findUniqueOrThrow({ where: { id: created.id }, include: { latestVersion: true } });
      expect(after).toEqual(before);
      expect(after.latestVersion?.status).toBe('DRAFT');
      expect(await h.prisma.templateStatusChange.count({ where: { versionId: before.latestVersionId!, toStatus: 'PENDING' } })).toBe(0);
      expect(await h.prisma.template.count({ where: { name: 'outbox_atomic_new' } })).toBe(0);
      expect(await outboxOf(created.id)).toHaveLength(1);

      // With the outbox back, the same write goes through with its row.
      const submitted = await oneRowFrom(created.id, () => ok(SUBMIT, { id: created.id }, agent));
      expect(submitted.payload.template.status).toBe('PENDING');
    });
  });
});
