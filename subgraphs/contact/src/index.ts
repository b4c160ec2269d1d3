import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gql } from 'graphql-tag';
import type { SubgraphDefinition, SubgraphDeps } from '@switchboard/subgraph-kit';
import type { ContactContext, ContactServices } from './context';
import { ContactService } from './domain/contact-service';
import { GroupService } from './domain/group-service';
import { ImportService, type ImportOptions } from './domain/import-service';
import { importUploadRoute } from './http/import-upload';
import { createLoaders } from './loaders';
import { resolvers } from './resolvers';
import { ContactCache } from './store/contact-cache';
import { ContactStore } from './store/contact-store';
import { GroupStore } from './store/group-store';
import { ImportStore } from './store/import-store';

export { startContactConsumers, type ContactConsumers, type StartContactConsumersOptions } from './consumers';
export { CONTACT_UPLOAD_PATH, MAX_UPLOAD_BYTES } from './http/import-upload';

export const typeDefs = gql(readFileSync(join(__dirname, '..', 'schema.graphql'), 'utf8'));

/**
 * Largest GraphQL request this subgraph accepts: a 100,000-row CSV in `importContacts` is ~10 MB
 * of text. Large files are better sent to the upload route (CONTACT_UPLOAD_PATH), which has its own limit.
 */
export const CONTACT_MAX_BODY_BYTES = 16 * 1024 * 1024;

export interface ContactSubgraphOptions {
  import?: ImportOptions;
  /** Seconds a contact stays in the Redis entity cache (default 30). */
  cacheTtlSeconds?: number;
}

export type ContactSubgraphDefinition = SubgraphDefinition<ContactContext> & {
  /** The process-wide services (tests drain background imports through `services.imports`). */
  services: ContactServices;
  maxBodyBytes: number;
};

/** The contact subgraph: contacts, consent, groups and bulk imports. */
export function contactSubgraph(deps: SubgraphDeps, options: ContactSubgraphOptions = {}): ContactSubgraphDefinition {
  const log = deps.log.child({ component: 'contact' });
  const cache = new ContactCache(deps.redis, log, options.cacheTtlSeconds);
  const contactStore = new ContactStore(deps.prisma);
  const groupStore = new GroupStore(deps.prisma);
  const services: ContactServices = {
    contacts: new ContactService(contactStore, groupStore, cache),
    groups: new GroupService(groupStore),
    imports: new ImportService(new ImportStore(deps.prisma), cache, log, options.import),
  };
  return {
    name: 'contact',
    typeDefs,
    resolvers,
    services,
    maxBodyBytes: CONTACT_MAX_BODY_BYTES,
    routes: [importUploadRoute(services.imports, log)],
    createContext: (caller, requestLog) => ({
      caller,
      log: requestLog,
      services,
      loaders: createLoaders(caller, services),
    }),
  };
}
