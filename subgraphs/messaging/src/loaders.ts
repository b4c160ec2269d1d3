import DataLoader from 'dataloader';
import type { MessageStatusChange } from '@switchboard/db';
import { createEntityLoader } from '@switchboard/subgraph-kit';
import type { MessagingLoaders } from './context';
import { isUuid } from './domain/ids';
import type { MessagingStore } from './store';

export function createLoaders(store: MessagingStore, organizationId: string): MessagingLoaders {
  const uuids = (ids: readonly string[]) => ids.filter(isUuid);
  return {
    message: createEntityLoader((ids) => store.messages.findByIds(organizationId, uuids(ids))),
    sender: createEntityLoader((ids) => store.senders.findByIds(organizationId, uuids(ids))),
    statusHistory: new DataLoader<string, MessageStatusChange[]>(async (messageIds) => {
      const rows = await store.messages.historyOf(uuids(messageIds));
      const byMessage = new Map<string, MessageStatusChange[]>();
      for (const row of rows) byMessage.set(row.messageId, [...(byMessage.get(row.messageId) ?? []), row]);
      return messageIds.map((id) => byMessage.get(id) ?? []);
    }),
  };
}
