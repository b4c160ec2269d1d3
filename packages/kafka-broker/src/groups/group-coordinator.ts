import { randomUUID } from 'node:crypto';
import type { Logger } from '../logger';
import { ErrorCode } from '../protocol/errors';
import { Group, Member, type GroupProtocol, type GroupState, type JoinResult, type SyncResult } from './group';
import type { OffsetCommitEntry, OffsetStore } from './offset-store';

export interface JoinRequest {
  readonly groupId: string;
  readonly sessionTimeoutMs: number;
  readonly rebalanceTimeoutMs: number;
  readonly memberId: string;
  readonly groupInstanceId: string | null;
  readonly protocolType: string;
  readonly protocols: readonly GroupProtocol[];
  readonly clientId: string;
  readonly clientHost: string;
}

export interface SyncRequest {
  readonly groupId: string;
  readonly generationId: number;
  readonly memberId: string;
  readonly assignments: readonly { memberId: string; assignment: Buffer }[];
}

export interface CoordinatorSettings {
  readonly minSessionTimeoutMs: number;
  readonly maxSessionTimeoutMs: number;
  readonly initialRebalanceDelayMs: number;
}

export interface GroupDescription {
  readonly errorCode: number;
  readonly groupId: string;
  readonly state: GroupState | 'Dead';
  readonly protocolType: string;
  readonly protocol: string;
  readonly members: readonly {
    memberId: string;
    clientId: string;
    clientHost: string;
    metadata: Buffer;
    assignment: Buffer;
  }[];
}

/** Returned by commit validation: 0 to go ahead, or the error for every partition. */
type CommitCheck = number;

const MAX_METADATA_LENGTH = 4096;

function failedJoin(errorCode: number, memberId = ''): JoinResult {
  return { errorCode, generationId: -1, protocolName: '', leaderId: '', memberId, members: [] };
}

/**
 * Group coordinator for the classic consumer-group protocol: join/sync barriers, generations,
 * heartbeats with session-timeout eviction, and offset commits (stored by the OffsetStore).
 */
export class GroupCoordinator {
  private readonly groups = new Map<string, Group>();
  private closed = false;

  constructor(
    private readonly settings: CoordinatorSettings,
    private readonly offsets: OffsetStore,
    private readonly logger: Logger,
  ) {}

  join(request: JoinRequest): JoinResult | Promise<JoinResult> {
    const { groupId, memberId } = request;
    if (groupId === '') return failedJoin(ErrorCode.INVALID_GROUP_ID, memberId);
    if (
      request.sessionTimeoutMs < this.settings.minSessionTimeoutMs ||
      request.sessionTimeoutMs > this.settings.maxSessionTimeoutMs
    ) {
      return failedJoin(ErrorCode.INVALID_SESSION_TIMEOUT, memberId);
    }
    if (request.protocolType === '' || request.protocols.length === 0) {
      return failedJoin(ErrorCode.INCONSISTENT_GROUP_PROTOCOL, memberId);
    }
    let group = this.groups.get(groupId);
    if (group === undefined) {
      if (memberId !== '') return failedJoin(ErrorCode.UNKNOWN_MEMBER_ID, memberId);
      group = new Group(groupId);
      this.groups.set(groupId, group);
    }
    if (!this.protocolsCompatible(group, request)) {
      return failedJoin(ErrorCode.INCONSISTENT_GROUP_PROTOCOL, memberId);
    }

    if (memberId === '') {
      // KIP-394: hand out an id and make the client come back with it.
      const newId = `${request.clientId || 'member'}-${randomUUID()}`;
      const expiry = setTimeout(() => this.expirePending(groupId, newId), request.sessionTimeoutMs);
      expiry.unref();
      group.pendingMembers.set(newId, expiry);
      return failedJoin(ErrorCode.MEMBER_ID_REQUIRED, newId);
    }

    let member = group.members.get(memberId);
    if (member === undefined) {
      const pending = group.pendingMembers.get(memberId);
      if (pending === undefined) return failedJoin(ErrorCode.UNKNOWN_MEMBER_ID, memberId);
      clearTimeout(pending);
      group.pendingMembers.delete(memberId);
      member = new Member(
        memberId,
        request.groupInstanceId,
        request.clientId,
        request.clientHost,
        request.sessionTimeoutMs,
        request.rebalanceTimeoutMs,
        request.protocols,
      );
      group.members.set(memberId, member);
      if (group.protocolType === null) group.protocolType = request.protocolType;
    } else {
      member.groupInstanceId = request.groupInstanceId;
      member.clientId = request.clientId;
      member.clientHost = request.clientHost;
      member.sessionTimeoutMs = request.sessionTimeoutMs;
      member.rebalanceTimeoutMs = request.rebalanceTimeoutMs;
      member.protocols = request.protocols;
    }

    const joined = member;
    const activeGroup = group;
    return new Promise<JoinResult>((resolve) => {
      // A second join from the same member replaces the first, which is told to rejoin.
      joined.joinWaiter?.(failedJoin(ErrorCode.REBALANCE_IN_PROGRESS, joined.memberId));
      joined.joinWaiter = resolve;
      this.clearSession(joined);
      if (activeGroup.state === 'PreparingRebalance') this.maybeCompleteJoin(activeGroup);
      else this.prepareRebalance(activeGroup, `member ${joined.memberId} joined`);
    });
  }

  private protocolsCompatible(group: Group, request: JoinRequest): boolean {
    if (group.members.size === 0) return true;
    if (group.protocolType !== request.protocolType) return false;
    // The joining member's old protocols must not count when it is already in the group.
    const others = [...group.members.values()].filter((m) => m.memberId !== request.memberId);
    if (others.length === 0) return true;
    let common = new Set(request.protocols.map((p) => p.name));
    for (const other of others) {
      const names = new Set(other.protocols.map((p) => p.name));
      common = new Set([...common].filter((name) => names.has(name)));
    }
    return common.size > 0;
  }

  private expirePending(groupId: string, memberId: string): void {
    const group = this.groups.get(groupId);
    if (group === undefined) return;
    group.pendingMembers.delete(memberId);
    this.dropIfUnused(group);
  }

  private dropIfUnused(group: Group): void {
    if (group.state === 'Empty' && group.members.size === 0 && group.pendingMembers.size === 0) {
      this.groups.delete(group.groupId);
    }
  }

  private prepareRebalance(group: Group, reason: string): void {
    if (this.closed) return;
    if (group.state === 'CompletingRebalance') {
      for (const member of group.members.values()) {
        member.assignment = Buffer.alloc(0);
        const waiter = member.syncWaiter;
        member.syncWaiter = null;
        waiter?.({ errorCode: ErrorCode.REBALANCE_IN_PROGRESS, assignment: Buffer.alloc(0) });
      }
    }
    const wasEmpty = group.state === 'Empty';
    group.state = 'PreparingRebalance';
    this.logger.info('preparing rebalance', { group: group.groupId, generation: group.generationId, reason });
    if (group.rebalanceTimer !== null) clearTimeout(group.rebalanceTimer);
    group.rebalanceTimer = setTimeout(() => this.completeJoin(group), Math.max(1, group.maxRebalanceTimeoutMs()));
    group.rebalanceTimer.unref();
    if (wasEmpty && this.settings.initialRebalanceDelayMs > 0) {
      group.initialJoinNotBefore = Date.now() + this.settings.initialRebalanceDelayMs;
      setTimeout(() => this.maybeCompleteJoin(group), this.settings.initialRebalanceDelayMs).unref();
    }
    this.maybeCompleteJoin(group);
  }

  private maybeCompleteJoin(group: Group): void {
    if (group.state !== 'PreparingRebalance' || this.closed) return;
    if (Date.now() < group.initialJoinNotBefore) return;
    if (group.allMembersJoined()) this.completeJoin(group);
  }

  /** Ends the join phase: stragglers are dropped, the generation bumped and everyone answered. */
  private completeJoin(group: Group): void {
    if (group.state !== 'PreparingRebalance' || this.closed) return;
    if (group.rebalanceTimer !== null) clearTimeout(group.rebalanceTimer);
    group.rebalanceTimer = null;
    group.initialJoinNotBefore = 0;
    for (const member of [...group.members.values()]) {
      if (member.joinWaiter === null) this.removeMember(group, member, 'did not rejoin in time', false);
    }
    group.generationId++;
    if (group.members.size === 0) {
      group.state = 'Empty';
      group.protocolName = null;
      group.protocolType = null;
      group.leaderId = null;
      this.dropIfUnused(group);
      return;
    }
    group.protocolName = group.selectProtocol();
    if (group.leaderId === null || !group.members.has(group.leaderId)) {
      group.leaderId = group.members.keys().next().value as string;
    }
    group.state = 'CompletingRebalance';
    const protocolName = group.protocolName;
    const everyone = [...group.members.values()].map((m) => ({
      memberId: m.memberId,
      groupInstanceId: m.groupInstanceId,
      metadata: m.metadataFor(protocolName),
    }));
    this.logger.info('rebalance completed', {
      group: group.groupId,
      generation: group.generationId,
      members: group.members.size,
      protocol: protocolName,
    });
    for (const member of group.members.values()) {
      const waiter = member.joinWaiter;
      member.joinWaiter = null;
      member.assignment = Buffer.alloc(0);
      this.scheduleSession(group, member);
      waiter?.({
        errorCode: ErrorCode.NONE,
        generationId: group.generationId,
        protocolName,
        leaderId: group.leaderId,
        memberId: member.memberId,
        members: member.memberId === group.leaderId ? everyone : [],
      });
    }
  }

  private scheduleSession(group: Group, member: Member): void {
    if (member.joinWaiter !== null || this.closed) return;
    if (member.sessionTimer !== null) {
      member.sessionTimer.refresh();
      return;
    }
    member.sessionTimer = setTimeout(() => {
      member.sessionTimer = null;
      if (group.members.get(member.memberId) === member) {
        this.removeMember(group, member, 'session timeout', true);
      }
    }, member.sessionTimeoutMs);
    member.sessionTimer.unref();
  }

  private clearSession(member: Member): void {
    if (member.sessionTimer !== null) clearTimeout(member.sessionTimer);
    member.sessionTimer = null;
  }

  private removeMember(group: Group, member: Member, reason: string, rebalance: boolean): void {
    this.clearSession(member);
    group.members.delete(member.memberId);
    this.logger.info('member removed', { group: group.groupId, member: member.memberId, reason });
    const joinWaiter = member.joinWaiter;
    const syncWaiter = member.syncWaiter;
    member.joinWaiter = null;
    member.syncWaiter = null;
    joinWaiter?.(failedJoin(ErrorCode.UNKNOWN_MEMBER_ID, member.memberId));
    syncWaiter?.({ errorCode: ErrorCode.UNKNOWN_MEMBER_ID, assignment: Buffer.alloc(0) });
    if (!rebalance) return;
    if (group.state === 'Stable' || group.state === 'CompletingRebalance') {
      this.prepareRebalance(group, `member ${member.memberId} left (${reason})`);
    } else if (group.state === 'PreparingRebalance') {
      this.maybeCompleteJoin(group);
    }
  }

  sync(request: SyncRequest): SyncResult | Promise<SyncResult> {
    const fail = (errorCode: number): SyncResult => ({ errorCode, assignment: Buffer.alloc(0) });
    if (request.groupId === '') return fail(ErrorCode.INVALID_GROUP_ID);
    const group = this.groups.get(request.groupId);
    const member = group?.members.get(request.memberId);
    if (group === undefined || member === undefined) return fail(ErrorCode.UNKNOWN_MEMBER_ID);
    if (request.generationId !== group.generationId) return fail(ErrorCode.ILLEGAL_GENERATION);
    switch (group.state) {
      case 'Empty':
        return fail(ErrorCode.UNKNOWN_MEMBER_ID);
      case 'PreparingRebalance':
        return fail(ErrorCode.REBALANCE_IN_PROGRESS);
      case 'Stable':
        this.scheduleSession(group, member);
        return { errorCode: ErrorCode.NONE, assignment: member.assignment };
      case 'CompletingRebalance':
        break;
    }
    this.scheduleSession(group, member);
    return new Promise<SyncResult>((resolve) => {
      member.syncWaiter?.(fail(ErrorCode.REBALANCE_IN_PROGRESS));
      member.syncWaiter = resolve;
      if (member.memberId !== group.leaderId) return;
      for (const { memberId, assignment } of request.assignments) {
        const target = group.members.get(memberId);
        if (target) target.assignment = Buffer.from(assignment);
      }
      group.state = 'Stable';
      this.logger.info('group stable', { group: group.groupId, generation: group.generationId });
      for (const m of group.members.values()) {
        const waiter = m.syncWaiter;
        m.syncWaiter = null;
        waiter?.({ errorCode: ErrorCode.NONE, assignment: m.assignment });
      }
    });
  }

  heartbeat(groupId: string, generationId: number, memberId: string): number {
    if (groupId === '') return ErrorCode.INVALID_GROUP_ID;
    const group = this.groups.get(groupId);
    const member = group?.members.get(memberId);
    if (group === undefined || member === undefined) return ErrorCode.UNKNOWN_MEMBER_ID;
    if (generationId !== group.generationId) return ErrorCode.ILLEGAL_GENERATION;
    switch (group.state) {
      case 'Empty':
        return ErrorCode.UNKNOWN_MEMBER_ID;
      case 'PreparingRebalance':
        this.scheduleSession(group, member);
        return ErrorCode.REBALANCE_IN_PROGRESS;
      default:
        this.scheduleSession(group, member);
        return ErrorCode.NONE;
    }
  }

  leave(groupId: string, memberId: string): number {
    if (groupId === '') return ErrorCode.INVALID_GROUP_ID;
    const group = this.groups.get(groupId);
    const member = group?.members.get(memberId);
    if (group === undefined || member === undefined) return ErrorCode.UNKNOWN_MEMBER_ID;
    this.removeMember(group, member, 'left the group', true);
    return ErrorCode.NONE;
  }

  /** Whether an OffsetCommit from this member/generation may be stored. */
  checkCommit(groupId: string, generationId: number, memberId: string): CommitCheck {
    if (groupId === '') return ErrorCode.INVALID_GROUP_ID;
    const group = this.groups.get(groupId);
    if (group === undefined) {
      // Without group management (generation -1) anyone may commit; an old generation may not.
      return generationId < 0 ? ErrorCode.NONE : ErrorCode.ILLEGAL_GENERATION;
    }
    if (generationId < 0 && group.state === 'Empty') return ErrorCode.NONE;
    if (group.state === 'CompletingRebalance') return ErrorCode.REBALANCE_IN_PROGRESS;
    const member = group.members.get(memberId);
    if (member === undefined) return ErrorCode.UNKNOWN_MEMBER_ID;
    if (generationId !== group.generationId) return ErrorCode.ILLEGAL_GENERATION;
    this.scheduleSession(group, member);
    return ErrorCode.NONE;
  }

  commitOffsets(groupId: string, entries: readonly OffsetCommitEntry[]): number[] {
    const codes = entries.map((e) =>
      e.metadata !== null && e.metadata.length > MAX_METADATA_LENGTH ? ErrorCode.OFFSET_METADATA_TOO_LARGE : ErrorCode.NONE,
    );
    this.offsets.commit(
      groupId,
      entries.filter((_, i) => codes[i] === ErrorCode.NONE),
    );
    return codes;
  }

  describe(groupId: string): GroupDescription {
    const group = this.groups.get(groupId);
    if (group === undefined) {
      const known = this.offsets.committed(groupId).size > 0;
      return {
        errorCode: groupId === '' ? ErrorCode.INVALID_GROUP_ID : ErrorCode.NONE,
        groupId,
        state: known ? 'Empty' : 'Dead',
        protocolType: known ? 'consumer' : '',
        protocol: '',
        members: [],
      };
    }
    const stable = group.state === 'Stable';
    return {
      errorCode: ErrorCode.NONE,
      groupId,
      state: group.state,
      protocolType: group.protocolType ?? '',
      protocol: stable || group.state === 'CompletingRebalance' ? (group.protocolName ?? '') : '',
      members: [...group.members.values()].map((m) => ({
        memberId: m.memberId,
        clientId: m.clientId,
        clientHost: m.clientHost,
        metadata: stable ? m.metadataFor(group.protocolName ?? '') : Buffer.alloc(0),
        assignment: stable ? m.assignment : Buffer.alloc(0),
      })),
    };
  }

  list(): { groupId: string; protocolType: string }[] {
    const result = new Map<string, string>();
    for (const groupId of this.offsets.groupIds()) result.set(groupId, 'consumer');
    for (const group of this.groups.values()) result.set(group.groupId, group.protocolType ?? 'consumer');
    return [...result].map(([groupId, protocolType]) => ({ groupId, protocolType }));
  }

  close(): void {
    this.closed = true;
    for (const group of this.groups.values()) {
      if (group.rebalanceTimer !== null) clearTimeout(group.rebalanceTimer);
      for (const timer of group.pendingMembers.values()) clearTimeout(timer);
      for (const member of group.members.values()) this.clearSession(member);
    }
    this.groups.clear();
  }
}
