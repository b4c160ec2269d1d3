import { randomBytes, randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { signCaller, type AuthenticatedCaller, type Caller, type Role } from '@switchboard/auth';
import { createLogger } from '@switchboard/config';
import { createEvent, invitationAccepted, membershipRemoved } from '@switchboard/events';
import { startSubgraphServer, type RunningSubgraph } from '@switchboard/subgraph-kit';
import { createTestDatabase } from '@switchboard/testkit';
import { teamSubgraph, teamChangedChannel, type TeamChangedEvent } from '../src';
import { MembershipService } from '../src/domain/membership-service';
import { redisTeamEvents } from '../src/domain/team-events';
import { MembershipStore } from '../src/store/membership-store';

export interface GraphQLResult<TData = Record<string, unknown>> {
  status: number;
  data?: TData | null;
  errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, unknown> }[];
}

export type Client = <TData = Record<string, any>>( // eslint-disable-line @typescript-eslint/no-explicit-any
  query: string,
  variables?: Record<string, unknown>,
) => Promise<GraphQLResult<TData>>;

/** A signed-in member of `organizationId` with `role`. */
export function member(organizationId: string, role: Role, userId: string = randomUUID()): AuthenticatedCaller {
  return {
    kind: 'user',
    userId,
    organizationId,
    role,
    sessionId: randomUUID(),
    tokenId: randomUUID(),
    clientIp: '127.0.0.1',
    requestId: randomUUID(),
  };
}

/**
 * The team subgraph on a free port over its own fresh database and a Redis key prefix of its own;
 * requests carry a caller context signed like the gateway signs it.
 */
export async function startTeamSubgraph() {
  const database = await createTestDatabase();
  const keyPrefix = `team-test:${randomUUID()}:`;
  const redis = new Redis('redis://127.0.0.1:6379', { keyPrefix });
  const subscriber = new Redis('redis://127.0.0.1:6379');
  const log = createLogger('team-test', 'silent');
  const internalSecret = randomBytes(32).toString('hex');
  const definition = teamSubgraph({
    prisma: database.prisma,
    redis,
    log,
    settings: { jwtSecret: randomBytes(32).toString('hex'), accessTokenTtlSeconds: 900, refreshTokenTtlSeconds: 86_400, publicUrl: 'http://localhost' },
  });
  const server: RunningSubgraph = await startSubgraphServer({ definition, port: 0, internalSecret, log });

  // Every event published on this subgraph's channel, in order.
  const events: TeamChangedEvent[] = [];
  await subscriber.subscribe(teamChangedChannel(redis));
  subscriber.on('message', (_channel, message: string) => events.push(JSON.parse(message) as TeamChangedEvent));

  // What the consumer applies the user subgraph's events with (src/consumers), for seeding members
  // without a broker; test/organization-membership.test.ts runs the consumer itself over Kafka.
  const memberships = new MembershipService(new MembershipStore(database.prisma), redisTeamEvents(redis, log), log);

  async function post(body: unknown, header: string | undefined): Promise<GraphQLResult> {
    const response = await fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(header ? { 'x-switchboard-caller': header } : {}) },
      body: JSON.stringify(body),
    });
    return { status: response.status, ...((await response.json()) as Omit<GraphQLResult, 'status'>) };
  }

  return {
    url: server.url,
    prisma: database.prisma,
    redis,
    log,
    memberships,
    events,
    /** A client acting as `caller`. */
    as(caller: Caller): Client {
      return (query, variables) => post({ query, variables }, signCaller(caller, internalSecret)) as never;
    },
    post,
    /**
     * Makes `userId` (a new one by default) a member of the organization the way the user
     * subgraph reports it — an `invitation.accepted` event, applied as the consumer applies it —
     * and returns the user id.
     */
    async join(organizationId: string, userId: string = randomUUID()): Promise<string> {
      await memberships.apply([
        createEvent(invitationAccepted, { invitationId: randomUUID(), organizationId, userId, role: 'AGENT' }, { organizationId }),
      ]);
      return userId;
    },
    /** `count` new members of the organization (see `join`). */
    async newMembers(organizationId: string, count: number): Promise<string[]> {
      const userIds = Array.from({ length: count }, () => randomUUID());
      await memberships.apply(
        userIds.map((userId) =>
          createEvent(invitationAccepted, { invitationId: randomUUID(), organizationId, userId, role: 'AGENT' }, { organizationId }),
        ),
      );
      return userIds;
    },
    /** The user leaves the organization (a `membership.removed` event, applied as the consumer applies it). */
    async leave(organizationId: string, userId: string): Promise<void> {
      await memberships.apply([
        createEvent(membershipRemoved, { organizationId, userId, role: 'AGENT', removedByUserId: randomUUID() }, { organizationId }),
      ]);
    },
    /**
     * The events about one team, once `count` have arrived (pub/sub is asynchronous), plus any
     * that arrive within `settleMs` after — so a test also sees events that should not exist.
     */
    async eventsFor(teamId: string, count: number, settleMs = 100): Promise<TeamChangedEvent[]> {
      const about = () => events.filter((event) => event.teamId === teamId);
      const deadline = Date.now() + 2_000;
      while (about().length < count && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
      await new Promise((resolve) => setTimeout(resolve, settleMs));
      return about();
    },
    async close() {
      await server.close();
      subscriber.disconnect();
      redis.disconnect();
      await database.drop();
    },
  };
}

export type TeamSubgraph = Awaited<ReturnType<typeof startTeamSubgraph>>;

/** The single error's code; fails on HTTP errors, masked errors and results without errors. */
export function errorCode(result: GraphQLResult): string {
  expect(result.status).toBe(200);
  expect(result.errors).toHaveLength(1);
  const code = result.errors?.[0]?.extensions?.code;
  expect(code).not.toBe('INTERNAL_SERVER_ERROR');
  return String(code);
}

/** The data of a successful result; fails (showing the errors) otherwise. */
export function dataOf<T>(result: GraphQLResult<T>): T {
  expect({ status: result.status, errors: result.errors }).toEqual({ status: 200, errors: undefined });
  return result.data as T;
}

export const TEAM_FIELDS = `id name createdAt memberCount members { role addedAt user { id } }`;

export async function createTeam(client: Client, name: string): Promise<{ id: string; name: string }> {
  const result = await client<{ createTeam: { id: string; name: string } }>(
    `mutation ($name: String!) { createTeam(name: $name) { id name } }`,
    { name },
  );
  return dataOf(result).createTeam;
}

export async function addMember(client: Client, teamId: string, userId: string, role: 'LEAD' | 'MEMBER' = 'MEMBER') {
  const result = await client(
    `mutation ($teamId: ID!, $userId: ID!, $role: TeamRole) { addTeamMember(teamId: $teamId, userId: $userId, role: $role) { id } }`,
    { teamId, userId, role },
  );
  dataOf(result);
}
