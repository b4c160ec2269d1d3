import type { ContactConnectionResolvers, ContactGroupConnectionResolvers } from '../__generated__/resolvers-types';

export const ContactConnection: ContactConnectionResolvers = {
  totalCount: (page) => page.countTotal(),
};

export const ContactGroupConnection: ContactGroupConnectionResolvers = {
  totalCount: (page) => page.countTotal(),
};
