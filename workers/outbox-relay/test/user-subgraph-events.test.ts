import { decodeEvent, eventCatalog, userEvents } from '@switchboard/events';
import type { BrokerHandle } from '@switchboard/kafka-broker';
import { inviteAndJoin, passwordResetTokenFor, registerUser, startTestSystem, uniqueEmail, type TestSystem } from '@switchboard/testkit';
import { startOutboxRelay, type OutboxRelay } from '../src';
import { collect, kafkaFor, log, startTestBroker, waitFor } from './helpers';

jest.setTimeout(120_000);

/**
 * The catalog against what the user subgraph really writes: drive the API as a user would so that
 * every user event type lands in "user"."outbox", then relay it. Nothing may be parked or left
 * unpublished, and every message must decode with the catalog.
 */
describe('the user subgraph’s outbox through the relay', () => {
  let system: TestSystem;
  let broker: BrokerHandle;
  let relay: OutboxRelay | undefined;

  beforeAll(async () => {
    // Everything but the pipeline: this test runs the relay itself, against its own broker.
    const services = 'gateway,user,team,contact,template,campaign,inbox,messaging';
    [system, broker] = await Promise.all([startTestSystem({ env: { SERVICES: services } }), startTestBroker()]);
  });

  afterAll(async () => {
    await relay?.stop();
    await broker?.close();
    await system?.close();
  });

  async function call(query: string, variables: Record<string, unknown>, token?: string): Promise<unknown> {
    const result = await system.graphql(query, variables, token ? { token } : {});
    if (result.errors?.length) throw new Error(JSON.stringify(result.errors));
    return result.data;
  }

  it('publishes every event type the user subgraph emits, each readable by the catalog', async () => {
    const owner = await registerUser(system); // user.registered, organization.created
    const agent = await inviteAndJoin(system, owner, 'AGENT'); // invitation.created, invitation.accepted, user.registered
    await call('mutation($u: ID!) { updateMemberRole(userId: $u, role: ADMIN) { role } }', { u: agent.user.id }, owner.accessToken);
    await call('mutation($u: ID!) { removeMember(userId: $u) }', { u: agent.user.id }, owner.accessToken);
    const invited = (await call(
      'mutation($e: String!) { inviteMember(email: $e, role: VIEWER) { id } }',
      { e: uniqueEmail('viewer') },
      owner.accessToken,
    )) as { inviteMember: { id: string } };
    await call('mutation($i: ID!) { revokeInvitation(invitationId: $i) { id } }', { i: invited.inviteMember.id }, owner.accessToken);
    await call('mutation($e: String!) { requestPasswordReset(email: $e) }', { e: owner.email });
    const token = await passwordResetTokenFor(system, owner.email);
    await call('mutation($t: String!, $p: String!) { resetPassword(token: $t, password: $p) }', { t: token, p: 'Another-Horse-Battery-43' });

    const rows = await system.prisma.userOutboxEvent.findMany({ orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] });
    const types = new Set(rows.map((row) => row.type));
    expect([...types].sort()).toEqual(userEvents.map((definition) => definition.type).sort());

    relay = await startOutboxRelay({ databaseUrl: system.config.databaseUrl, kafka: kafkaFor(broker.brokers), schemas: ['user'], log });
    await waitFor(async () => (await system.prisma.userOutboxEvent.count({ where: { publishedAt: null } })) === 0, 'all rows published');
    expect(relay.stats()).toMatchObject({ published: rows.length, parked: 0, unknownTypes: { user: {} } });

    const topics = [...new Set(rows.map((row) => eventCatalog.find(row.type)!.topic))];
    const observer = await collect(kafkaFor(broker.brokers), topics);
    try {
      await waitFor(() => observer.messages.length === rows.length, `${rows.length} messages`);
      const decoded = observer.messages.map((message) => decodeEvent(message.value));
      expect(decoded.map((event) => event.id).sort()).toEqual(rows.map((row) => row.id).sort());
      const reset = decoded.find((event) => event.type === 'user.password_reset_requested')!;
      expect(reset.organizationId).toBeNull();
      expect(reset.payload).toMatchObject({ userId: owner.user.id, email: owner.email, token });
    } finally {
      await observer.stop();
    }
  });
});
