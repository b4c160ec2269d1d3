import { randomUUID } from 'node:crypto';
import {
  createEvent,
  invitationAccepted,
  invitationCreated,
  membershipRemoved,
  membershipRoleChanged,
  organizationCreated,
  SAMPLE_PAYLOADS,
  userRegistered,
  type SwitchboardEvent,
} from '@switchboard/events';
import { isLaterFact, mayJoinTeams, membershipFactOf, planMembershipBatch, type MembershipFact } from './organization-members';

const org = randomUUID();
const user = randomUUID();

function accepted(at: string, id?: string, userId = user): SwitchboardEvent {
  return createEvent(invitationAccepted, { invitationId: randomUUID(), organizationId: org, userId, role: 'AGENT' }, { organizationId: org, occurredAt: at, ...(id ? { id } : {}) }) as SwitchboardEvent;
}

function removed(at: string, id?: string, userId = user): SwitchboardEvent {
  return createEvent(membershipRemoved, { organizationId: org, userId, role: 'AGENT', removedByUserId: randomUUID() }, { organizationId: org, occurredAt: at, ...(id ? { id } : {}) }) as SwitchboardEvent;
}

function permutations<T>(items: T[]): T[][] {
  if (items.length <= 1) return [items];
  return items.flatMap((item, i) => permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest]));
}

describe('membership facts of the user subgraph’s events', () => {
  const at = '2026-11-22T10:00:00.000Z';

  it('reads who joined and who left, at the event’s occurredAt', () => {
    const owner = randomUUID();
    const cases: [SwitchboardEvent, string, boolean][] = [
      [createEvent(organizationCreated, { organizationId: org, name: 'Acme', ownerUserId: owner }, { organizationId: org, occurredAt: at }) as SwitchboardEvent, owner, true],
      [createEvent(userRegistered, { userId: user, organizationId: org, via: 'SIGN_UP' }, { organizationId: org, occurredAt: at }) as SwitchboardEvent, user, true],
      [createEvent(userRegistered, { userId: user, organizationId: org, via: 'INVITATION' }, { organizationId: org, occurredAt: at }) as SwitchboardEvent, user, true],
      [accepted(at), user, true],
      [
        createEvent(membershipRoleChanged, { organizationId: org, userId: user, previousRole: 'AGENT', role: 'ADMIN', changedByUserId: owner }, { organizationId: org, occurredAt: at }) as SwitchboardEvent,
        user,
        true,
      ],
      [removed(at), user, false],
    ];
    for (const [event, userId, isMember] of cases) {
      expect(membershipFactOf(event)).toEqual({ organizationId: org, userId, isMember, at: new Date(at), eventId: event.id });
    }
  });

  it('ignores events that say nothing about membership (an invitation sent is no membership yet)', () => {
    const invitation = createEvent(invitationCreated, SAMPLE_PAYLOADS['invitation.created'], { organizationId: org }) as SwitchboardEvent;
    expect(membershipFactOf(invitation)).toBeNull();
  });
});

describe('which fact is later', () => {
  const fact = (at: string, isMember: boolean, eventId: string): MembershipFact => ({ organizationId: org, userId: user, isMember, at: new Date(at), eventId });
  const ids = ['0190a5f0-0000-7000-8000-000000000001', '0190a5f0-0000-7000-8000-000000000002'] as const;

  it('the later occurredAt wins, whatever it says', () => {
    expect(isLaterFact(fact('2026-11-22T10:00:00.001Z', true, ids[0]), fact('2026-11-22T10:00:00.000Z', false, ids[1]))).toBe(true);
    expect(isLaterFact(fact('2026-11-22T10:00:00.000Z', false, ids[1]), fact('2026-11-22T10:00:00.001Z', true, ids[0]))).toBe(false);
  });

  it('at the same instant a removal wins over a join, then the greater event id; an event is not later than itself', () => {
    const t = '2026-11-22T10:00:00.000Z';
    expect(isLaterFact(fact(t, false, ids[0]), fact(t, true, ids[1]))).toBe(true);
    expect(isLaterFact(fact(t, true, ids[1]), fact(t, false, ids[0]))).toBe(false);
    expect(isLaterFact(fact(t, true, ids[1]), fact(t, true, ids[0]))).toBe(true);
    expect(isLaterFact(fact(t, true, ids[0]), fact(t, true, ids[1]))).toBe(false);
    expect(isLaterFact(fact(t, true, ids[0]), fact(t, true, ids[0]))).toBe(false);
  });
});

describe('planning a batch', () => {
  it('keeps the latest fact per (organization, user) whatever the order of the events, and the latest removal time', () => {
    const events = [accepted('2026-11-22T10:00:00.000Z'), removed('2026-11-22T11:00:00.000Z'), accepted('2026-11-22T12:00:00.000Z'), removed('2026-11-22T09:00:00.000Z')];
    const plans = permutations(events).map(planMembershipBatch);
    for (const plan of plans) expect(plan).toEqual(plans[0]);
    expect(plans[0]).toEqual({
      latest: [expect.objectContaining({ organizationId: org, userId: user, isMember: true, at: new Date('2026-11-22T12:00:00.000Z'), eventId: events[2]!.id })],
      removals: [{ organizationId: org, userId: user, at: new Date('2026-11-22T11:00:00.000Z') }],
    });
  });

  it('a removal delivered with an older join ends removed; the same event twice is one fact', () => {
    const leave = removed('2026-11-22T11:00:00.000Z');
    for (const order of permutations([accepted('2026-11-22T10:00:00.000Z'), leave, leave])) {
      expect(planMembershipBatch(order).latest).toEqual([expect.objectContaining({ isMember: false, eventId: leave.id })]);
    }
  });

  it('orders rows by organization and user (the order the store locks them in), one per pair', () => {
    const users = [randomUUID(), randomUUID(), randomUUID()];
    const plan = planMembershipBatch(users.flatMap((userId) => [accepted('2026-11-22T10:00:00.000Z', undefined, userId), removed('2026-11-22T10:00:01.000Z', undefined, userId)]));
    expect(plan.latest.map((fact) => fact.userId)).toEqual([...users].sort());
    expect(plan.removals.map((removal) => removal.userId)).toEqual([...users].sort());
    expect(plan.latest.every((fact) => !fact.isMember)).toBe(true);
  });

  it('plans nothing for events without membership facts', () => {
    expect(planMembershipBatch([createEvent(invitationCreated, SAMPLE_PAYLOADS['invitation.created'], { organizationId: org }) as SwitchboardEvent])).toEqual({
      latest: [],
      removals: [],
    });
  });
});

describe('who may be added to a team', () => {
  const caller = randomUUID();
  it.each([
    ['a member', 'MEMBER', 'other', true],
    ['the caller, a member', 'MEMBER', 'caller', true],
    ['someone the projection does not know', 'UNKNOWN', 'other', false],
    ['the caller before their joining arrived (the gateway vouches for them)', 'UNKNOWN', 'caller', true],
    ['a removed member', 'REMOVED', 'other', false],
    ['the caller, removed as far as the projection knows', 'REMOVED', 'caller', false],
  ] as const)('%s → %s', (_case, membership, who, allowed) => {
    expect(mayJoinTeams(membership, who === 'caller' ? caller : randomUUID(), caller)).toBe(allowed);
  });
});
