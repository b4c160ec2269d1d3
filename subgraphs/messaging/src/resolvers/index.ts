import { DateTimeScalar, JSONScalar } from '@switchboard/subgraph-kit';
import type { Resolvers } from '../__generated__/resolvers-types';
import { Contact } from './Contact';
import { Message, MessageStatusEntry } from './Message';
import { Mutation } from './Mutation';
import { Query } from './Query';
import { Sender } from './Sender';

export const resolvers: Resolvers = {
  DateTime: DateTimeScalar,
  JSON: JSONScalar,
  Query,
  Mutation,
  Message,
  MessageStatusEntry,
  Sender,
  Contact,
};
