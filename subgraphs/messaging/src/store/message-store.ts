import type { Message, MessageStatusChange, Prisma } from '@switchboard/db';
import type { MessageCursor } from '../domain/cursor';
import type { Channel, MessageFilter, MessageStatus, StatusSource } from '../domain/types';
import { translateUniqueViolation } from './errors';

type Db = Prisma.TransactionClient;

export interface NewStatusEntry {
  status: MessageStatus;
  at: Date;
  source: StatusSource;
  providerCode: string | null;
  eventId: string | null;
}

export interface NewMessage {
  id: string;
  organizationId: string;
  direction: 'OUTBOUND' | 'INBOUND';
  channel: Channel;
  senderId: string;
  contactId: string | null;
  fromAddress: string;
  toAddress: string;
  counterpartAddress: string;
  subject: string | null;
  body: string | null;
  templateId: string | null;
  templateVersionId: string | null;
  variables: Prisma.InputJsonValue | null;
  status: MessageStatus;
  providerMessageId: string | null;
  campaignId: string | null;
  conversationId: string | null;
  idempotencyKey: string | null;
  /** Digest of the request the idempotency key came with (domain/idempotency.ts); null without a key. */
  idempotencyFingerprint: string | null;
  createdAt: Date;
  /** The first status entry (sequence 0). */
  firstStatus: NewStatusEntry;
}

/** Messages and their status history (schema "messaging"). */
export class MessageStore {
  constructor(private readonly db: Db) {}

  findById(organizationId: string, id: string): Promise<Message | null> {
    return this.db.message.findFirst({ where: { id, organizationId } });
  }

  findByIds(organizationId: string, ids: readonly string[]): Promise<Message[]> {
    return this.db.message.findMany({ where: { organizationId, id: { in: [...ids] } } });
  }

  findByIdempotencyKey(organizationId: string, idempotencyKey: string): Promise<Message | null> {
    return this.db.message.findUnique({ where: { organizationId_idempotencyKey: { organizationId, idempotencyKey } } });
  }

  findByProviderId(senderId: string, direction: 'OUTBOUND' | 'INBOUND', providerMessageId: string): Promise<Message | null> {
    return this.db.message.findUnique({
      where: { senderId_direction_providerMessageId: { senderId, direction, providerMessageId } },
    });
  }

  /** Inserts a message with its first status entry. Unique violations become UniqueViolationError. */
  async create(message: NewMessage): Promise<Message> {
    const { firstStatus, ...fields } = message;
    try {
      return await this.db.message.create({
        data: {
          ...fields,
          variables: fields.variables ?? undefined,
          statusHistory: { create: { ...firstStatus, sequence: 0 } },
        },
      });
    } catch (error) {
      return translateUniqueViolation(error);
    }
  }

  historyOf(messageIds: readonly string[]): Promise<MessageStatusChange[]> {
    return this.db.messageStatusChange.findMany({
      where: { messageId: { in: [...messageIds] } },
      orderBy: [{ messageId: 'asc' }, { sequence: 'asc' }],
    });
  }

  /** When the contact last wrote to this sender (by address, or by contact id when known). */
  async lastInboundAt(organizationId: string, senderId: string, address: string, contactId: string | null): Promise<Date | null> {
    const latest = await this.db.message.findFirst({
      where: {
        organizationId,
        senderId,
        direction: 'INBOUND',
        OR: [{ counterpartAddress: address }, ...(contactId ? [{ contactId }] : [])],
      },
      orderBy: { createdAt: 'desc' },
      select: { createdAt: true },
    });
    return latest?.createdAt ?? null;
  }

  /** A page of the organization's messages, newest first, after a keyset cursor. Fetches `first + 1`. */
  list(organizationId: string, filter: MessageFilter, first: number, after: MessageCursor | null): Promise<Message[]> {
    const where: Prisma.MessageWhereInput = { organizationId };
    if (filter.channel) where.channel = filter.channel;
    if (filter.status) where.status = filter.status;
    if (filter.direction) where.direction = filter.direction;
    if (filter.contactId) where.contactId = filter.contactId;
    if (filter.from || filter.to) {
      where.createdAt = { ...(filter.from ? { gte: filter.from } : {}), ...(filter.to ? { lt: filter.to } : {}) };
    }
    if (after) {
      where.AND = [{ OR: [{ createdAt: { lt: after.createdAt } }, { createdAt: after.createdAt, id: { lt: after.id } }] }];
    }
    return this.db.message.findMany({ where, orderBy: [{ createdAt: 'desc' }, { id: 'desc' }], take: first + 1 });
  }
}
