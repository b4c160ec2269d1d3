import type { Resolvers } from '../__generated__/resolvers-types';
import { AuthPayload } from './AuthPayload';
import { DateTime } from './DateTime';
import { Invitation } from './Invitation';
import { Membership } from './Membership';
import { Mutation } from './Mutation';
import { Organization } from './Organization';
import { Query } from './Query';
import { User } from './User';

export const resolvers: Resolvers = {
  DateTime,
  Query,
  Mutation,
  User,
  Organization,
  Membership,
  Invitation,
  AuthPayload,
};
