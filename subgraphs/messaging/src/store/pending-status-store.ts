import type { PendingProviderStatus, Prisma } from '@switchboard/db';
import type { MessageStatus } from '../domain/types';

type Db = Prisma.TransactionClient;

export interface NewPendingStatus {
  organizationId: string;
  senderId: string;
  providerMessageId: string;
  status: MessageStatus;
  at: Date;
  errorCode: string | null;
  errorReason: string | null;
}

/** Provider callbacks that arrived before their message's provider id was recorded. */
export class PendingStatusStore {
  constructor(private readonly db: Db) {}

  async add(entry: NewPendingStatus): Promise<void> {
    await this.db.pendingProviderStatus.create({ data: entry });
  }

  /** Removes and returns the waiting callbacks of one provider message. */
  async take(senderId: string, providerMessageId: string): Promise<PendingProviderStatus[]> {
    const rows = await this.db.pendingProviderStatus.findMany({ where: { senderId, providerMessageId }, orderBy: { createdAt: 'asc' } });
    if (rows.length > 0) await this.db.pendingProviderStatus.deleteMany({ where: { id: { in: rows.map((r) => r.id) } } });
    return rows;
  }
}
