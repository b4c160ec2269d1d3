import { Prisma, withTransaction, type PrismaClient } from '@switchboard/db';
import type { ConsentChannel } from '../domain/contact-fields';
import type { SenderAddress } from '../domain/inbound';
import type { ContactRecord, NewContact } from '../domain/types';
import { insertContact, setContactConsent, type ConsentDecision, type Db, type WriteMeta } from './contact-writes';
import { CONTACT_COLUMNS } from './sql';

/** The writes of one inbound message, inside one transaction (rows locked until it commits). */
export class InboundTransaction {
  constructor(private readonly tx: Db) {}

  async lockById(organizationId: string, id: string): Promise<ContactRecord | null> {
    const rows = await this.tx.$queryRaw<ContactRecord[]>`
      SELECT ${CONTACT_COLUMNS} FROM contact.contact c
      WHERE c.id = ${id}::uuid AND c.organization_id = ${organizationId}::uuid
      FOR UPDATE`;
    return rows[0] ?? null;
  }

  /** The organization's contact with the sender's phone, else email, else WhatsApp id (the most recently changed). */
  async lockBySender(organizationId: string, sender: SenderAddress): Promise<ContactRecord | null> {
    const keys: Prisma.Sql[] = [];
    if (sender.phone) keys.push(Prisma.sql`c.phone = ${sender.phone}`);
    if (sender.email) keys.push(Prisma.sql`c.email = ${sender.email}`);
    if (sender.whatsappId) keys.push(Prisma.sql`c.whatsapp_id = ${sender.whatsappId}`);
    if (keys.length === 0) return null;
    const rows = await this.tx.$queryRaw<ContactRecord[]>`
      SELECT ${CONTACT_COLUMNS} FROM contact.contact c
      WHERE c.organization_id = ${organizationId}::uuid AND (${Prisma.join(keys, ' OR ')})
      ORDER BY (c.phone IS NOT DISTINCT FROM ${sender.phone}) DESC, (c.email IS NOT DISTINCT FROM ${sender.email}) DESC, c.updated_at DESC
      LIMIT 1
      FOR UPDATE`;
    return rows[0] ?? null;
  }

  /** Creates the contact unless its phone / email is taken meanwhile (null then). */
  createIfAbsent(
    organizationId: string,
    contact: NewContact & { source: string; consentDecisions: Partial<Record<ConsentChannel, ConsentDecision>> },
    meta: WriteMeta,
  ): Promise<ContactRecord | null> {
    return insertContact(this.tx, organizationId, contact, { ...meta, onConflict: 'skip' });
  }

  /** Records a consent decision unless the contact has one made at the same time or later (null then). */
  recordConsentIfNewer(
    organizationId: string,
    id: string,
    channel: ConsentChannel,
    decision: ConsentDecision,
    meta: WriteMeta,
  ): Promise<ContactRecord | null> {
    return setContactConsent(this.tx, organizationId, id, channel, decision, { ...meta, onlyIfNewer: true });
  }
}

/** Inbound messages' effects on contacts: each in one transaction. */
export class InboundStore {
  constructor(private readonly prisma: PrismaClient) {}

  transaction<T>(fn: (tx: InboundTransaction) => Promise<T>): Promise<T> {
    return withTransaction(this.prisma, (tx) => fn(new InboundTransaction(tx)), { timeout: 15_000, maxWait: 10_000 });
  }
}
