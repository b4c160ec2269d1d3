import type { PrismaClient, Team, TeamMember } from '@switchboard/db';
import type { OrganizationMembership } from '../domain/organization-members';
import type { TeamRole } from '../domain/team-policy';
import { lockMemberships, organizationMembership } from './membership-store';

export type TeamRecord = Team;
export type TeamMemberRecord = TeamMember;

/** Another team of the organization already has this name (in any letter case). */
export class DuplicateTeamNameError extends Error {
  constructor() {
    super('duplicate team name');
    this.name = 'DuplicateTeamNameError';
  }
}

/** The user is already a member of the team. */
export class DuplicateTeamMemberError extends Error {
  constructor() {
    super('duplicate team member');
    this.name = 'DuplicateTeamMemberError';
  }
}

function isUniqueViolation(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 'P2002';
}

type Transaction = Parameters<Parameters<PrismaClient['$transaction']>[0]>[0];

/**
 * The members of one team, inside a transaction that holds the team's row lock: concurrent
 * membership changes of the same team run one after the other, so a permission read here stays
 * true until the change commits.
 */
export interface LockedTeam {
  team: TeamRecord;
  roleOf(userId: string): Promise<TeamRole | null>;
  /**
   * What the organization-membership projection knows of the user, holding that user's
   * membership lock until commit: a removal being applied meanwhile either finished first (and is
   * seen here) or waits and then deletes what this transaction adds.
   */
  organizationMembership(userId: string): Promise<OrganizationMembership>;
  addMember(userId: string, role: TeamRole): Promise<void>;
  /** False when the user was not a member. */
  removeMember(userId: string): Promise<boolean>;
  setRole(userId: string, role: TeamRole): Promise<void>;
}

/** Every read and write of the team schema. Every method is scoped to one organization. */
export class TeamStore {
  constructor(private readonly prisma: PrismaClient) {}

  findTeam(organizationId: string, id: string): Promise<TeamRecord | null> {
    return this.prisma.team.findFirst({ where: { id, organizationId } });
  }

  findTeams(organizationId: string, ids: readonly string[]): Promise<TeamRecord[]> {
    return this.prisma.team.findMany({ where: { organizationId, id: { in: [...ids] } } });
  }

  findTeamByNameKey(organizationId: string, nameKey: string): Promise<TeamRecord | null> {
    return this.prisma.team.findUnique({ where: { organizationId_nameKey: { organizationId, nameKey } } });
  }

  /** Ordered by name regardless of letter case (ties by exact name, then id: a stable order). */
  listTeams(organizationId: string): Promise<TeamRecord[]> {
    return this.prisma.team.findMany({
      where: { organizationId },
      orderBy: [{ nameKey: 'asc' }, { name: 'asc' }, { id: 'asc' }],
    });
  }

  /** @throws DuplicateTeamNameError */
  async createTeam(organizationId: string, name: string, nameKey: string): Promise<TeamRecord> {
    try {
      return await this.prisma.team.create({ data: { organizationId, name, nameKey } });
    } catch (error) {
      if (isUniqueViolation(error)) throw new DuplicateTeamNameError();
      throw error;
    }
  }

  /** Null when there is no such team in the organization. @throws DuplicateTeamNameError */
  async renameTeam(organizationId: string, id: string, name: string, nameKey: string): Promise<TeamRecord | null> {
    try {
      return await this.prisma.$transaction(async (tx) => {
        const { count } = await tx.team.updateMany({ where: { id, organizationId }, data: { name, nameKey } });
        return count === 0 ? null : tx.team.findUnique({ where: { id } });
      });
    } catch (error) {
      if (isUniqueViolation(error)) throw new DuplicateTeamNameError();
      throw error;
    }
  }

  /** Deletes the team and its memberships; false when there is no such team in the organization. */
  async deleteTeam(organizationId: string, id: string): Promise<boolean> {
    const { count } = await this.prisma.team.deleteMany({ where: { id, organizationId } });
    return count > 0;
  }

  /** Members of these teams: leads first, then in the order they were added. */
  membersOfTeams(organizationId: string, teamIds: readonly string[]): Promise<TeamMemberRecord[]> {
    return this.prisma.teamMember.findMany({
      where: { organizationId, teamId: { in: [...teamIds] } },
      orderBy: [{ role: 'asc' }, { addedAt: 'asc' }, { userId: 'asc' }],
    });
  }

  /** The teams of the organization each of these users is a member of, ordered by name. */
  async teamsOfUsers(organizationId: string, userIds: readonly string[]): Promise<Map<string, TeamRecord[]>> {
    const rows = await this.prisma.teamMember.findMany({
      where: { organizationId, userId: { in: [...userIds] } },
      include: { team: true },
      orderBy: [{ team: { nameKey: 'asc' } }, { team: { name: 'asc' } }, { teamId: 'asc' }],
    });
    const byUser = new Map<string, TeamRecord[]>(userIds.map((id) => [id, []]));
    for (const row of rows) byUser.get(row.userId)?.push(row.team);
    return byUser;
  }

  /**
   * Runs `change` with the team's row locked (null when there is no such team in the
   * organization). Throwing inside `change` rolls everything back.
   */
  async withLockedTeam<T>(
    organizationId: string,
    teamId: string,
    change: (team: LockedTeam) => Promise<T>,
  ): Promise<{ result: T } | null> {
    try {
      return await this.prisma.$transaction(async (tx) => {
        // Touching the row takes its lock until commit; it also records when membership changed.
        const { count } = await tx.team.updateMany({ where: { id: teamId, organizationId }, data: { updatedAt: new Date() } });
        if (count === 0) return null;
        const team = await tx.team.findUniqueOrThrow({ where: { id: teamId } });
        return { result: await change(lockedTeam(tx, team)) };
      });
    } catch (error) {
      if (isUniqueViolation(error)) throw new DuplicateTeamMemberError();
      throw error;
    }
  }
}

function lockedTeam(tx: Transaction, team: TeamRecord): LockedTeam {
  const key = (userId: string) => ({ teamId_userId: { teamId: team.id, userId } });
  return {
    team,
    async roleOf(userId) {
      const member = await tx.teamMember.findUnique({ where: key(userId), select: { role: true } });
      return member?.role ?? null;
    },
    async organizationMembership(userId) {
      const key = { organizationId: team.organizationId, userId };
      await lockMemberships(tx, [key]);
      return organizationMembership(tx, key);
    },
    async addMember(userId, role) {
      await tx.teamMember.create({ data: { teamId: team.id, userId, organizationId: team.organizationId, role } });
    },
    async removeMember(userId) {
      const { count } = await tx.teamMember.deleteMany({ where: { teamId: team.id, userId } });
      return count > 0;
    },
    async setRole(userId, role) {
      await tx.teamMember.update({ where: key(userId), data: { role } });
    },
  };
}
