import { withTransaction, type Prisma, type PrismaClient } from '@switchboard/db';
import { MessageStore } from './message-store';
import { appendOutbox, type OutboxEvent } from './outbox';
import { PendingStatusStore } from './pending-status-store';
import { ProjectionStore } from './projection-store';
import { SenderStore } from './sender-store';

export { UniqueViolationError, isUniqueViolation } from './errors';
export type { OutboxEvent } from './outbox';
export type { NewMessage, NewStatusEntry, MessageUpdate } from './message-store';
export type { NewSender, SenderChanges } from './sender-store';
export type { NewPendingStatus } from './pending-status-store';
export type { MessageStore, SenderStore, ProjectionStore, PendingStatusStore };

/**
 * Everything messaging keeps in PostgreSQL (schema "messaging"); the only code using Prisma.
 * `transaction(fn)` hands `fn` a store whose every part runs in one database transaction.
 */
export class MessagingStore {
  readonly messages: MessageStore;
  readonly senders: SenderStore;
  readonly projections: ProjectionStore;
  readonly pendingStatuses: PendingStatusStore;

  private constructor(
    private readonly prisma: PrismaClient,
    private readonly db: Prisma.TransactionClient,
    private readonly inTransaction: boolean,
  ) {
    this.messages = new MessageStore(db);
    this.senders = new SenderStore(db);
    this.projections = new ProjectionStore(db);
    this.pendingStatuses = new PendingStatusStore(db);
  }

  static create(prisma: PrismaClient): MessagingStore {
    return new MessagingStore(prisma, prisma, false);
  }

  /** Runs `fn` in one transaction (committed when it resolves); nested calls join the outer one. */
  transaction<T>(fn: (store: MessagingStore) => Promise<T>): Promise<T> {
    if (this.inTransaction) return fn(this);
    return withTransaction(this.prisma, (tx) => fn(new MessagingStore(this.prisma, tx, true)), { maxWait: 5_000, timeout: 15_000 });
  }

  /** Appends events to the outbox; call inside `transaction` with the change they report. */
  appendOutbox(events: OutboxEvent[]): Promise<void> {
    return appendOutbox(this.db, events);
  }
}
