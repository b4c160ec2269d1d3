import type { CountryCode } from 'libphonenumber-js/max';
import { badUserInput, conflict, notFound } from '@switchboard/subgraph-kit';
import type { ContactCache } from '../store/contact-cache';
import type { ContactStore } from '../store/contact-store';
import type { GroupStore } from '../store/group-store';
import { isUniqueViolation } from '../store/sql';
import {
  checkAttributes,
  checkConsentSource,
  checkEmail,
  checkName,
  checkPhone,
  checkTags,
  checkWhatsappId,
  searchTextOf,
  sortKeyOf,
  type Checked,
  type ConsentChannel,
  type ConsentStatus,
} from './contact-fields';
import { parsePageRequest, toPage, type Page } from './cursor';
import { isUuid } from './ids';
import { parseCountry } from './phone';
import type { ContactChanges, ContactListFilter, ContactRecord, NewContact } from './types';

export interface CreateContactCommand {
  name: string;
  phone?: string | null;
  email?: string | null;
  whatsappId?: string | null;
  tags?: readonly string[] | null;
  attributes?: unknown;
  favourite?: boolean | null;
  consent?: readonly { channel: ConsentChannel; status: ConsentStatus; source?: string | null }[] | null;
  defaultCountry?: string | null;
}

/** Omitted (undefined) fields stay; null clears phone, email, whatsappId, tags and attributes. */
export interface UpdateContactCommand {
  name?: string | null;
  phone?: string | null;
  email?: string | null;
  whatsappId?: string | null;
  tags?: readonly string[] | null;
  attributes?: unknown;
  favourite?: boolean | null;
  defaultCountry?: string | null;
}

export interface ContactFilterCommand {
  search?: string | null;
  tags?: readonly string[] | null;
  groupId?: string | null;
  consent?: { channel: ConsentChannel; status: ConsentStatus } | null;
  favourite?: boolean | null;
}

export interface ContactPage extends Page<ContactRecord> {
  /** Counts every contact matching the filter (a separate query, run only when asked). */
  countTotal: () => Promise<number>;
}

const MAX_SEARCH_LENGTH = 100;

/** Throws BAD_USER_INPUT for a failed check, with the field and the stable reason. */
function must<T>(checked: Checked<T>): T {
  if (checked.ok) return checked.value;
  const { field, reason, message } = checked.problem;
  throw badUserInput(message, field, { reason });
}

function countryOf(code: string | null | undefined): CountryCode | undefined {
  if (code === null || code === undefined || code.trim() === '') return undefined;
  const country = parseCountry(code);
  if (!country) {
    throw badUserInput(`defaultCountry must be an ISO 3166-1 alpha-2 country such as GB or US (INVALID_COUNTRY)`, 'defaultCountry', {
      reason: 'INVALID_COUNTRY',
    });
  }
  return country;
}

const blank = (value: string | null | undefined): value is null | undefined | '' =>
  value === null || value === undefined || value.trim() === '';

/** Contacts: the rules of creating, changing and listing them (roles are checked by resolvers). */
export class ContactService {
  constructor(
    private readonly store: ContactStore,
    private readonly groups: GroupStore,
    private readonly cache: ContactCache,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /**
   * Contacts by id for entity resolution and `contact(id)`: the cache first, then ONE query for
   * every miss. Ids of other organizations (and non-ids) are simply absent.
   */
  async loadMany(organizationId: string, ids: readonly string[]): Promise<ContactRecord[]> {
    const valid = [...new Set(ids.filter(isUuid).map((id) => id.toLowerCase()))];
    const cached = await this.cache.getMany(organizationId, valid);
    const misses = valid.filter((id) => !cached.has(id));
    const loaded = misses.length > 0 ? await this.store.findByIds(organizationId, misses) : [];
    await this.cache.setMany(organizationId, loaded);
    return [...cached.values(), ...loaded];
  }

  /** `traceId`: the request that asked (it travels with the contact.changed event). */
  async create(organizationId: string, command: CreateContactCommand, traceId: string | null = null): Promise<ContactRecord> {
    const country = countryOf(command.defaultCountry);
    const name = must(checkName(command.name));
    const sortName = sortKeyOf(name);
    const phone = blank(command.phone) ? null : must(checkPhone(command.phone, country));
    const email = blank(command.email) ? null : must(checkEmail(command.email));
    const contact: NewContact = {
      name,
      sortName,
      searchText: searchTextOf({ sortName, phone, email }),
      phone,
      email,
      whatsappId: blank(command.whatsappId) ? null : must(checkWhatsappId(command.whatsappId)),
      tags: command.tags ? must(checkTags(command.tags)) : [],
      attributes: command.attributes === null || command.attributes === undefined ? {} : must(checkAttributes(command.attributes)),
      favourite: command.favourite ?? false,
      consent: {},
    };
    if (!contact.phone && !contact.email && !contact.whatsappId) {
      throw badUserInput('A contact needs a phone, an email or a WhatsApp id', 'phone', { reason: 'REQUIRED' });
    }
    for (const decision of command.consent ?? []) {
      if (contact.consent[decision.channel]) {
        throw badUserInput(`consent lists ${decision.channel} twice`, 'consent', { reason: 'DUPLICATE_CHANNEL' });
      }
      contact.consent[decision.channel] = { status: decision.status, source: must(checkConsentSource(decision.source, 'api', 'consent')) };
    }
    await this.refuseDuplicates(organizationId, contact);
    try {
      return await this.store.create(organizationId, contact, { now: this.now(), traceId });
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      await this.refuseDuplicates(organizationId, contact); // created concurrently: name it
      throw error;
    }
  }

  async update(organizationId: string, id: string, command: UpdateContactCommand, traceId: string | null = null): Promise<ContactRecord> {
    const [existing] = isUuid(id) ? await this.store.findByIds(organizationId, [id]) : [];
    if (!existing) throw notFound('Contact', id);
    const country = countryOf(command.defaultCountry);
    const changes: ContactChanges = {};
    if (command.name !== undefined) {
      if (command.name === null) throw badUserInput('Name cannot be removed', 'name', { reason: 'REQUIRED' });
      changes.name = must(checkName(command.name));
      changes.sortName = sortKeyOf(changes.name);
    }
    if (command.phone !== undefined) changes.phone = blank(command.phone) ? null : must(checkPhone(command.phone, country));
    if (command.email !== undefined) changes.email = blank(command.email) ? null : must(checkEmail(command.email));
    if (command.whatsappId !== undefined) {
      changes.whatsappId = blank(command.whatsappId) ? null : must(checkWhatsappId(command.whatsappId));
    }
    if (command.tags !== undefined) changes.tags = command.tags === null ? [] : must(checkTags(command.tags));
    if (command.attributes !== undefined) {
      changes.attributes = command.attributes === null ? {} : must(checkAttributes(command.attributes));
    }
    if (command.favourite !== undefined && command.favourite !== null) changes.favourite = command.favourite;

    const after = { ...existing, ...changes };
    if (!after.phone && !after.email && !after.whatsappId) {
      throw badUserInput('A contact needs a phone, an email or a WhatsApp id', 'phone', { reason: 'REQUIRED' });
    }
    if (changes.name !== undefined || changes.phone !== undefined || changes.email !== undefined) {
      changes.searchText = searchTextOf(after);
    }
    const newKeys = {
      phone: changes.phone && changes.phone !== existing.phone ? changes.phone : null,
      email: changes.email && changes.email !== existing.email ? changes.email : null,
    };
    await this.refuseDuplicates(organizationId, newKeys, id);
    let updated: ContactRecord | null;
    try {
      updated = await this.store.update(organizationId, id, changes, { now: this.now(), traceId });
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      await this.refuseDuplicates(organizationId, newKeys, id);
      throw error;
    }
    await this.cache.invalidate(organizationId, [id]);
    if (!updated) throw notFound('Contact', id);
    return updated;
  }

  async delete(organizationId: string, id: string, traceId: string | null = null): Promise<string> {
    const deleted = isUuid(id) && (await this.store.delete(organizationId, id, { now: this.now(), traceId }));
    if (!deleted) throw notFound('Contact', id);
    await this.cache.invalidate(organizationId, [id]);
    return id;
  }

  async setConsent(
    organizationId: string,
    id: string,
    decision: { channel: ConsentChannel; status: ConsentStatus; source?: string | null },
    traceId: string | null = null,
  ): Promise<ContactRecord> {
    const source = must(checkConsentSource(decision.source, 'api'));
    const updated = isUuid(id)
      ? await this.store.setConsent(organizationId, id, { channel: decision.channel, status: decision.status, source }, { now: this.now(), traceId })
      : null;
    if (!updated) throw notFound('Contact', id);
    await this.cache.invalidate(organizationId, [id]);
    return updated;
  }

  async list(
    organizationId: string,
    filterCommand: ContactFilterCommand | null | undefined,
    first: number | null | undefined,
    after: string | null | undefined,
  ): Promise<ContactPage> {
    const request = parsePageRequest(['contact', 'similar'], first, after);
    const filter = await this.checkFilter(organizationId, filterCommand ?? {});
    const keysetOf = (row: ContactRecord) => ({ key: row.sortName, id: row.id });
    if (request.kind === 'contact') {
      const rows = await this.store.list(organizationId, filter, request);
      // When no contact contains the term (a typo?), the list becomes the contacts whose names are
      // similar to it; its cursors say so, so later pages stay in that list.
      const useSimilar = rows.length === 0 && filter.search !== null && request.after === null;
      if (!useSimilar) {
        return { ...toPage('contact', rows, request, keysetOf), countTotal: () => this.store.count(organizationId, filter) };
      }
    }
    const similar = filter.search ? await this.store.list(organizationId, filter, request, 'similar') : [];
    return {
      ...toPage('similar', similar, request, keysetOf),
      countTotal: () => this.store.count(organizationId, filter, 'similar'),
    };
  }

  private async checkFilter(organizationId: string, command: ContactFilterCommand): Promise<ContactListFilter> {
    const search = command.search?.trim() ?? '';
    if (search.length > MAX_SEARCH_LENGTH) {
      throw badUserInput(`search is longer than ${MAX_SEARCH_LENGTH} characters`, 'search', { reason: 'TOO_LONG' });
    }
    const tags = command.tags ? must(checkTags(command.tags)) : [];
    let groupId: string | null = null;
    if (command.groupId) {
      const [group] = isUuid(command.groupId) ? await this.groups.findByIds(organizationId, [command.groupId]) : [];
      if (!group) throw notFound('ContactGroup', command.groupId);
      groupId = group.id;
    }
    return {
      search: search === '' ? null : search,
      tags,
      groupId,
      consent: command.consent ?? null,
      favourite: command.favourite ?? null,
    };
  }

  /** CONFLICT naming the contact that already has this phone (checked first) or email. */
  private async refuseDuplicates(
    organizationId: string,
    keys: { phone?: string | null; email?: string | null },
    exceptId?: string,
  ): Promise<void> {
    const holders = await this.store.findHolders(organizationId, keys, exceptId);
    const byPhone = keys.phone ? holders.find((holder) => holder.phone === keys.phone) : undefined;
    if (byPhone) {
      throw conflict('Another contact of this organization has this phone number', { field: 'phone', existingContactId: byPhone.id });
    }
    const byEmail = keys.email ? holders.find((holder) => holder.email === keys.email) : undefined;
    if (byEmail) {
      throw conflict('Another contact of this organization has this email address', { field: 'email', existingContactId: byEmail.id });
    }
  }
}
