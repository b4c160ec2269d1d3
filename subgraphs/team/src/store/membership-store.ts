import type { Prisma, PrismaClient } from '@switchboard/db';
import type { MembershipBatchPlan, MembershipFact, OrganizationMembership } from '../domain/organization-members';

type Db = Prisma.TransactionClient;

interface MembershipKey {
  organizationId: string;
  userId: string;
}

/** A team membership deleted because its user left the organization. */
export interface RemovedTeamMember {
  organizationId: string;
  teamId: string;
  userId: string;
}

/**
 * Takes, until the transaction ends, the lock of each (organization, user): `addTeamMember` holds
 * it while it checks membership and inserts, the consumer while it records a removal and deletes
 * the user's team memberships — so an add that read "member" commits before the removal's delete
 * runs (which then sees it), or reads the removal. In the order given (callers sort), so two
 * transactions never wait for each other's keys. A transaction-level advisory lock on one bigint:
 * collisions of the hash only make two users wait for each other.
 */
export async function lockMemberships(db: Db, keys: readonly MembershipKey[]): Promise<void> {
  if (keys.length === 0) return;
  const names = keys.map((key) => `team.organization_member:${key.organizationId}:${key.userId}`);
  await db.$executeRaw`
    SELECT pg_advisory_xact_lock(hashtextextended(k.name, 0))
      FROM unnest(${names}::text[]) WITH ORDINALITY AS k(name, n)
     ORDER BY k.n`;
}

/** What the projection knows of one user in one organization (read after `lockMemberships`, in its own statement). */
export async function organizationMembership(db: Db, key: MembershipKey): Promise<OrganizationMembership> {
  const row = await db.organizationMemberProjection.findUnique({
    where: { organizationId_userId: { organizationId: key.organizationId, userId: key.userId } },
    select: { isMember: true },
  });
  if (!row) return 'UNKNOWN';
  return row.isMember ? 'MEMBER' : 'REMOVED';
}

/** The team schema's projection of organization membership (writes come from the user subgraph's events). */
export class MembershipStore {
  constructor(private readonly prisma: PrismaClient) {}

  /**
   * Applies a planned batch in one transaction: locks the (organization, user) of every removal,
   * upserts the latest fact of each pair unless the row already holds a later one (the order of
   * `isLaterFact`, in SQL), then deletes the team memberships removals take away — all of the
   * user's in the organization if they end up not a member, else (a later join already arrived)
   * those added up to the removal. Returns the rows written and the team memberships deleted.
   */
  async apply(plan: MembershipBatchPlan): Promise<{ rowsWritten: number; removed: RemovedTeamMember[] }> {
    if (plan.latest.length === 0) return { rowsWritten: 0, removed: [] };
    return this.prisma.$transaction(async (tx) => {
      await lockMemberships(tx, plan.removals);
      const rowsWritten = await upsertFacts(tx, plan.latest);
      const removed = plan.removals.length > 0 ? await deleteTeamMemberships(tx, plan.removals) : [];
      return { rowsWritten, removed };
    });
  }
}

/** One statement for the whole batch (one row per pair, in the plan's order: rows are locked in that order). */
async function upsertFacts(db: Db, facts: readonly MembershipFact[]): Promise<number> {
  return db.$executeRaw`
    INSERT INTO "team"."organization_member" AS om (organization_id, user_id, is_member, occurred_at, event_id, applied_at)
    SELECT v.organization_id, v.user_id, v.is_member, v.occurred_at, v.event_id, now()
      FROM unnest(${facts.map((f) => f.organizationId)}::uuid[], ${facts.map((f) => f.userId)}::uuid[],
                  ${facts.map((f) => f.isMember)}::boolean[], ${facts.map((f) => f.at.toISOString())}::timestamptz[],
                  ${facts.map((f) => f.eventId)}::uuid[]) WITH ORDINALITY AS v(organization_id, user_id, is_member, occurred_at, event_id, n)
     ORDER BY v.n
    ON CONFLICT (organization_id, user_id) DO UPDATE
       SET is_member = EXCLUDED.is_member, occurred_at = EXCLUDED.occurred_at, event_id = EXCLUDED.event_id, applied_at = EXCLUDED.applied_at
     WHERE (EXCLUDED.occurred_at, NOT EXCLUDED.is_member, EXCLUDED.event_id) > (om.occurred_at, NOT om.is_member, om.event_id)`;
}

async function deleteTeamMemberships(db: Db, removals: MembershipBatchPlan['removals']): Promise<RemovedTeamMember[]> {
  const rows = await db.$queryRaw<{ organization_id: string; team_id: string; user_id: string }[]>`
    DELETE FROM "team"."team_member" AS tm
     USING unnest(${removals.map((r) => r.organizationId)}::uuid[], ${removals.map((r) => r.userId)}::uuid[],
                  ${removals.map((r) => r.at.toISOString())}::timestamptz[]) AS r(organization_id, user_id, removed_at)
      JOIN "team"."organization_member" AS om ON om.organization_id = r.organization_id AND om.user_id = r.user_id
     WHERE tm.organization_id = r.organization_id AND tm.user_id = r.user_id
       AND (NOT om.is_member OR tm.added_at <= r.removed_at)
    RETURNING tm.organization_id, tm.team_id, tm.user_id`;
  return rows.map((row) => ({ organizationId: row.organization_id, teamId: row.team_id, userId: row.user_id }));
}
