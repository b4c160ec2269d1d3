import DataLoader from 'dataloader';
import type { Membership } from '@switchboard/db';
import { createEntityLoader } from '@switchboard/subgraph-kit';
import { membershipKey, type UserLoaders } from './context';
import { isUuid } from './domain/ids';
import type { UserStore } from './store';

/** Per-request batching of the lookups field resolvers make (members lists, references). */
export function createLoaders(store: UserStore): UserLoaders {
  const uuids = (ids: readonly string[]) => ids.filter(isUuid);
  return {
    user: createEntityLoader((ids) => store.accounts.findUsersByIds(uuids(ids))),
    organization: createEntityLoader((ids) => store.organizations.findOrganizationsByIds(uuids(ids))),
    membership: new DataLoader<string, Membership | null>(async (keys) => {
      const pairs = keys
        .map((key) => {
          const [organizationId = '', userId = ''] = key.split(':');
          return { organizationId, userId };
        })
        .filter((pair) => isUuid(pair.organizationId) && isUuid(pair.userId));
      const rows = pairs.length > 0 ? await store.organizations.findMembershipsByPairs(pairs) : [];
      const byKey = new Map(rows.map((row) => [membershipKey(row.organizationId, row.userId), row]));
      return keys.map((key) => byKey.get(key) ?? null);
    }),
    membershipsOfUser: new DataLoader<string, Membership[]>(async (userIds) =>
      Promise.all(userIds.map((userId) => (isUuid(userId) ? store.organizations.listMembershipsOfUser(userId) : []))),
    ),
  };
}
