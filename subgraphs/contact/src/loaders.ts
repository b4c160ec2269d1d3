import DataLoader from 'dataloader';
import type { Caller } from '@switchboard/auth';
import { createEntityLoader } from '@switchboard/subgraph-kit';
import type { ContactLoaders, ContactServices } from './context';
import type { ContactGroupRecord, ContactRecord } from './domain/types';

/**
 * Loaders for one request, scoped to the caller's organization: ids of other organizations load
 * as null, exactly like ids that do not exist. An anonymous caller loads nothing.
 */
export function createLoaders(caller: Caller, services: ContactServices): ContactLoaders {
  const organizationId = caller.kind === 'user' ? caller.organizationId : null;
  return {
    contact: createEntityLoader<ContactRecord>((ids) =>
      organizationId ? services.contacts.loadMany(organizationId, ids) : Promise.resolve([]),
    ),
    group: createEntityLoader<ContactGroupRecord>((ids) =>
      organizationId ? services.groups.loadMany(organizationId, ids) : Promise.resolve([]),
    ),
    memberCount: new DataLoader<string, number>(async (groupIds) => {
      const counts = organizationId ? await services.groups.memberCounts(organizationId, groupIds) : new Map<string, number>();
      return groupIds.map((id) => counts.get(id) ?? 0);
    }),
    groupsOfContact: new DataLoader<string, ContactGroupRecord[]>(async (contactIds) => {
      const groups = organizationId
        ? await services.groups.groupsOfContacts(organizationId, contactIds)
        : new Map<string, ContactGroupRecord[]>();
      return contactIds.map((id) => groups.get(id) ?? []);
    }),
  };
}
