import { randomUUID } from 'node:crypto';
import {
  createEvent,
  encodeEvent,
  invitationAccepted,
  membershipRemoved,
  organizationCreated,
  userRegistered,
  type SwitchboardEvent,
} from '@switchboard/events';
import { connectProducer, createKafka, sendEvents, type Kafka, type Producer } from '@switchboard/kafka';
import { silentLogger, startBroker, type BrokerHandle } from '@switchboard/kafka-broker';
import { startTeamConsumers, type TeamConsumers } from '../src';
import { addMember, createTeam, dataOf, errorCode, member, startTeamSubgraph, type Client, type GraphQLResult, type TeamSubgraph } from './harness';

/*
 * The organization-membership projection fed over the real Kafka protocol (the embedded broker,
 * kafkajs) by the team consumer (group of its own), against PostgreSQL and Redis: who may be added
 * to a team, events in any order and twice, and removals taking their teams with them.
 */

jest.setTimeout(60_000);

const ADD = `mutation ($teamId: ID!, $userId: ID!) { addTeamMember(teamId: $teamId, userId: $userId) { id memberCount } }`;
const MEMBERS = `query ($id: ID!) { team(id: $id) { members { userId } } }`;

let subgraph: TeamSubgraph;
let broker: BrokerHandle;
let kafka: Kafka;
let producer: Producer;
let consumers: TeamConsumers;
/** Events published so far (each copy counts). */
let published = 0;

beforeAll(async () => {
  subgraph = await startTeamSubgraph();
  broker = await startBroker({ port: 0, logger: silentLogger });
  kafka = createKafka({ brokers: [broker.brokers], clientId: 'team-membership-test', log: subgraph.log, logLevel: 'nothing' });
  ({ producer } = await connectProducer(kafka, { log: subgraph.log }));
  consumers = await startTeamConsumers({
    kafka,
    prisma: subgraph.prisma,
    redis: subgraph.redis,
    log: subgraph.log,
    groupId: `team-memberships-${randomUUID()}`,
    ensureTopics: { partitions: 2 },
    maxWaitTimeMs: 100,
  });
});

afterAll(async () => {
  await consumers?.stop();
  await producer?.disconnect();
  await broker?.close();
  await subgraph?.close();
});

/** Publishes the events (the same one again = a redelivery) and waits until the consumer has applied every one. */
async function deliver(...events: SwitchboardEvent[]): Promise<void> {
  await sendEvents(producer, events.map(encodeEvent));
  published += events.length;
  const consumer = consumers.handles[0]!;
  await until(() => {
    const stats = consumer.stats();
    return stats.handled + stats.duplicates >= published;
  }, `the consumer to apply ${published} events (${JSON.stringify(consumer.stats())})`);
}

async function until(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Event times: `at(n)` is n seconds after a base an hour ago (later than nothing the test wrote itself). */
const base = Date.now() - 3_600_000;
const at = (seconds: number) => new Date(base + seconds * 1000).toISOString();

function accepted(organizationId: string, userId: string, occurredAt: string): SwitchboardEvent {
  return createEvent(invitationAccepted, { invitationId: randomUUID(), organizationId, userId, role: 'AGENT' }, { organizationId, occurredAt }) as SwitchboardEvent;
}

function removed(organizationId: string, userId: string, occurredAt: string): SwitchboardEvent {
  return createEvent(membershipRemoved, { organizationId, userId, role: 'AGENT', removedByUserId: randomUUID() }, { organizationId, occurredAt }) as SwitchboardEvent;
}

const projection = (organizationId: string, userId: string) =>
  subgraph.prisma.organizationMemberProjection.findUnique({ where: { organizationId_userId: { organizationId, userId } } });

/** The refusal of a user who is not a member of the organization (and its extensions). */
function expectNotAMember(result: GraphQLResult, userId: string) {
  expect(errorCode(result)).toBe('NOT_FOUND');
  expect(result.errors?.[0]?.extensions).toEqual({ code: 'NOT_FOUND', entity: 'User', field: 'userId' });
  expect(result.errors?.[0]?.message).toContain(`User ${userId} is not a member of your organization`);
}

async function memberIds(client: Client, teamId: string): Promise<string[]> {
  return dataOf(await client(MEMBERS, { id: teamId })).team.members.map((m: { userId: string }) => m.userId);
}

describe('who may be added to a team (organization membership from the user subgraph’s events)', () => {
  it('a user becomes addable once their joining arrives: invitation accepted, registration, a new organization’s owner', async () => {
    const organizationId = randomUUID();
    const admin = subgraph.as(member(organizationId, 'ADMIN'));
    const team = await createTeam(admin, 'Newcomers');
    const [invited, registered, owner] = [randomUUID(), randomUUID(), randomUUID()];
    for (const userId of [invited, registered, owner]) expectNotAMember(await admin(ADD, { teamId: team.id, userId }), userId);

    await deliver(
      accepted(organizationId, invited, at(1)),
      createEvent(userRegistered, { userId: registered, organizationId, via: 'SIGN_UP' }, { organizationId, occurredAt: at(1) }) as SwitchboardEvent,
      createEvent(organizationCreated, { organizationId, name: 'Acme', ownerUserId: owner }, { organizationId, occurredAt: at(1) }) as SwitchboardEvent,
    );
    for (const userId of [invited, registered, owner]) dataOf(await admin(ADD, { teamId: team.id, userId }));
    expect(await memberIds(admin, team.id)).toHaveLength(3);
  });

  it('refuses an id nobody has, a member of another organization and a removed member alike, and changes nothing', async () => {
    const [orgA, orgB] = [randomUUID(), randomUUID()];
    const admin = subgraph.as(member(orgA, 'ADMIN'));
    const team = await createTeam(admin, 'Closed');
    const [elsewhere, former] = [randomUUID(), randomUUID()];
    await deliver(accepted(orgB, elsewhere, at(1)), accepted(orgA, former, at(1)));
    await deliver(removed(orgA, former, at(2)));

    const results = await Promise.all([randomUUID(), elsewhere, former].map(async (userId) => [userId, await admin(ADD, { teamId: team.id, userId })] as const));
    for (const [userId, result] of results) expectNotAMember(result, userId);
    expect(dataOf(await admin(`query ($id: ID!) { team(id: $id) { memberCount } }`, { id: team.id })).team.memberCount).toBe(0);
    expect((await subgraph.eventsFor(team.id, 1)).map((event) => event.kind)).toEqual(['CREATED']);
  });

  it('the caller may add themselves before their own joining arrived (the gateway vouches for them), not once removed', async () => {
    const organizationId = randomUUID();
    const self = member(organizationId, 'ADMIN');
    const team = await createTeam(subgraph.as(self), 'Myself');
    dataOf(await subgraph.as(self)(ADD, { teamId: team.id, userId: self.userId }));

    const removedSelf = member(organizationId, 'ADMIN');
    await deliver(accepted(organizationId, removedSelf.userId, at(1)));
    await deliver(removed(organizationId, removedSelf.userId, at(2)));
    expectNotAMember(await subgraph.as(removedSelf)(ADD, { teamId: team.id, userId: removedSelf.userId }), removedSelf.userId);
  });

  it('applies a bulk of joinings (one partition’s batch at a time)', async () => {
    const organizationId = randomUUID();
    const userIds = Array.from({ length: 300 }, () => randomUUID());
    await deliver(...userIds.map((userId) => accepted(organizationId, userId, at(1))));
    expect(await subgraph.prisma.organizationMemberProjection.count({ where: { organizationId, isMember: true } })).toBe(300);
  });
});

describe('events in any order, and twice', () => {
  it('a removal delivered before the older joining ends removed; a later re-joining makes a member again', async () => {
    const organizationId = randomUUID();
    const admin = subgraph.as(member(organizationId, 'ADMIN'));
    const team = await createTeam(admin, 'Order');
    const userId = randomUUID();
    const leave = removed(organizationId, userId, at(2));
    await deliver(leave);
    await deliver(accepted(organizationId, userId, at(1)));
    expect(await projection(organizationId, userId)).toMatchObject({ isMember: false, eventId: leave.id, occurredAt: new Date(at(2)) });
    expectNotAMember(await admin(ADD, { teamId: team.id, userId }), userId);

    const rejoin = accepted(organizationId, userId, at(3));
    await deliver(rejoin);
    expect(await projection(organizationId, userId)).toMatchObject({ isMember: true, eventId: rejoin.id });
    dataOf(await admin(ADD, { teamId: team.id, userId }));
  });

  it('join, remove and re-join end the same in every delivery order', async () => {
    const orders = [
      [0, 1, 2],
      [0, 2, 1],
      [1, 0, 2],
      [1, 2, 0],
      [2, 0, 1],
      [2, 1, 0],
    ];
    for (const order of orders) {
      const organizationId = randomUUID();
      const userId = randomUUID();
      const history = [accepted(organizationId, userId, at(1)), removed(organizationId, userId, at(2)), accepted(organizationId, userId, at(3))];
      for (const index of order) await deliver(history[index]!);
      expect(await projection(organizationId, userId)).toMatchObject({ isMember: true, eventId: history[2]!.id });
    }
  });

  it('a redelivered event changes nothing: not the projection, not the teams, no notification', async () => {
    const organizationId = randomUUID();
    const admin = subgraph.as(member(organizationId, 'ADMIN'));
    const team = await createTeam(admin, 'Redelivered');
    const userId = randomUUID();
    const join = accepted(organizationId, userId, at(1));
    await deliver(join);
    const joined = await projection(organizationId, userId);
    await deliver(join, join);
    expect(await projection(organizationId, userId)).toEqual(joined);

    await addMember(admin, team.id, userId);
    const leave = removed(organizationId, userId, at(2));
    await deliver(leave);
    const left = await projection(organizationId, userId);
    expect(await memberIds(admin, team.id)).toEqual([]);
    await deliver(leave);
    await deliver(join);
    expect(await projection(organizationId, userId)).toEqual(left);
    expect((await subgraph.eventsFor(team.id, 3)).map((event) => event.kind)).toEqual(['CREATED', 'MEMBER_ADDED', 'MEMBER_REMOVED']);
  });
});

describe('a member who leaves the organization leaves its teams', () => {
  it('deletes their team memberships in that organization only, with one MEMBER_REMOVED per team', async () => {
    const [orgA, orgB] = [randomUUID(), randomUUID()];
    const adminA = subgraph.as(member(orgA, 'ADMIN'));
    const adminB = subgraph.as(member(orgB, 'ADMIN'));
    const [leaver, stayer] = [randomUUID(), randomUUID()];
    await deliver(accepted(orgA, leaver, at(1)), accepted(orgA, stayer, at(1)), accepted(orgB, leaver, at(1)));
    const [a1, a2, a3, b1] = [await createTeam(adminA, 'A1'), await createTeam(adminA, 'A2'), await createTeam(adminA, 'A3'), await createTeam(adminB, 'B1')];
    await addMember(adminA, a1.id, leaver, 'LEAD');
    await addMember(adminA, a1.id, stayer);
    await addMember(adminA, a2.id, leaver);
    await addMember(adminA, a3.id, stayer);
    await addMember(adminB, b1.id, leaver);

    await deliver(removed(orgA, leaver, at(2)));

    expect(await memberIds(adminA, a1.id)).toEqual([stayer]);
    expect(await memberIds(adminA, a2.id)).toEqual([]);
    expect(await memberIds(adminA, a3.id)).toEqual([stayer]);
    expect(await memberIds(adminB, b1.id)).toEqual([leaver]);
    const kinds = async (teamId: string, count: number) => (await subgraph.eventsFor(teamId, count)).map((event) => event.kind);
    expect(await kinds(a1.id, 4)).toEqual(['CREATED', 'MEMBER_ADDED', 'MEMBER_ADDED', 'MEMBER_REMOVED']);
    expect(await kinds(a2.id, 3)).toEqual(['CREATED', 'MEMBER_ADDED', 'MEMBER_REMOVED']);
    expect(await kinds(a3.id, 2)).toEqual(['CREATED', 'MEMBER_ADDED']);
    expect(await kinds(b1.id, 2)).toEqual(['CREATED', 'MEMBER_ADDED']);
    expect(subgraph.events.filter((event) => event.kind === 'MEMBER_REMOVED' && [a1.id, a2.id].includes(event.teamId))).toEqual([
      expect.objectContaining({ organizationId: orgA, kind: 'MEMBER_REMOVED' }),
      expect.objectContaining({ organizationId: orgA, kind: 'MEMBER_REMOVED' }),
    ]);
  });

  it('a removal arriving after a later re-joining takes only the team memberships added before it', async () => {
    const organizationId = randomUUID();
    const admin = subgraph.as(member(organizationId, 'ADMIN'));
    const userId = randomUUID();
    await deliver(accepted(organizationId, userId, at(1)));
    const before = await createTeam(admin, 'Before the removal');
    const after = await createTeam(admin, 'After the removal');
    await addMember(admin, before.id, userId);
    const addedBefore = (await subgraph.prisma.teamMember.findFirstOrThrow({ where: { teamId: before.id, userId } })).addedAt.getTime();
    await until(() => Date.now() > addedBefore + 2, 'the clock to move on');
    await addMember(admin, after.id, userId);
    const addedAfter = (await subgraph.prisma.teamMember.findFirstOrThrow({ where: { teamId: after.id, userId } })).addedAt.getTime();
    expect(addedAfter).toBeGreaterThan(addedBefore + 1);

    // Removed between the two adds, re-joined later still; the re-joining is delivered first.
    await deliver(accepted(organizationId, userId, new Date(addedAfter + 3_600_000).toISOString()));
    await deliver(removed(organizationId, userId, new Date(Math.floor((addedBefore + addedAfter) / 2)).toISOString()));

    expect(await projection(organizationId, userId)).toMatchObject({ isMember: true });
    expect(await memberIds(admin, before.id)).toEqual([]);
    expect(await memberIds(admin, after.id)).toEqual([userId]);
    expect((await subgraph.eventsFor(before.id, 3)).map((event) => event.kind)).toEqual(['CREATED', 'MEMBER_ADDED', 'MEMBER_REMOVED']);
    expect((await subgraph.eventsFor(after.id, 2)).map((event) => event.kind)).toEqual(['CREATED', 'MEMBER_ADDED']);
  });

  it('an add racing the removal never leaves the removed user in the team', async () => {
    const organizationId = randomUUID();
    const admin = subgraph.as(member(organizationId, 'ADMIN'));
    const team = await createTeam(admin, 'Race');
    for (let round = 0; round < 10; round++) {
      const userId = await subgraph.join(organizationId);
      const [result] = await Promise.all([admin(ADD, { teamId: team.id, userId }), subgraph.leave(organizationId, userId)]);
      if (result.errors) expectNotAMember(result, userId);
      expect(await subgraph.prisma.teamMember.count({ where: { teamId: team.id, userId } })).toBe(0);
    }
  });
});
