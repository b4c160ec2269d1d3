/* eslint-disable @typescript-eslint/no-explicit-any -- GraphQL responses are untyped JSON. */
import { CREATE, GET, RENDER, SET_STATUS, SUBMIT, UPDATE, VERSIONS, emailInput, whatsappInput } from './operations';
import { startTemplateSubgraph, type Member, type TemplateSubgraphHarness } from './harness';

let h: TemplateSubgraphHarness;
let agent: Member;
let admin: Member;
let sequence = 0;

beforeAll(async () => {
  h = await startTemplateSubgraph();
  agent = h.member('AGENT');
  admin = h.member('ADMIN', agent.organizationId);
});
afterAll(() => h?.close());

async function ok(query: string, variables: Record<string, unknown>, as: Member): Promise<any> {
  const result = await h.graphql(query, variables, as);
  if (result.errors) throw new Error(JSON.stringify(result.errors));
  return Object.values(result.data!)[0];
}

async function whatsappTemplate(): Promise<string> {
  sequence += 1;
  return (await ok(CREATE, { input: whatsappInput({ name: `approval_${sequence}` }) }, agent)).id;
}

const setStatus = (id: string, status: string, reason?: string, version?: number) =>
  h.graphql(SET_STATUS, { id, status, reason, version }, admin);

const VALUES = { '1': 'Ann', '2': 'A-1042', '3': { amount: 42.5, currency: 'USD' } };

describe('WhatsApp approval lifecycle', () => {
  it('DRAFT → PENDING → APPROVED: the template becomes sendable and renders for sending', async () => {
    const id = await whatsappTemplate();
    const notYet = await h.graphql(RENDER, { id, variables: VALUES, forSending: true }, agent);
    expect(notYet.errors?.[0]).toMatchObject({
      message: 'Template approval_1 cannot be sent before WhatsApp approves it (it is DRAFT)',
      extensions: { code: 'TEMPLATE_NOT_APPROVED', currentStatus: 'DRAFT', activeStatus: null },
    });

    const submitted = await ok(SUBMIT, { id }, agent);
    expect(submitted).toMatchObject({ status: 'PENDING', sendable: false, latestVersion: { version: 1, status: 'PENDING' } });
    const pending = await h.graphql(RENDER, { id, variables: VALUES, forSending: true }, agent);
    expect(pending.errors?.[0]?.extensions).toMatchObject({ code: 'TEMPLATE_NOT_APPROVED', currentStatus: 'PENDING' });

    const approved = (await setStatus(id, 'APPROVED')).data!.setTemplateApprovalStatus;
    expect(approved).toMatchObject({ status: 'APPROVED', sendable: true, activeVersion: { version: 1, status: 'APPROVED' } });

    const rendered = await ok(RENDER, { id, variables: VALUES, forSending: true }, agent);
    expect(rendered).toMatchObject({
      __typename: 'RenderedWhatsApp',
      version: 1,
      header: 'Order A-1042',
      body: 'Hi Ann, your order A-1042 of $42.50 has shipped.',
      cloudApiTemplate: {
        name: 'approval_1',
        language: { policy: 'deterministic', code: 'en_US' },
        components: [
          { type: 'header', parameters: [{ type: 'text', text: 'A-1042' }] },
          {
            type: 'body',
            parameters: [
              { type: 'text', text: 'Ann' },
              { type: 'text', text: 'A-1042' },
              { type: 'currency', currency: { fallback_value: '$42.50', code: 'USD', amount_1000: 42500 } },
            ],
          },
          { type: 'button', sub_type: 'url', index: '1', parameters: [{ type: 'text', text: 'A-1042' }] },
        ],
      },
    });
  });

  it('PENDING → REJECTED needs a reason, which is kept; a rejected version cannot be resubmitted', async () => {
    const id = await whatsappTemplate();
    await ok(SUBMIT, { id }, agent);
    const noReason = await setStatus(id, 'REJECTED');
    expect(noReason.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'reason' });

    const rejected = (await setStatus(id, 'REJECTED', 'Promotional content in a UTILITY template')).data!.setTemplateApprovalStatus;
    expect(rejected).toMatchObject({
      status: 'REJECTED',
      sendable: false,
      latestVersion: { status: 'REJECTED', statusReason: 'Promotional content in a UTILITY template' },
    });
    const resubmit = await h.graphql(SUBMIT, { id }, agent);
    expect(resubmit.errors?.[0]).toMatchObject({
      message: expect.stringContaining('the latest version is REJECTED'),
      extensions: { code: 'CONFLICT', currentStatus: 'REJECTED' },
    });

    // Editing starts version 2 as a DRAFT, which can be submitted.
    const edited = await ok(UPDATE, { id, input: { whatsapp: { ...whatsappInput().whatsapp, category: 'MARKETING' } } }, agent);
    expect(edited).toMatchObject({ status: 'DRAFT', latestVersion: { version: 2, status: 'DRAFT' } });
    expect((await ok(SUBMIT, { id }, agent)).status).toBe('PENDING');
  });

  it('editing an APPROVED template creates a new version while the approved one keeps sending', async () => {
    const id = await whatsappTemplate();
    await ok(SUBMIT, { id }, agent);
    await setStatus(id, 'APPROVED');

    const newBody = 'Hello {{1}}! Order {{2}} ({{3}}) is on its way.';
    const edited = await ok(UPDATE, { id, input: { whatsapp: { ...whatsappInput().whatsapp, body: newBody } } }, agent);
    expect(edited).toMatchObject({
      status: 'DRAFT',
      sendable: true,
      content: { body: newBody },
      latestVersion: { version: 2, status: 'DRAFT' },
      activeVersion: { version: 1, status: 'APPROVED' },
    });
    // Sending uses version 1; the preview shows version 2.
    expect(await ok(RENDER, { id, variables: VALUES, forSending: true }, agent)).toMatchObject({ version: 1, body: 'Hi Ann, your order A-1042 of $42.50 has shipped.' });
    expect(await ok(RENDER, { id, variables: VALUES }, agent)).toMatchObject({ version: 2, body: 'Hello Ann! Order A-1042 ($42.50) is on its way.' });
    expect(await ok(RENDER, { id, variables: VALUES, version: 1 }, agent)).toMatchObject({ version: 1 });

    // A DRAFT is edited in place; PENDING cannot be edited.
    const again = await ok(UPDATE, { id, input: { whatsapp: { ...whatsappInput().whatsapp, body: `${newBody} Thanks!` } } }, agent);
    expect(again.latestVersion.version).toBe(2);
    await ok(SUBMIT, { id }, agent);
    const locked = await h.graphql(UPDATE, { id, input: { whatsapp: whatsappInput().whatsapp } }, agent);
    expect(locked.errors?.[0]).toMatchObject({
      message: 'Version 2 is PENDING review: wait for the decision before editing',
      extensions: { code: 'CONFLICT', currentStatus: 'PENDING' },
    });

    // Approving version 2 makes it the one used to send; version 1 is superseded.
    const approved = (await setStatus(id, 'APPROVED')).data!.setTemplateApprovalStatus;
    expect(approved).toMatchObject({ status: 'APPROVED', activeVersion: { version: 2, status: 'APPROVED' } });
    expect(await ok(RENDER, { id, variables: VALUES, forSending: true }, agent)).toMatchObject({ version: 2 });
    const versions = (await ok(VERSIONS, { id }, agent)).versions;
    expect(versions.map((v: any) => [v.version, v.status, v.supersededAt !== null])).toEqual([
      [2, 'APPROVED', false],
      [1, 'APPROVED', true],
    ]);
    const superseded = await setStatus(id, 'PAUSED', 'x', 1);
    expect(superseded.errors?.[0]?.extensions?.code).toBe('CONFLICT');
  });

  it('APPROVED → PAUSED → APPROVED → PAUSED → DISABLED, with the history recorded', async () => {
    const id = await whatsappTemplate();
    await ok(SUBMIT, { id }, agent);
    await setStatus(id, 'APPROVED');

    const paused = (await setStatus(id, 'PAUSED', 'Quality rating low')).data!.setTemplateApprovalStatus;
    expect(paused).toMatchObject({ status: 'PAUSED', sendable: false, activeVersion: { status: 'PAUSED', statusReason: 'Quality rating low' } });
    const blocked = await h.graphql(RENDER, { id, variables: VALUES, forSending: true }, agent);
    expect(blocked.errors?.[0]).toMatchObject({
      message: 'Template approval_4 cannot be sent: its approved version is PAUSED',
      extensions: { code: 'TEMPLATE_NOT_APPROVED', activeStatus: 'PAUSED' },
    });

    expect((await setStatus(id, 'APPROVED')).data!.setTemplateApprovalStatus).toMatchObject({ status: 'APPROVED', sendable: true });
    await setStatus(id, 'PAUSED');
    const disabled = (await setStatus(id, 'DISABLED', 'Policy')).data!.setTemplateApprovalStatus;
    expect(disabled).toMatchObject({ status: 'DISABLED', sendable: false });

    const history = (await ok(VERSIONS, { id }, agent)).versions[0].statusHistory;
    expect(history.map((c: any) => [c.from, c.to, c.reason])).toEqual([
      [null, 'DRAFT', null],
      ['DRAFT', 'PENDING', null],
      ['PENDING', 'APPROVED', null],
      ['APPROVED', 'PAUSED', 'Quality rating low'],
      ['PAUSED', 'APPROVED', null],
      ['APPROVED', 'PAUSED', null],
      ['PAUSED', 'DISABLED', 'Policy'],
    ]);
    expect(history[2].changedByUserId).toBe(admin.userId);
    expect(history[1].changedByUserId).toBe(agent.userId);

    const revive = await setStatus(id, 'APPROVED');
    expect(revive.errors?.[0]).toMatchObject({
      message: 'Version 1 is DISABLED: Cannot go from DISABLED to APPROVED; from DISABLED no change is possible',
      extensions: { code: 'CONFLICT', currentStatus: 'DISABLED', version: 1 },
    });
  });

  it('pauses the approved version while a newer one is a draft', async () => {
    const id = await whatsappTemplate();
    await ok(SUBMIT, { id }, agent);
    await setStatus(id, 'APPROVED');
    await ok(UPDATE, { id, input: { whatsapp: { ...whatsappInput().whatsapp, footer: 'New footer' } } }, agent);
    const paused = (await setStatus(id, 'PAUSED')).data!.setTemplateApprovalStatus;
    expect(paused).toMatchObject({ status: 'DRAFT', sendable: false, latestVersion: { version: 2, status: 'DRAFT' }, activeVersion: { version: 1, status: 'PAUSED' } });
  });

  it.each([
    ['APPROVED', 'DRAFT'],
    ['REJECTED', 'DRAFT'],
    ['PAUSED', 'DRAFT'],
    ['DISABLED', 'DRAFT'],
  ])('refuses %s on a %s template with CONFLICT naming the current state', async (status, current) => {
    const id = await whatsappTemplate();
    const result = await setStatus(id, status, 'reason');
    expect(result.status).toBe(200);
    expect(result.errors?.[0]?.message).toContain(`is ${current}`);
    expect(result.errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT', currentStatus: current });
  });

  it('refuses statuses only the system sets, and approval of email templates', async () => {
    const id = await whatsappTemplate();
    for (const status of ['PENDING', 'DRAFT', 'ACTIVE']) {
      const result = await setStatus(id, status);
      expect(result.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'status' });
    }
    const email = (await ok(CREATE, { input: emailInput({ name: 'No approval' }) }, agent)).id;
    const submit = await h.graphql(SUBMIT, { id: email }, agent);
    expect(submit.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'id' });
    const status = await setStatus(email, 'APPROVED');
    expect(status.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'id' });
  });

  it('requires examples before submission', async () => {
    sequence += 1;
    const id = (
      await ok(
        CREATE,
        { input: whatsappInput({ name: `approval_${sequence}`, variables: [{ name: '1' }, { name: '2', example: 'A-1' }, { name: '3', type: 'CURRENCY' }] }) },
        agent,
      )
    ).id;
    const result = await h.graphql(SUBMIT, { id }, agent);
    expect(result.errors?.[0]).toMatchObject({
      message: 'WhatsApp reviews templates with example values: add an example for {{1}}, {{3}}',
      extensions: { code: 'BAD_USER_INPUT', field: 'variables' },
    });
  });

  it('cannot rename a WhatsApp template once submitted', async () => {
    const id = await whatsappTemplate();
    const renamed = await ok(UPDATE, { id, input: { name: `renamed_${sequence}` } }, agent);
    expect(renamed.name).toBe(`renamed_${sequence}`);
    await ok(SUBMIT, { id }, agent);
    const result = await h.graphql(UPDATE, { id, input: { language: 'pt_BR' } }, agent);
    expect(result.errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT', currentStatus: 'PENDING' });
    expect((await ok(GET, { id }, agent)).language).toBe('en_US');
  });
});
