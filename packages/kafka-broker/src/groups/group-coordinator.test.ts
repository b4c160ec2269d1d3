import { silentLogger } from '../logger';
import { ErrorCode } from '../protocol/errors';
import { Group, Member, type JoinResult } from './group';
import { GroupCoordinator, type JoinRequest } from './group-coordinator';
import { OffsetStore } from './offset-store';

const settings = { minSessionTimeoutMs: 100, maxSessionTimeoutMs: 60_000, initialRebalanceDelayMs: 0 };

function joinRequest(overrides: Partial<JoinRequest> = {}): JoinRequest {
  return {
    groupId: 'g',
    sessionTimeoutMs: 10_000,
    rebalanceTimeoutMs: 10_000,
    memberId: '',
    groupInstanceId: null,
    protocolType: 'consumer',
    protocols: [{ name: 'range', metadata: Buffer.from('m') }],
    clientId: 'client',
    clientHost: '127.0.0.1',
    ...overrides,
  };
}

/** Joins twice (MEMBER_ID_REQUIRED, then with the id); `pending` is the second join's answer. */
function joinNew(coordinator: GroupCoordinator, overrides: Partial<JoinRequest> = {}): { pending: Promise<JoinResult> } {
  const first = coordinator.join(joinRequest(overrides));
  if (first instanceof Promise) throw new Error('the first join must be answered at once');
  expect(first.errorCode).toBe(ErrorCode.MEMBER_ID_REQUIRED);
  expect(first.memberId).toMatch(/^client-/);
  return { pending: Promise.resolve(coordinator.join(joinRequest({ ...overrides, memberId: first.memberId }))) };
}

describe('GroupCoordinator', () => {
  let coordinator: GroupCoordinator;

  beforeEach(() => {
    coordinator = new GroupCoordinator(settings, new OffsetStore(undefined, silentLogger), silentLogger);
  });

  afterEach(() => coordinator.close());

  test('join: MEMBER_ID_REQUIRED, then a generation with a leader that sees all members', async () => {
    const a = await joinNew(coordinator).pending;
    expect(a).toMatchObject({ errorCode: 0, generationId: 1, protocolName: 'range', leaderId: a.memberId });
    expect(a.members.map((m) => m.memberId)).toEqual([a.memberId]);

    // A second member forces a rebalance: the first must rejoin before anyone is answered.
    const bPending = joinNew(coordinator).pending;
    expect(coordinator.heartbeat('g', 1, a.memberId)).toBe(ErrorCode.REBALANCE_IN_PROGRESS);
    const aAgain = coordinator.join(joinRequest({ memberId: a.memberId }));
    const [a2, b] = await Promise.all([aAgain, bPending]);
    expect(a2.generationId).toBe(2);
    expect(b.generationId).toBe(2);
    expect(a2.leaderId).toBe(a.memberId);
    expect(a2.members).toHaveLength(2);
    expect(b.members).toHaveLength(0);

    // Followers wait in SyncGroup until the leader brings the assignments.
    const followerSync = coordinator.sync({ groupId: 'g', generationId: 2, memberId: b.memberId, assignments: [] });
    expect(followerSync).toBeInstanceOf(Promise);
    const leaderSync = await coordinator.sync({
      groupId: 'g',
      generationId: 2,
      memberId: a.memberId,
      assignments: [
        { memberId: a.memberId, assignment: Buffer.from('A') },
        { memberId: b.memberId, assignment: Buffer.from('B') },
      ],
    });
    expect(leaderSync.assignment.toString()).toBe('A');
    expect((await followerSync).assignment.toString()).toBe('B');
    expect(coordinator.heartbeat('g', 2, b.memberId)).toBe(ErrorCode.NONE);
    expect(coordinator.heartbeat('g', 1, b.memberId)).toBe(ErrorCode.ILLEGAL_GENERATION);
    expect(coordinator.heartbeat('g', 2, 'nobody')).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    expect(coordinator.heartbeat('', 2, b.memberId)).toBe(ErrorCode.INVALID_GROUP_ID);
    expect(coordinator.describe('g')).toMatchObject({ state: 'Stable', protocol: 'range' });

    // Commits: current generation ok, stale generation 22, unknown member 25.
    expect(coordinator.checkCommit('g', 2, a.memberId)).toBe(ErrorCode.NONE);
    expect(coordinator.checkCommit('g', 1, a.memberId)).toBe(ErrorCode.ILLEGAL_GENERATION);
    expect(coordinator.checkCommit('g', 2, 'nobody')).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    expect(coordinator.checkCommit('other', 3, 'x')).toBe(ErrorCode.ILLEGAL_GENERATION);
    expect(coordinator.checkCommit('other', -1, '')).toBe(ErrorCode.NONE);

    // Leaving triggers a rebalance for the rest.
    expect(coordinator.leave('g', b.memberId)).toBe(ErrorCode.NONE);
    expect(coordinator.leave('g', b.memberId)).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    expect(coordinator.heartbeat('g', 2, a.memberId)).toBe(ErrorCode.REBALANCE_IN_PROGRESS);
    const alone = await coordinator.join(joinRequest({ memberId: a.memberId }));
    expect(alone).toMatchObject({ errorCode: 0, generationId: 3 });
  });

  test('no common protocol is INCONSISTENT_GROUP_PROTOCOL (23)', async () => {
    await joinNew(coordinator, {
      protocols: [
        { name: 'roundrobin', metadata: Buffer.alloc(0) },
        { name: 'range', metadata: Buffer.alloc(0) },
      ],
    }).pending;
    const refused = await coordinator.join(joinRequest({ protocols: [{ name: 'sticky', metadata: Buffer.alloc(0) }] }));
    expect(refused.errorCode).toBe(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
    const otherType = await coordinator.join(joinRequest({ protocolType: 'connect' }));
    expect(otherType.errorCode).toBe(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
  });

  test('the protocol most members prefer among the common ones is selected', () => {
    const group = new Group('votes');
    const add = (id: string, names: string[]): void => {
      group.members.set(id, new Member(id, null, 'c', 'h', 1000, 1000, names.map((name) => ({ name, metadata: Buffer.from(id) }))));
    };
    add('m1', ['roundrobin', 'range', 'sticky']);
    add('m2', ['range', 'roundrobin']);
    add('m3', ['sticky', 'range', 'roundrobin']);
    expect([...(group.commonProtocols() ?? [])].sort()).toEqual(['range', 'roundrobin']);
    // m1 votes roundrobin, m2 range, m3 (sticky is not common) range.
    expect(group.selectProtocol()).toBe('range');
  });

  test('bad requests: empty group id (24), session timeout out of range (26), unknown member (25)', async () => {
    expect((await coordinator.join(joinRequest({ groupId: '' }))).errorCode).toBe(ErrorCode.INVALID_GROUP_ID);
    expect((await coordinator.join(joinRequest({ sessionTimeoutMs: 10 }))).errorCode).toBe(ErrorCode.INVALID_SESSION_TIMEOUT);
    expect((await coordinator.join(joinRequest({ memberId: 'made-up' }))).errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    const sync = await coordinator.sync({ groupId: 'g', generationId: 1, memberId: 'made-up', assignments: [] });
    expect(sync.errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
  });

  test('a member that stops heartbeating is removed after its session timeout', async () => {
    const a = await joinNew(coordinator, { sessionTimeoutMs: 150 }).pending;
    await coordinator.sync({ groupId: 'g', generationId: 1, memberId: a.memberId, assignments: [] });
    expect(coordinator.describe('g').members).toHaveLength(1);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(coordinator.describe('g').members).toHaveLength(0);
    expect(coordinator.heartbeat('g', 1, a.memberId)).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
  });

  test('a member that does not rejoin is dropped when the rebalance timeout passes', async () => {
    const a = await joinNew(coordinator, { rebalanceTimeoutMs: 200 }).pending;
    await coordinator.sync({ groupId: 'g', generationId: 1, memberId: a.memberId, assignments: [] });
    const started = Date.now();
    const b = await joinNew(coordinator, { rebalanceTimeoutMs: 200 }).pending;
    expect(Date.now() - started).toBeGreaterThanOrEqual(150);
    expect(b).toMatchObject({ errorCode: 0, generationId: 2, leaderId: b.memberId });
    expect(coordinator.heartbeat('g', 2, a.memberId)).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
  });
});
