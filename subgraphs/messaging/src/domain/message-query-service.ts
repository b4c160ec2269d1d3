import type { Message } from '@switchboard/db';
import { badUserInput, notFound } from '@switchboard/subgraph-kit';
import type { MessagingStore } from '../store';
import { decodeCursor, encodeCursor } from './cursor';
import { isUuid } from './ids';
import type { MessageFilter, MessagePage } from './types';

const MAX_PAGE = 100;

/** Reading messages: one by id, or a keyset page, always within the caller's organization. */
export class MessageQueryService {
  constructor(private readonly store: MessagingStore) {}

  async get(organizationId: string, id: string): Promise<Message> {
    const message = isUuid(id) ? await this.store.messages.findById(organizationId, id) : null;
    if (!message) throw notFound('Message', id);
    return message;
  }

  async page(organizationId: string, filter: MessageFilter, first: number | null | undefined, after: string | null | undefined): Promise<MessagePage> {
    const size = first ?? 20;
    if (!Number.isInteger(size) || size < 1 || size > MAX_PAGE) throw badUserInput(`first must be from 1 to ${MAX_PAGE}`, 'first');
    const cursor = after ? decodeCursor(after) : null;
    if (after && !cursor) throw badUserInput('after is not a cursor of this list', 'after');
    if (filter.from && filter.to && filter.from.getTime() >= filter.to.getTime()) {
      throw badUserInput('filter.from must be before filter.to (from is inclusive, to exclusive)', 'filter.to');
    }
    if (filter.contactId && !isUuid(filter.contactId)) return { edges: [], pageInfo: { hasNextPage: false, endCursor: null } };
    const rows = await this.store.messages.list(organizationId, filter, size, cursor);
    const nodes = rows.slice(0, size);
    const edges = nodes.map((node) => ({ cursor: encodeCursor(node), node }));
    return { edges, pageInfo: { hasNextPage: rows.length > size, endCursor: edges[edges.length - 1]?.cursor ?? null } };
  }
}
