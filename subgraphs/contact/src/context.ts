import type DataLoader from 'dataloader';
import type { BaseContext } from '@switchboard/subgraph-kit';
import type { ContactService } from './domain/contact-service';
import type { GroupService } from './domain/group-service';
import type { ImportService } from './domain/import-service';
import type { ContactGroupRecord, ContactRecord } from './domain/types';

/** The subgraph's services: one set per process, shared by every request. */
export interface ContactServices {
  contacts: ContactService;
  groups: GroupService;
  imports: ImportService;
}

/** Per-request batching (entity references and nested fields): N lookups, one query. */
export interface ContactLoaders {
  contact: DataLoader<string, ContactRecord | null>;
  group: DataLoader<string, ContactGroupRecord | null>;
  memberCount: DataLoader<string, number>;
  groupsOfContact: DataLoader<string, ContactGroupRecord[]>;
}

export interface ContactContext extends BaseContext {
  services: ContactServices;
  loaders: ContactLoaders;
}
