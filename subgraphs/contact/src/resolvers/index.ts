import { DateTimeScalar, JSONScalar } from '@switchboard/subgraph-kit';
import type { Resolvers } from '../__generated__/resolvers-types';
import { Contact } from './Contact';
import { ContactGroup } from './ContactGroup';
import { ContactConnection, ContactGroupConnection } from './connections';
import { ImportJob } from './ImportJob';
import { contactMutations } from './Mutation/contacts';
import { groupMutations } from './Mutation/groups';
import { importMutations } from './Mutation/import-contacts';
import { Query } from './Query';

export const resolvers: Resolvers = {
  DateTime: DateTimeScalar,
  JSON: JSONScalar,
  Query,
  Mutation: { ...contactMutations, ...groupMutations, ...importMutations },
  Contact,
  ContactGroup,
  ContactConnection,
  ContactGroupConnection,
  ImportJob,
};
