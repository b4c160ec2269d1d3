import type { Prisma, Sender } from '@switchboard/db';
import type { SenderKind, SenderProvider } from '../domain/types';
import { translateUniqueViolation } from './errors';

type Db = Prisma.TransactionClient;

export interface NewSender {
  id: string;
  organizationId: string;
  name: string;
  kind: SenderKind;
  provider: SenderProvider;
  address: string;
  phoneNumberId: string | null;
  businessAccountId: string | null;
  displayName: string | null;
  credentialsCiphertext: string | null;
  credentialsHint: string | null;
  providerResourceId: string | null;
  rateLimitPerSecond: number;
}

export interface SenderChanges {
  name?: string;
  displayName?: string | null;
  businessAccountId?: string | null;
  credentialsCiphertext?: string | null;
  credentialsHint?: string | null;
  rateLimitPerSecond?: number;
}

/** The unique key of a live sender's address (null once deleted). */
export const addressKeyOf = (kind: SenderKind, address: string) => `${kind}:${address}`;

/** Sender identities (schema "messaging"); deleted senders stay for their messages. */
export class SenderStore {
  constructor(private readonly db: Db) {}

  async create(sender: NewSender): Promise<Sender> {
    try {
      return await this.db.sender.create({
        data: {
          ...sender,
          addressKey: addressKeyOf(sender.kind, sender.address),
          phoneNumberKey: sender.phoneNumberId,
        },
      });
    } catch (error) {
      return translateUniqueViolation(error);
    }
  }

  update(id: string, changes: SenderChanges): Promise<Sender> {
    return this.db.sender.update({ where: { id }, data: changes });
  }

  softDelete(id: string, at: Date): Promise<Sender> {
    return this.db.sender.update({ where: { id }, data: { deletedAt: at, addressKey: null, phoneNumberKey: null } });
  }

  /** A live sender of the organization. */
  findLive(organizationId: string, id: string): Promise<Sender | null> {
    return this.db.sender.findFirst({ where: { id, organizationId, deletedAt: null } });
  }

  /** Senders of the organization, deleted ones included (messages keep showing theirs). */
  findByIds(organizationId: string, ids: readonly string[]): Promise<Sender[]> {
    return this.db.sender.findMany({ where: { organizationId, id: { in: [...ids] } } });
  }

  listLive(organizationId: string): Promise<Sender[]> {
    return this.db.sender.findMany({ where: { organizationId, deletedAt: null }, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] });
  }

  /** The live sender with this address (any organization: webhooks find the organization by it). */
  findLiveByAddress(kind: SenderKind, address: string): Promise<Sender | null> {
    return this.db.sender.findUnique({ where: { addressKey: addressKeyOf(kind, address) } });
  }

  findLiveByPhoneNumberId(phoneNumberId: string): Promise<Sender | null> {
    return this.db.sender.findUnique({ where: { phoneNumberKey: phoneNumberId } });
  }

  findLiveByBusinessAccount(businessAccountId: string): Promise<Sender[]> {
    return this.db.sender.findMany({ where: { businessAccountId, deletedAt: null }, orderBy: { createdAt: 'asc' } });
  }
}
