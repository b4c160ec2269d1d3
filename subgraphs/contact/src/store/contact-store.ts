import { Prisma, type PrismaClient } from '@switchboard/db';
import { sortKeyOf, type ConsentChannel, type ConsentStatus } from '../domain/contact-fields';
import type { ContactChanges, ContactListFilter, ContactRecord, KeysetPage, NewContact } from '../domain/types';
import { deleteContact, insertContact, setContactConsent, updateContact, type WriteMeta } from './contact-writes';
import { CONTACT_COLUMNS, escapeLike } from './sql';

/** The consent status column of each channel, for filters. */
const CONSENT_STATUS_COLUMNS = {
  EMAIL: Prisma.raw('c.email_consent'),
  SMS: Prisma.raw('c.sms_consent'),
  WHATSAPP: Prisma.raw('c.whatsapp_consent'),
} as const;

/**
 * How a search term is matched. Substring (`LIKE '%term%'`) over search_text — the sort name,
 * email and phone digits — so matching ignores case and accents; a term that looks like a phone
 * number is reduced to its digits without a national trunk `0`. `similar` is the term for the
 * typo-tolerant fallback (3+ characters with a letter), else null.
 */
export function searchPlan(search: string): { pattern: string; similar: string | null } {
  const term = sortKeyOf(search.trim()).slice(0, 100);
  const digits = term.replace(/\D/g, '').replace(/^0+/, '');
  const phoneLike = /^[\d\s()+./-]+$/.test(term) && digits.length >= 3;
  return {
    pattern: `%${escapeLike(phoneLike ? digits : term)}%`,
    similar: !phoneLike && term.length >= 3 && /\p{L}/u.test(term) ? term : null,
  };
}

export type SearchMode = 'substring' | 'similar';

function filterPredicate(organizationId: string, filter: ContactListFilter, mode: SearchMode = 'substring'): Prisma.Sql {
  const parts = [Prisma.sql`c.organization_id = ${organizationId}::uuid`];
  if (filter.search) {
    const plan = searchPlan(filter.search);
    parts.push(
      mode === 'similar' && plan.similar
        ? Prisma.sql`c.sort_name %> ${plan.similar}`
        : Prisma.sql`c.search_text LIKE ${plan.pattern}`,
    );
  }
  if (filter.tags.length > 0) parts.push(Prisma.sql`c.tags @> ${filter.tags}::text[]`);
  if (filter.groupId) {
    parts.push(Prisma.sql`EXISTS (SELECT 1 FROM contact.contact_group_member m
      WHERE m.group_id = ${filter.groupId}::uuid AND m.contact_id = c.id)`);
  }
  if (filter.consent) {
    parts.push(Prisma.sql`${CONSENT_STATUS_COLUMNS[filter.consent.channel]} = ${filter.consent.status}::contact.consent_status`);
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

  /** Creates a contact and its CREATED event (one statement); a taken phone / email throws a unique violation. */
  async create(organizationId: string, contact: NewContact, meta: WriteMeta): Promise<ContactRecord> {
    const created = await insertContact(this.prisma, organizationId, { ...contact, source: 'api' }, meta);
    if (!created) throw new Error('the contact insert returned no row');
    return created;
  }

  /** Null when no such contact in the organization (nothing written). */
  update(organizationId: string, id: string, changes: ContactChanges, meta: WriteMeta): Promise<ContactRecord | null> {
    return updateContact(this.prisma, organizationId, id, changes, meta);
  }

  setConsent(
    organizationId: string,
    id: string,
    change: { channel: ConsentChannel; status: ConsentStatus; source: string },
    meta: WriteMeta,
  ): Promise<ContactRecord | null> {
    return setContactConsent(this.prisma, organizationId, id, change.channel, { status: change.status, source: change.source, at: meta.now }, meta);
  }

  /** The contact and its tombstone event; false when no such contact. */
  delete(organizationId: string, id: string, meta: WriteMeta): Promise<boolean> {
    return deleteContact(this.prisma, organizationId, id, meta);
  }

  /**
   * One page, ordered by (sort_name, id), continuing strictly after the keyset: an index range
   * scan on (organization_id, sort_name, id) — no OFFSET, so page 1,800 costs what page 1 costs.
   *
   * A search is answered in up to two steps, so neither a common nor a rare term is slow:
   *  1. walk the first rows of the name index after the cursor (a bounded window) and keep the
   *     matches — a common term fills the page here;
   *  2. otherwise the term is rare: collect its matches through the trigram GIN index, then sort.
   * (Walking the whole name index for a rare term would test most of the organization's rows.)
   * `similar` lists contacts with a name word similar to the term instead (pg_trgm word
   * similarity over the sort name, through its own trigram index).
   */
  async list(organizationId: string, filter: ContactListFilter, page: KeysetPage, mode: SearchMode = 'substring'): Promise<ContactRecord[]> {
    const after = page.after
      ? Prisma.sql`AND (c.sort_name, c.id) > (${page.after.key}, ${page.after.id}::uuid)`
      : Prisma.empty;
    const limit = page.first + 1;
    if (!filter.search) {
      return this.prisma.$queryRaw<ContactRecord[]>`
        SELECT ${CONTACT_COLUMNS} FROM contact.contact c
        WHERE ${filterPredicate(organizationId, filter)} ${after}
        ORDER BY c.sort_name, c.id
        LIMIT ${limit}`;
    }
    const collected = Prisma.sql`
      WITH matches AS MATERIALIZED (
        SELECT ${CONTACT_COLUMNS} FROM contact.contact c WHERE ${filterPredicate(organizationId, filter, mode)} ${after}
      )
      SELECT * FROM matches ORDER BY "sortName", id LIMIT ${limit}`;
    if (mode === 'similar') return this.prisma.$queryRaw<ContactRecord[]>(collected);
    // Both steps in one statement: the second runs only when the first came back short.
    const window = Math.min(Math.max(limit * 50, 1_000), 10_000);
    const { search, ...rest } = filter;
    return this.prisma.$queryRaw<ContactRecord[]>`
      WITH walked AS MATERIALIZED (
        SELECT * FROM (
          SELECT ${CONTACT_COLUMNS} FROM contact.contact c
          WHERE ${filterPredicate(organizationId, { ...rest, search: null })} ${after}
          ORDER BY c.sort_name, c.id
          LIMIT ${window}
        ) w
        WHERE w."searchText" LIKE ${searchPlan(search).pattern}
        ORDER BY w."sortName", w.id
        LIMIT ${limit}
      )
      SELECT * FROM (
        SELECT * FROM walked WHERE (SELECT count(*) FROM walked) = ${limit}
        UNION ALL
        SELECT * FROM (${collected}) collected WHERE (SELECT count(*) FROM walked) < ${limit}
      ) page
      ORDER BY "sortName", id`;
  }

  async count(organizationId: string, filter: ContactListFilter, mode: SearchMode = 'substring'): Promise<number> {
    const rows = await this.prisma.$queryRaw<{ count: number }[]>`
      SELECT count(*)::int AS count FROM contact.contact c WHERE ${filterPredicate(organizationId, filter, mode)}`;
    return rows[0]?.count ?? 0;
  }
}
