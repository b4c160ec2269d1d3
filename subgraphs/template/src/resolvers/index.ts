import { DateTimeScalar, JSONScalar } from '@switchboard/subgraph-kit';
import type { Resolvers } from '../__generated__/resolvers-types';
import { Mutation } from './Mutation';
import { Query } from './Query';
import {
  RenderedTemplate,
  SmsTemplateContent,
  Template,
  TemplateContent,
  TemplateStatusChange,
  TemplateVersion,
  WhatsAppTemplateContent,
} from './Template';

export const resolvers: Resolvers = {
  DateTime: DateTimeScalar,
  JSON: JSONScalar,
  Query,
  Mutation,
  Template,
  TemplateVersion,
  TemplateStatusChange,
  TemplateContent,
  SmsTemplateContent,
  WhatsAppTemplateContent,
  RenderedTemplate,
};
