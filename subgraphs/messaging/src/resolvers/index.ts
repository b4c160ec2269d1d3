import type { Resolvers } from '../__generated__/resolvers-types';
import { Contact } from './Contact';
import { Message, MessageStatusEntry } from './Message';
import { Mutation } from './Mutation';
import { Query } from './Query';
import { DateTime, JSONScalar } from './scalars';
import { Sender } from './Sender';

export const resolvers: Resolvers = {
  DateTime,
  JSON: JSONScalar,
  Query,
  Mutation,
  Message,
  MessageStatusEntry,
  Sender,
  Contact,
};
