import type { AuthenticatedCaller } from '@switchboard/auth';
import type { Logger } from '@switchboard/config';
import { roleAtLeast } from '@switchboard/auth';
import { conflict, notFound, userError } from '@switchboard/subgraph-kit';
import {
  DuplicateTeamMemberError,
  DuplicateTeamNameError,
  type LockedTeam,
  type TeamRecord,
  type TeamStore,
} from '../store/team-store';
import { isTeamId, parseUserId } from './ids';
import { mayJoinTeams } from './organization-members';
import type { TeamChangeKind, TeamEvents } from './team-events';
import { parseTeamName, teamNameKey } from './team-name';
import { assertCanManageMembers, assertCanManageTeams, type TeamRole } from './team-policy';

/**
 * The team rules: who may do what, names, membership. Every method takes the caller and works only
 * inside the caller's organization; a team of another organization is NOT_FOUND, exactly like a
 * team that does not exist.
 */
export class TeamService {
  constructor(
    private readonly store: TeamStore,
    private readonly events: TeamEvents,
    private readonly log: Logger,
  ) {}

  async team(caller: AuthenticatedCaller, id: string): Promise<TeamRecord> {
    const team = isTeamId(id) ? await this.store.findTeam(caller.organizationId, id) : null;
    if (!team) throw notFound('Team', id);
    return team;
  }

  teams(caller: AuthenticatedCaller): Promise<TeamRecord[]> {
    return this.store.listTeams(caller.organizationId);
  }

  async createTeam(caller: AuthenticatedCaller, rawName: string): Promise<TeamRecord> {
    assertCanManageTeams(caller.role);
    const name = parseTeamName(rawName);
    const key = teamNameKey(name);
    await this.assertNameFree(caller.organizationId, key);
    let team: TeamRecord;
    try {
      team = await this.store.createTeam(caller.organizationId, name, key);
    } catch (error) {
      // Created concurrently by someone else: name the winner.
      if (error instanceof DuplicateTeamNameError) throw await this.nameTaken(caller.organizationId, key, name);
      throw error;
    }
    await this.changed(team, 'CREATED', caller);
    return team;
  }

  async renameTeam(caller: AuthenticatedCaller, id: string, rawName: string): Promise<TeamRecord> {
    assertCanManageTeams(caller.role);
    const name = parseTeamName(rawName);
    const current = await this.team(caller, id);
    if (current.name === name) return current;
    const key = teamNameKey(name);
    await this.assertNameFree(caller.organizationId, key, current.id);
    let team: TeamRecord | null;
    try {
      team = await this.store.renameTeam(caller.organizationId, current.id, name, key);
    } catch (error) {
      if (error instanceof DuplicateTeamNameError) throw await this.nameTaken(caller.organizationId, key, name);
      throw error;
    }
    if (!team) throw notFound('Team', id); // deleted meanwhile
    await this.changed(team, 'RENAMED', caller);
    return team;
  }

  /** Deletes the team and its memberships; returns its id. */
  async deleteTeam(caller: AuthenticatedCaller, id: string): Promise<string> {
    assertCanManageTeams(caller.role);
    const team = await this.team(caller, id);
    if (!(await this.store.deleteTeam(caller.organizationId, team.id))) throw notFound('Team', id);
    await this.changed(team, 'DELETED', caller);
    return team.id;
  }

  async addTeamMember(caller: AuthenticatedCaller, teamId: string, rawUserId: string, role: TeamRole): Promise<TeamRecord> {
    const userId = parseUserId(rawUserId);
    try {
      return await this.changeMembers(caller, teamId, 'MEMBER_ADDED', async (team) => {
        if (await team.roleOf(userId)) throw alreadyMember(team.team, userId);
        if (!mayJoinTeams(await team.organizationMembership(userId), userId, caller.userId)) throw notAnOrganizationMember(userId);
        await team.addMember(userId, role);
        return true;
      });
    } catch (error) {
      // Two concurrent adds of the same user: the loser meets the primary key.
      if (error instanceof DuplicateTeamMemberError) throw alreadyMember(await this.team(caller, teamId), userId);
      throw error;
    }
  }

  async removeTeamMember(caller: AuthenticatedCaller, teamId: string, rawUserId: string): Promise<TeamRecord> {
    const userId = parseUserId(rawUserId);
    return this.changeMembers(caller, teamId, 'MEMBER_REMOVED', async (team) => {
      if (!(await team.removeMember(userId))) throw notAMember(team.team, userId);
      return true;
    });
  }

  async setTeamMemberRole(caller: AuthenticatedCaller, teamId: string, rawUserId: string, role: TeamRole): Promise<TeamRecord> {
    const userId = parseUserId(rawUserId);
    return this.changeMembers(caller, teamId, 'MEMBER_ROLE_CHANGED', async (team) => {
      const current = await team.roleOf(userId);
      if (!current) throw notAMember(team.team, userId);
      if (current === role) return false;
      await team.setRole(userId, role);
      return true;
    });
  }

  /**
   * Runs a membership change with the team locked, after checking that the caller may manage this
   * team's members. `change` answers whether anything changed (an event is published if so).
   */
  private async changeMembers(
    caller: AuthenticatedCaller,
    teamId: string,
    kind: TeamChangeKind,
    change: (team: LockedTeam) => Promise<boolean>,
  ): Promise<TeamRecord> {
    // No team role lifts a VIEWER: refuse before looking anything up.
    if (!roleAtLeast(caller.role, 'AGENT')) assertCanManageMembers(caller.role, null);
    const outcome = isTeamId(teamId)
      ? await this.store.withLockedTeam(caller.organizationId, teamId, async (team) => {
          assertCanManageMembers(caller.role, await team.roleOf(caller.userId));
          return { team: team.team, changed: await change(team) };
        })
      : null;
    if (!outcome) throw notFound('Team', teamId);
    const { team, changed } = outcome.result;
    if (changed) await this.changed(team, kind, caller);
    return team;
  }

  /** CONFLICT naming the team that already has this name (other than `exceptTeamId`). */
  private async assertNameFree(organizationId: string, nameKey: string, exceptTeamId?: string): Promise<void> {
    const existing = await this.store.findTeamByNameKey(organizationId, nameKey);
    if (existing && existing.id !== exceptTeamId) throw nameConflict(existing.name, existing.id);
  }

  private async nameTaken(organizationId: string, nameKey: string, name: string) {
    const existing = await this.store.findTeamByNameKey(organizationId, nameKey);
    return nameConflict(existing?.name ?? name, existing?.id);
  }

  private async changed(team: TeamRecord, kind: TeamChangeKind, caller: AuthenticatedCaller): Promise<void> {
    this.log.info({ teamId: team.id, kind, userId: caller.userId }, 'team changed');
    await this.events.changed({ organizationId: team.organizationId, teamId: team.id, kind });
  }
}

function nameConflict(existingName: string, existingTeamId: string | undefined) {
  return conflict(`A team named "${existingName}" already exists`, {
    field: 'name',
    existingTeamName: existingName,
    ...(existingTeamId ? { existingTeamId } : {}),
  });
}

function alreadyMember(team: TeamRecord, userId: string) {
  return conflict(`User ${userId} is already a member of team "${team.name}"`, { field: 'userId' });
}

/**
 * The user is not a member of the caller's organization as far as this subgraph knows — the same
 * answer for an id nobody has and for a member of another organization. Someone who has just
 * joined is known here a moment later (the user subgraph's events travel through Kafka).
 */
function notAnOrganizationMember(userId: string) {
  return userError(
    'NOT_FOUND',
    `User ${userId} is not a member of your organization. If they have just accepted an invitation, try again in a few seconds.`,
    { entity: 'User', field: 'userId' },
  );
}

function notAMember(team: TeamRecord, userId: string) {
  return userError('NOT_FOUND', `User ${userId} is not a member of team "${team.name}"`, {
    entity: 'TeamMember',
    field: 'userId',
  });
}
