import { Prisma, type PrismaClient } from '@switchboard/db';
import { sortKeyOf, type ConsentChannel, type ConsentStatus } from '../domain/contact-fields';
import type { ContactChanges, ContactListFilter, ContactRecord, KeysetPage, NewContact } from '../domain/types';
import { CONTACT_COLUMNS, escapeLike, isRecordNotFound } from './sql';

const CONSENT_FIELDS = {
  EMAIL: { status: 'emailConsent', source: 'emailConsentSource', at: 'emailConsentAt', column: Prisma.raw('c.email_consent') },
  SMS: { status: 'smsConsent', source: 'smsConsentSource', at: 'smsConsentAt', column: Prisma.raw('c.sms_consent') },
  WHATSAPP: {
    status: 'whatsappConsent',
    source: 'whatsappConsentSource',
    at: 'whatsappConsentAt',
    column: Prisma.raw('c.whatsapp_consent'),
  },
} as const;

/** Prisma data for one channel's consent decision. */
export function consentData(channel: ConsentChannel, status: ConsentStatus, source: string, at: Date) {
  const fields = CONSENT_FIELDS[channel];
  return { [fields.status]: status, [fields.source]: source, [fields.at]: at } as Prisma.ContactUpdateInput;
}

/**
 * The search predicate: case- and accent-insensitive substring of the name (its sort key), the
 * email or the phone (digits, a national trunk `0` dropped), or — for terms of 3+ letters — a name
 * with a word similar to the term (pg_trgm word similarity, so `jonathon` finds `Jonathan`). Every
 * branch is served by a trigram GIN index.
 */
export function searchPredicate(search: string): Prisma.Sql {
  const term = sortKeyOf(search.trim()).slice(0, 100);
  const pattern = `%${escapeLike(term)}%`;
  const branches = [Prisma.sql`c.sort_name LIKE ${pattern}`, Prisma.sql`c.email LIKE ${pattern}`];
  if (/^[\d\s()+./-]+$/.test(term)) {
    const digits = term.replace(/\D/g, '').replace(/^0+/, '');
    if (digits.length >= 3) branches.push(Prisma.sql`c.phone LIKE ${`%${digits}%`}`);
  }
  if (term.length >= 3 && /\p{L}/u.test(term)) branches.push(Prisma.sql`c.sort_name %> ${term}`);
  return Prisma.sql`(${Prisma.join(branches, ' OR ')})`;
}

function filterPredicate(organizationId: string, filter: ContactListFilter): Prisma.Sql {
  const parts = [Prisma.sql`c.organization_id = ${organizationId}::uuid`];
  if (filter.search) parts.push(searchPredicate(filter.search));
  if (filter.tags.length > 0) parts.push(Prisma.sql`c.tags @> ${filter.tags}::text[]`);
  if (filter.groupId) {
    parts.push(Prisma.sql`EXISTS (SELECT 1 FROM contact.contact_group_member m
      WHERE m.group_id = ${filter.groupId}::uuid AND m.contact_id = c.id)`);
  }
  if (filter.consent) {
    parts.push(Prisma.sql`${CONSENT_FIELDS[filter.consent.channel].column} = ${filter.consent.status}::contact.consent_status`);
  }
  if (filter.favourite !== null) parts.push(Prisma.sql`c.favourite = ${filter.favourite}`);
  return Prisma.join(parts, ' AND ');
}

/** Contacts: reads and single-row writes. Every method is scoped to one organization. */
export class ContactStore {
  constructor(private readonly prisma: PrismaClient) {}

  /** One query for any number of ids (entity resolution goes through here). */
  findByIds(organizationId: string, ids: readonly string[]): Promise<ContactRecord[]> {
    if (ids.length === 0) return Promise.resolve([]);
    return this.prisma.contact.findMany({ where: { organizationId, id: { in: [...ids] } } });
  }

  /** Contacts of the organization already using this phone or email (other than `exceptId`). */
  findHolders(
    organizationId: string,
    keys: { phone?: string | null; email?: string | null },
    exceptId?: string,
  ): Promise<Pick<ContactRecord, 'id' | 'phone' | 'email'>[]> {
    const or: Prisma.ContactWhereInput[] = [];
    if (keys.phone) or.push({ phone: keys.phone });
    if (keys.email) or.push({ email: keys.email });
    if (or.length === 0) return Promise.resolve([]);
    return this.prisma.contact.findMany({
      where: { organizationId, OR: or, ...(exceptId ? { NOT: { id: exceptId } } : {}) },
      select: { id: true, phone: true, email: true },
    });
  }

  create(organizationId: string, contact: NewContact, now: Date): Promise<ContactRecord> {
    const data: Prisma.ContactUncheckedCreateInput = {
      organizationId,
      name: contact.name,
      sortName: contact.sortName,
      phone: contact.phone,
      email: contact.email,
      whatsappId: contact.whatsappId,
      tags: contact.tags,
      attributes: contact.attributes as Prisma.InputJsonObject,
      favourite: contact.favourite,
    };
    for (const [channel, consent] of Object.entries(contact.consent)) {
      Object.assign(data, consentData(channel as ConsentChannel, consent.status, consent.source, now));
    }
    return this.prisma.contact.create({ data });
  }

  /** Null when no such contact in the organization. */
  update(organizationId: string, id: string, changes: ContactChanges): Promise<ContactRecord | null> {
    const { attributes, ...rest } = changes;
    const data: Prisma.ContactUpdateInput = { ...rest };
    if (attributes !== undefined) data.attributes = attributes as Prisma.InputJsonObject;
    return this.updateWith(organizationId, id, data);
  }

  setConsent(
    organizationId: string,
    id: string,
    change: { channel: ConsentChannel; status: ConsentStatus; source: string; at: Date },
  ): Promise<ContactRecord | null> {
    return this.updateWith(organizationId, id, consentData(change.channel, change.status, change.source, change.at));
  }

  private async updateWith(organizationId: string, id: string, data: Prisma.ContactUpdateInput): Promise<ContactRecord | null> {
    try {
      return await this.prisma.contact.update({ where: { id, organizationId }, data });
    } catch (error) {
      if (isRecordNotFound(error)) return null;
      throw error;
    }
  }

  async delete(organizationId: string, id: string): Promise<boolean> {
    const { count } = await this.prisma.contact.deleteMany({ where: { id, organizationId } });
    return count > 0;
  }

  /**
   * One page, ordered by (sort_name, id), continuing strictly after the keyset: an index range
   * scan on (organization_id, sort_name, id) — no OFFSET, so page 1,800 costs what page 1 costs.
   */
  list(organizationId: string, filter: ContactListFilter, page: KeysetPage): Promise<ContactRecord[]> {
    const after = page.after
      ? Prisma.sql`AND (c.sort_name, c.id) > (${page.after.key}, ${page.after.id}::uuid)`
      : Prisma.empty;
    return this.prisma.$queryRaw<ContactRecord[]>`
      SELECT ${CONTACT_COLUMNS} FROM contact.contact c
      WHERE ${filterPredicate(organizationId, filter)} ${after}
      ORDER BY c.sort_name, c.id
      LIMIT ${page.first + 1}`;
  }

  async count(organizationId: string, filter: ContactListFilter): Promise<number> {
    const rows = await this.prisma.$queryRaw<{ count: number }[]>`
      SELECT count(*)::int AS count FROM contact.contact c WHERE ${filterPredicate(organizationId, filter)}`;
    return rows[0]?.count ?? 0;
  }
}
