import { sqlPoolOf, withTransaction, type Prisma, type PrismaClient } from '@switchboard/db';
import { MessageStore } from './message-store';
import { appendOutbox, type OutboxEvent } from './outbox';
import { ProjectionStore } from './projection-store';
import { SenderStore } from './sender-store';
import { OutboundStore } from './outbound-store';
import { SendLookupStore } from './send-lookup-store';
import { StatusStore } from './status-store';

export { UniqueViolationError, isUniqueViolation } from './errors';
export type { OutboxEvent } from './outbox';
export type { NewMessage, NewStatusEntry } from './message-store';
export type { NewSender, SenderChanges } from './sender-store';
export type { MessageStatusState, PendingProviderStatusEntry, StatusHistoryEntry, StatusWrite } from './status-store';
export { EVENT_ID_CONSTRAINT, PROVIDER_ID_CONSTRAINT } from './status-store';
export type { SendLookup } from './send-lookup-store';
export type { QueuedMessage } from './outbound-store';
export type { MessageStore, SenderStore, ProjectionStore, StatusStore, OutboundStore, SendLookupStore };

/**
 * Everything messaging keeps in PostgreSQL (schema "messaging"); the only code touching the
 * database. `transaction(fn)` hands `fn` a store whose Prisma parts run in one database
 * transaction. `statuses`, `outbound` and `sendLookups` are the plain-SQL hot paths (status reports,
 * queued messages, what sendMessage reads): single statements on the pool, never inside `transaction` (each write is atomic on
 * its own).
 */
export class MessagingStore {
  readonly messages: MessageStore;
  readonly senders: SenderStore;
  readonly projections: ProjectionStore;
  readonly statuses: StatusStore;
  readonly outbound: OutboundStore;
  readonly sendLookups: SendLookupStore;

  private constructor(
    private readonly prisma: PrismaClient,
    private readonly db: Prisma.TransactionClient,
    private readonly inTransaction: boolean,
    statuses: StatusStore,
    outbound: OutboundStore,
    sendLookups: SendLookupStore,
  ) {
    this.messages = new MessageStore(db);
    this.senders = new SenderStore(db);
    this.projections = new ProjectionStore(db);
    this.statuses = statuses;
    this.outbound = outbound;
    this.sendLookups = sendLookups;
  }

  static create(prisma: PrismaClient): MessagingStore {
    const pool = sqlPoolOf(prisma);
    return new MessagingStore(prisma, prisma, false, new StatusStore(pool), new OutboundStore(pool), new SendLookupStore(pool));
  }

  /** Runs `fn` in one transaction (committed when it resolves); nested calls join the outer one. */
  transaction<T>(fn: (store: MessagingStore) => Promise<T>): Promise<T> {
    if (this.inTransaction) return fn(this);
    return withTransaction(this.prisma, (tx) => fn(new MessagingStore(this.prisma, tx, true, this.statuses, this.outbound, this.sendLookups)), { maxWait: 5_000, timeout: 15_000 });
  }

  /** Appends events to the outbox; call inside `transaction` with the change they report. */
  appendOutbox(events: OutboxEvent[]): Promise<void> {
    return appendOutbox(this.db, events);
  }
}
