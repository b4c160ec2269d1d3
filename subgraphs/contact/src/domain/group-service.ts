import { badUserInput, conflict, notFound } from '@switchboard/subgraph-kit';
import type { GroupStore } from '../store/group-store';
import { isUniqueViolation } from '../store/sql';
import { parsePageRequest, toPage, type Page } from './cursor';
import { isUuid } from './ids';
import type { ContactGroupRecord } from './types';

export const MAX_GROUP_NAME = 100;
/** Contacts added or removed in one call. */
export const MAX_BULK_IDS = 10_000;

export interface GroupPage extends Page<ContactGroupRecord> {
  countTotal: () => Promise<number>;
}

export function checkGroupName(input: string): { name: string; nameKey: string } {
  const name = input.trim().replace(/\s+/g, ' ');
  if (name.length === 0) throw badUserInput('Group name is required', 'name', { reason: 'REQUIRED' });
  if (name.length > MAX_GROUP_NAME) {
    throw badUserInput(`Group name is longer than ${MAX_GROUP_NAME} characters`, 'name', { reason: 'TOO_LONG' });
  }
  return { name, nameKey: name.toLowerCase() };
}

function checkIds(ids: readonly string[]): string[] {
  if (ids.length > MAX_BULK_IDS) {
    throw badUserInput(`At most ${MAX_BULK_IDS} contacts per call`, 'contactIds', { reason: 'TOO_MANY' });
  }
  return [...new Set(ids.map((id) => id.toLowerCase()))];
}

/** Contact groups: names, membership (roles are checked by resolvers). */
export class GroupService {
  constructor(private readonly store: GroupStore) {}

  async get(organizationId: string, id: string): Promise<ContactGroupRecord> {
    const [group] = isUuid(id) ? await this.store.findByIds(organizationId, [id]) : [];
    if (!group) throw notFound('ContactGroup', id);
    return group;
  }

  loadMany(organizationId: string, ids: readonly string[]): Promise<ContactGroupRecord[]> {
    return this.store.findByIds(organizationId, ids.filter(isUuid));
  }

  async create(organizationId: string, input: { name: string }): Promise<ContactGroupRecord> {
    const { name, nameKey } = checkGroupName(input.name);
    await this.refuseTakenName(organizationId, nameKey);
    try {
      return await this.store.create(organizationId, name, nameKey);
    } catch (error) {
      if (isUniqueViolation(error)) await this.refuseTakenName(organizationId, nameKey);
      throw error;
    }
  }

  async rename(organizationId: string, id: string, newName: string): Promise<ContactGroupRecord> {
    const group = await this.get(organizationId, id);
    const { name, nameKey } = checkGroupName(newName);
    if (nameKey !== group.nameKey) await this.refuseTakenName(organizationId, nameKey);
    let renamed: ContactGroupRecord | null;
    try {
      renamed = await this.store.rename(organizationId, group.id, name, nameKey);
    } catch (error) {
      if (isUniqueViolation(error)) await this.refuseTakenName(organizationId, nameKey);
      throw error;
    }
    if (!renamed) throw notFound('ContactGroup', id);
    return renamed;
  }

  async delete(organizationId: string, id: string): Promise<string> {
    const deleted = isUuid(id) && (await this.store.delete(organizationId, id));
    if (!deleted) throw notFound('ContactGroup', id);
    return id;
  }

  /**
   * All or nothing: every id must be a contact of the organization, else NOT_FOUND listing the
   * missing ones (at most 50) and nothing is added.
   */
  async addContacts(organizationId: string, groupId: string, contactIds: readonly string[]): Promise<ContactGroupRecord> {
    const group = await this.get(organizationId, groupId);
    const ids = checkIds(contactIds);
    const valid = ids.filter(isUuid);
    const existing = valid.length > 0 ? await this.store.existingContactIds(organizationId, valid) : new Set<string>();
    const missing = ids.filter((id) => !existing.has(id));
    if (missing.length > 0) {
      const error = notFound('Contact', missing[0]);
      Object.assign(error.extensions, { field: 'contactIds', missingContactIds: missing.slice(0, 50), missingCount: missing.length });
      throw error;
    }
    if (ids.length > 0) await this.store.addMembers(organizationId, group.id, ids);
    return group;
  }

  async removeContacts(organizationId: string, groupId: string, contactIds: readonly string[]): Promise<ContactGroupRecord> {
    const group = await this.get(organizationId, groupId);
    const ids = checkIds(contactIds).filter(isUuid);
    if (ids.length > 0) await this.store.removeMembers(organizationId, group.id, ids);
    return group;
  }

  async list(organizationId: string, first: number | null | undefined, after: string | null | undefined): Promise<GroupPage> {
    const request = parsePageRequest('group', first, after);
    const rows = await this.store.list(organizationId, request);
    return {
      ...toPage('group', rows, request, (row) => ({ key: row.nameKey, id: row.id })),
      countTotal: () => this.store.count(organizationId),
    };
  }

  memberCounts(organizationId: string, groupIds: readonly string[]): Promise<Map<string, number>> {
    return this.store.memberCounts(organizationId, groupIds);
  }

  groupsOfContacts(organizationId: string, contactIds: readonly string[]): Promise<Map<string, ContactGroupRecord[]>> {
    return this.store.groupsOfContacts(organizationId, contactIds);
  }

  private async refuseTakenName(organizationId: string, nameKey: string): Promise<void> {
    const taken = await this.store.findByNameKey(organizationId, nameKey);
    if (taken) {
      throw conflict('Another group of this organization has this name', { field: 'name', existingGroupId: taken.id });
    }
  }
}
