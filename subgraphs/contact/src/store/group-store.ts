import { Prisma, type PrismaClient } from '@switchboard/db';
import type { ContactGroupRecord, KeysetPage } from '../domain/types';
import { isRecordNotFound } from './sql';

/** Contact groups and their memberships. Every method is scoped to one organization. */
export class GroupStore {
  constructor(private readonly prisma: PrismaClient) {}

  findByIds(organizationId: string, ids: readonly string[]): Promise<ContactGroupRecord[]> {
    if (ids.length === 0) return Promise.resolve([]);
    return this.prisma.contactGroup.findMany({ where: { organizationId, id: { in: [...ids] } } });
  }

  findByNameKey(organizationId: string, nameKey: string): Promise<ContactGroupRecord | null> {
    return this.prisma.contactGroup.findFirst({ where: { organizationId, nameKey } });
  }

  create(organizationId: string, name: string, nameKey: string): Promise<ContactGroupRecord> {
    return this.prisma.contactGroup.create({ data: { organizationId, name, nameKey } });
  }

  async rename(organizationId: string, id: string, name: string, nameKey: string): Promise<ContactGroupRecord | null> {
    try {
      return await this.prisma.contactGroup.update({ where: { id, organizationId }, data: { name, nameKey } });
    } catch (error) {
      if (isRecordNotFound(error)) return null;
      throw error;
    }
  }

  async delete(organizationId: string, id: string): Promise<boolean> {
    const { count } = await this.prisma.contactGroup.deleteMany({ where: { id, organizationId } });
    return count > 0;
  }

  list(organizationId: string, page: KeysetPage): Promise<ContactGroupRecord[]> {
    const after = page.after ? Prisma.sql`AND (g.name_key, g.id) > (${page.after.key}, ${page.after.id}::uuid)` : Prisma.empty;
    return this.prisma.$queryRaw<ContactGroupRecord[]>`
      SELECT g.id, g.organization_id AS "organizationId", g.name, g.name_key AS "nameKey",
             g.created_at AS "createdAt", g.updated_at AS "updatedAt"
      FROM contact.contact_group g
      WHERE g.organization_id = ${organizationId}::uuid ${after}
      ORDER BY g.name_key, g.id
      LIMIT ${page.first + 1}`;
  }

  count(organizationId: string): Promise<number> {
    return this.prisma.contactGroup.count({ where: { organizationId } });
  }

  /** Which of these ids are contacts of the organization. */
  async existingContactIds(organizationId: string, ids: readonly string[]): Promise<Set<string>> {
    const rows = await this.prisma.contact.findMany({
      where: { organizationId, id: { in: [...ids] } },
      select: { id: true },
    });
    return new Set(rows.map((row) => row.id));
  }

  /**
   * Adds members in one statement — only contacts of the organization, and ones already in the
   * group are left alone. Returns how many were added.
   */
  addMembers(organizationId: string, groupId: string, contactIds: readonly string[]): Promise<number> {
    return this.prisma.$executeRaw`
      INSERT INTO contact.contact_group_member (group_id, contact_id, organization_id)
      SELECT ${groupId}::uuid, c.id, c.organization_id FROM contact.contact c
      WHERE c.organization_id = ${organizationId}::uuid AND c.id = ANY(${[...contactIds]}::uuid[])
      ON CONFLICT (group_id, contact_id) DO NOTHING`;
  }

  async removeMembers(organizationId: string, groupId: string, contactIds: readonly string[]): Promise<number> {
    const { count } = await this.prisma.contactGroupMember.deleteMany({
      where: { organizationId, groupId, contactId: { in: [...contactIds] } },
    });
    return count;
  }

  /** Member counts of many groups in one query (absent groups have none). */
  async memberCounts(organizationId: string, groupIds: readonly string[]): Promise<Map<string, number>> {
    const rows = await this.prisma.contactGroupMember.groupBy({
      by: ['groupId'],
      where: { organizationId, groupId: { in: [...groupIds] } },
      _count: { _all: true },
    });
    return new Map(rows.map((row) => [row.groupId, row._count._all]));
  }

  /** The groups of many contacts in one query, each list ordered by group name. */
  async groupsOfContacts(organizationId: string, contactIds: readonly string[]): Promise<Map<string, ContactGroupRecord[]>> {
    const rows = await this.prisma.contactGroupMember.findMany({
      where: { organizationId, contactId: { in: [...contactIds] } },
      include: { group: true },
      orderBy: [{ group: { nameKey: 'asc' } }, { groupId: 'asc' }],
    });
    const byContact = new Map<string, ContactGroupRecord[]>();
    for (const row of rows) {
      const list = byContact.get(row.contactId) ?? [];
      list.push(row.group);
      byContact.set(row.contactId, list);
    }
    return byContact;
  }
}
