import type { Contact, ContactGroup, ContactImportJob } from '@switchboard/db';
import type { ConsentChannel, ConsentStatus } from './contact-fields';
import type { Keyset } from './cursor';

/** Rows as the store returns them (the Prisma models); GraphQL types are mapped onto these. */
export type ContactRecord = Contact;
export type ContactGroupRecord = ContactGroup;
export type ImportJobRecord = ContactImportJob;

/** A checked `contacts` filter. */
export interface ContactListFilter {
  search: string | null;
  tags: string[];
  groupId: string | null;
  consent: { channel: ConsentChannel; status: ConsentStatus } | null;
  favourite: boolean | null;
}

export interface KeysetPage {
  /** Rows to return; the store fetches one more to tell whether a next page exists. */
  first: number;
  after: Keyset | null;
}

/** The values of a new contact, normalised. */
export interface NewContact {
  name: string;
  /** sortKeyOf(name). */
  sortName: string;
  /** searchTextOf(…). */
  searchText: string;
  phone: string | null;
  email: string | null;
  whatsappId: string | null;
  tags: string[];
  attributes: Record<string, unknown>;
  favourite: boolean;
  consent: Partial<Record<ConsentChannel, { status: ConsentStatus; source: string }>>;
}

/** Changed values only; `null` clears a nullable field. */
export interface ContactChanges {
  name?: string;
  /** Set with name: sortKeyOf(name). */
  sortName?: string;
  /** Set with name, phone or email: searchTextOf(…). */
  searchText?: string;
  phone?: string | null;
  email?: string | null;
  whatsappId?: string | null;
  tags?: string[];
  attributes?: Record<string, unknown>;
  favourite?: boolean;
}
