import { badUserInput } from '@switchboard/subgraph-kit';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Organization, user and team ids are UUIDs. */
export function isUuid(id: string): boolean {
  return UUID.test(id);
}

/** Any string that is not a UUID names no team (NOT_FOUND), without asking the database. */
export const isTeamId = isUuid;

/**
 * A user id as given by a client (users are UUIDs, issued by the user subgraph). This subgraph
 * cannot see users (see the README), so this only refuses what cannot be a user id at all.
 */
export function parseUserId(raw: string): string {
  const userId = raw.trim().toLowerCase();
  if (!UUID.test(userId)) throw badUserInput('This is not a user id', 'userId');
  return userId;
}
