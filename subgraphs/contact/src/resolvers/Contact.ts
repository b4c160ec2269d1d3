import type { ContactResolvers } from '../__generated__/resolvers-types';
import { allConsent, consentOf } from '../domain/consent';

export const Contact: ContactResolvers = {
  /** Batched: every reference in one request costs one cache round trip and at most one query. */
  __resolveReference: (reference, context) => context.loaders.contact.load(reference.id.toLowerCase()),
  attributes: (contact) => contact.attributes ?? {},
  consent: (contact) => allConsent(contact),
  consentFor: (contact, { channel }) => consentOf(contact, channel),
  groups: (contact, _args, context) => context.loaders.groupsOfContact.load(contact.id),
};
