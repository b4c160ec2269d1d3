import { DateTimeScalar } from '@switchboard/subgraph-kit';
import type { Resolvers } from '../__generated__/resolvers-types';
import { AuthPayload } from './AuthPayload';
import { Invitation } from './Invitation';
import { Membership } from './Membership';
import { Mutation } from './Mutation';
import { Organization } from './Organization';
import { Query } from './Query';
import { User } from './User';

export const resolvers: Resolvers = {
  DateTime: DateTimeScalar,
  Query,
  Mutation,
  User,
  Organization,
  Membership,
  Invitation,
  AuthPayload,
};
