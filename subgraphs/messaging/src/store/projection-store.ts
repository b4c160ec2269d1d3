import { Prisma, type MessagingAddressConsent, type MessagingContactProjection, type MessagingTemplateProjection } from '@switchboard/db';
import type { ContactProjectionRow, TemplateState } from '../domain/projection-rules';
import type { Channel, ConsentStatus } from '../domain/types';

type Db = Prisma.TransactionClient;

const CONSENT_COLUMNS = {
  EMAIL: { status: 'emailConsent', at: 'emailConsentAt' },
  SMS: { status: 'smsConsent', at: 'smsConsentAt' },
  WHATSAPP: { status: 'whatsappConsent', at: 'whatsappConsentAt' },
} as const;

/** Messaging's local copies of contacts and templates, and consent keywords by address. */
export class ProjectionStore {
  constructor(private readonly db: Db) {}

  findContact(organizationId: string, id: string): Promise<MessagingContactProjection | null> {
    return this.db.messagingContactProjection.findFirst({ where: { id, organizationId } });
  }

  /** Locks the contact's row (if any) until the transaction ends, and returns it. */
  async lockContact(id: string): Promise<MessagingContactProjection | null> {
    await this.db.$queryRaw`SELECT id FROM "messaging"."contact_projection" WHERE id = ${id}::uuid FOR UPDATE`;
    return this.db.messagingContactProjection.findUnique({ where: { id } });
  }

  /** The organization's (live) contact with this address for the channel. */
  findContactByAddress(organizationId: string, channel: Channel, address: string): Promise<MessagingContactProjection | null> {
    const match: Prisma.MessagingContactProjectionWhereInput =
      channel === 'EMAIL'
        ? { email: address }
        : channel === 'SMS'
          ? { phone: address }
          : { OR: [{ whatsappId: address.replace(/^\+/u, '') }, { phone: address }] };
    return this.db.messagingContactProjection.findFirst({
      where: { organizationId, deleted: false, ...match },
      orderBy: { sourceUpdatedAt: 'desc' },
    });
  }

  async saveContact(row: ContactProjectionRow): Promise<void> {
    await this.db.messagingContactProjection.upsert({ where: { id: row.id }, create: row, update: row });
  }

  async setContactConsent(id: string, channel: Channel, status: ConsentStatus, at: Date): Promise<void> {
    const columns = CONSENT_COLUMNS[channel];
    await this.db.messagingContactProjection.update({ where: { id }, data: { [columns.status]: status, [columns.at]: at } });
  }

  findAddressConsent(organizationId: string, channel: Channel, address: string): Promise<MessagingAddressConsent | null> {
    return this.db.messagingAddressConsent.findUnique({
      where: { organizationId_channel_address: { organizationId, channel, address } },
    });
  }

  /** Records a keyword from an address, unless a later one is already recorded. */
  async recordAddressConsent(entry: {
    organizationId: string;
    channel: Channel;
    address: string;
    status: ConsentStatus;
    keyword: string;
    at: Date;
  }): Promise<void> {
    await this.db.$executeRaw`
      INSERT INTO "messaging"."address_consent" (organization_id, channel, address, status, keyword, at)
      VALUES (${entry.organizationId}::uuid, ${entry.channel}::"messaging"."message_channel", ${entry.address},
              ${entry.status}::"messaging"."consent_status", ${entry.keyword}, ${entry.at})
      ON CONFLICT (organization_id, channel, address) DO UPDATE
        SET status = EXCLUDED.status, keyword = EXCLUDED.keyword, at = EXCLUDED.at
        WHERE "address_consent".at <= EXCLUDED.at`;
  }

  findTemplate(organizationId: string, id: string): Promise<MessagingTemplateProjection | null> {
    return this.db.messagingTemplateProjection.findFirst({ where: { id, organizationId } });
  }

  async lockTemplate(id: string): Promise<MessagingTemplateProjection | null> {
    await this.db.$queryRaw`SELECT id FROM "messaging"."template_projection" WHERE id = ${id}::uuid FOR UPDATE`;
    return this.db.messagingTemplateProjection.findUnique({ where: { id } });
  }

  async saveTemplate(state: TemplateState): Promise<void> {
    const json = (value: unknown) => (value === null || value === undefined ? Prisma.DbNull : (value as Prisma.InputJsonValue));
    const row = {
      id: state.id,
      organizationId: state.organizationId,
      channel: state.channel,
      name: state.name,
      language: state.language,
      status: state.status,
      activeVersionId: state.activeVersionId,
      content: json(state.content),
      variables: json(state.variables),
      archived: state.archived,
      sourceUpdatedAt: state.at,
      lastEventId: state.eventId,
    };
    await this.db.messagingTemplateProjection.upsert({ where: { id: state.id }, create: row, update: row });
  }
}
