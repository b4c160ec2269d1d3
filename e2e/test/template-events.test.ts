/* eslint-disable @typescript-eslint/no-explicit-any -- GraphQL responses are untyped JSON. */
import { createLogger } from '@switchboard/config';
import { startTemplateConsumers, type TemplateConsumers } from '@switchboard/subgraph-template';
import { registerUser, startTestSystem, type GraphQLResponse, type SeededUser, type TestSystem } from '@switchboard/testkit';
import { sendMessage, waitFor, whatsappSender } from './support/messaging';

/**
 * Templates and the rest of the system, through the gateway: the template subgraph's
 * `template.changed` events (outbox → relay → Kafka) are what messaging sends with, and WhatsApp's
 * review outcome (`message_template_status_update` webhook → messaging → `template.status_changed`)
 * is applied to the template by the template subgraph's consumer.
 */

let system: TestSystem;
let owner: SeededUser;
let sender: { id: string };
let ownConsumers: TemplateConsumers | undefined;
const CUSTOMER = '+447911123456';

const TEMPLATE = 'id name language status sendable latestVersion { version status statusReason } activeVersion { version status }';
const CREATE = `mutation ($input: CreateTemplateInput!) { createTemplate(input: $input) { ${TEMPLATE} } }`;
const SUBMIT = `mutation ($id: ID!) { submitTemplateForApproval(id: $id) { ${TEMPLATE} } }`;
const SET_STATUS = `mutation ($id: ID!, $status: TemplateStatus!, $reason: String) { setTemplateApprovalStatus(id: $id, status: $status, reason: $reason) { ${TEMPLATE} } }`;
const GET = `query ($id: ID!) { template(id: $id) { ${TEMPLATE} versions { version statusHistory { from to reason changedByUserId } } } }`;
const DELETE = `mutation ($id: ID!) { deleteTemplate(id: $id) { id archivedAt } }`;

function ok(result: GraphQLResponse): any {
  expect({ status: result.status, errors: result.errors }).toEqual({ status: 200, errors: undefined });
  return Object.values(result.data as Record<string, unknown>)[0];
}

const call = (query: string, variables: Record<string, unknown> = {}) => system.graphql(query, variables, { token: owner.accessToken });

const whatsapp = (name: string) => ({
  channel: 'WHATSAPP',
  name,
  language: 'en_US',
  variables: [
    { name: '1', type: 'STRING', example: 'Ann' },
    { name: '2', type: 'STRING', example: 'A-1042' },
  ],
  whatsapp: { category: 'UTILITY', body: 'Hi {{1}}, your order {{2}} is ready for pickup.' },
});

const codeOf = (result: GraphQLResponse) => result.errors?.[0]?.extensions?.code as string | undefined;

/** Sends the template until messaging's projection answers with `code` (or sends, for 'SENT'). */
function sendUntil(templateId: string, code: 'SENT' | string, variables: unknown = ['Casey', 'A-7']) {
  return waitFor(
    async () => {
      const result = await sendMessage(system, owner, { channel: 'WHATSAPP', senderId: sender.id, to: CUSTOMER, templateId, variables });
      const got = result.errors ? codeOf(result) : 'SENT';
      return got === code ? result : undefined;
    },
    `messaging to answer ${code} for template ${templateId}`,
    15_000,
    100,
  );
}

beforeAll(async () => {
  system = await startTestSystem();
  owner = await registerUser(system, { organizationName: 'Template Events Ltd' });
  sender = await whatsappSender(system, owner);
  // The launcher runs the template consumers with every subgraph's consumers (service
  // `consumers`); a launcher without that service does not, and then this file runs them on the
  // system's own Kafka, database and Redis.
  if (!(system.config.services as readonly string[]).includes('consumers')) {
    ownConsumers = await startTemplateConsumers({
      kafka: system.kafka.client,
      prisma: system.prisma,
      redis: system.redis,
      log: createLogger('template-consumers-e2e', 'silent'),
    });
  }
});
afterAll(async () => {
  await ownConsumers?.stop();
  await system?.close();
});

it('messaging sends exactly what the template subgraph approved: template.changed drives its projection', async () => {
  const created = ok(await call(CREATE, { input: whatsapp('pickup_ready') }));

  // Messaging learns the template from its CREATED event: known, but not approved.
  await sendUntil(created.id, 'TEMPLATE_NOT_APPROVED');
  ok(await call(SUBMIT, { id: created.id }));
  ok(await call(SET_STATUS, { id: created.id, status: 'APPROVED' }));

  // The approval's event carries the approved content: messaging renders it and sends.
  const sent = await sendUntil(created.id, 'SENT', ['Casey', 'A-7']);
  const message = sent.data.sendMessage.message;
  expect(message).toMatchObject({ status: 'QUEUED', channel: 'WHATSAPP', to: CUSTOMER });
  const request = await waitFor(
    () =>
      system.standIns.whatsapp.requests().find((r) => {
        const params = r.params as { type?: string; template?: { name?: string } } | undefined;
        return r.status === 200 && params?.type === 'template' && params.template?.name === 'pickup_ready';
      }),
    'the Cloud API template send',
  );
  expect((request.params as { template: unknown }).template).toMatchObject({
    name: 'pickup_ready',
    language: { code: 'en_US' },
    components: [{ type: 'body', parameters: [{ type: 'text', text: 'Casey' }, { type: 'text', text: 'A-7' }] }],
  });

  // Variables are checked against the approved version's declarations.
  const missing = await sendMessage(system, owner, { channel: 'WHATSAPP', senderId: sender.id, to: CUSTOMER, templateId: created.id, variables: ['Casey'] });
  expect(codeOf(missing)).toBe('BAD_USER_INPUT');

  // Pausing the approved version stops sends; archiving removes the template from messaging.
  ok(await call(SET_STATUS, { id: created.id, status: 'PAUSED', reason: 'Quality rating low' }));
  await sendUntil(created.id, 'TEMPLATE_NOT_APPROVED');
  ok(await call(DELETE, { id: created.id }));
  await sendUntil(created.id, 'NOT_FOUND');
});

it("WhatsApp's review webhook approves or rejects the template, and the approved one can be sent", async () => {
  const approvedOne = ok(await call(CREATE, { input: whatsapp('review_approved') }));
  const rejectedOne = ok(await call(CREATE, { input: whatsapp('review_rejected') }));
  ok(await call(SUBMIT, { id: approvedOne.id }));
  ok(await call(SUBMIT, { id: rejectedOne.id }));

  // WhatsApp's signed webhooks, posted by the Cloud API stand-in to the gateway's webhook route.
  const approval = await system.standIns.whatsapp.simulateTemplateStatus({ name: 'review_approved', language: 'en_US', event: 'APPROVED' });
  const rejection = await system.standIns.whatsapp.simulateTemplateStatus({ name: 'review_rejected', language: 'en_US', event: 'REJECTED', reason: 'INVALID_FORMAT' });
  expect([approval.status, rejection.status]).toEqual([200, 200]);

  const approved = await waitFor(async () => {
    const template = ok(await call(GET, { id: approvedOne.id }));
    return template.status === 'APPROVED' ? template : undefined;
  }, 'the template to be approved by the webhook');
  expect(approved).toMatchObject({ sendable: true, activeVersion: { version: 1, status: 'APPROVED' } });
  // Recorded as the provider's decision: no user.
  expect(approved.versions[0].statusHistory).toEqual([
    { from: null, to: 'DRAFT', reason: null, changedByUserId: owner.user.id },
    { from: 'DRAFT', to: 'PENDING', reason: null, changedByUserId: owner.user.id },
    { from: 'PENDING', to: 'APPROVED', reason: null, changedByUserId: null },
  ]);

  const rejected = await waitFor(async () => {
    const template = ok(await call(GET, { id: rejectedOne.id }));
    return template.status === 'REJECTED' ? template : undefined;
  }, 'the template to be rejected by the webhook');
  expect(rejected).toMatchObject({ sendable: false, activeVersion: null, latestVersion: { status: 'REJECTED', statusReason: 'INVALID_FORMAT' } });

  // The approval reached messaging too (template.changed): the template can be sent.
  await sendUntil(approvedOne.id, 'SENT', ['Casey', 'A-8']);
  await sendUntil(rejectedOne.id, 'TEMPLATE_NOT_APPROVED');

  // A report the state machine refuses (REJECTED → APPROVED) changes nothing, and later reports still apply.
  await system.standIns.whatsapp.simulateTemplateStatus({ name: 'review_rejected', language: 'en_US', event: 'APPROVED' });
  await system.standIns.whatsapp.simulateTemplateStatus({ name: 'review_approved', language: 'en_US', event: 'PAUSED', reason: 'Low quality' });
  await waitFor(async () => ok(await call(GET, { id: approvedOne.id })).status === 'PAUSED', 'the pause to apply');
  await waitFor(
    async () => (await system.prisma.templateConsumedEvent.count({ where: { templateId: rejectedOne.id, outcome: 'REFUSED' } })) === 1,
    'the refused report to be recorded',
  );
  expect(ok(await call(GET, { id: rejectedOne.id }))).toMatchObject({ status: 'REJECTED', sendable: false });
});
