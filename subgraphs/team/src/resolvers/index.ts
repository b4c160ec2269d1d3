import { DateTimeScalar } from '@switchboard/subgraph-kit';
import type { Resolvers } from '../__generated__/resolvers-types';
import { memberMutations } from './Mutation/members';
import { teamMutations } from './Mutation/teams';
import { Query } from './Query';
import { Team } from './Team';
import { TeamMember } from './TeamMember';
import { User } from './User';

export const resolvers: Resolvers = {
  DateTime: DateTimeScalar,
  Query,
  Mutation: { ...teamMutations, ...memberMutations },
  Team,
  TeamMember,
  User,
};
