import type { MessagingAddressConsent, MessagingContactProjection, Sender, SqlExecutor } from '@switchboard/db';
import type { Channel } from '../domain/types';

/** What sendMessage reads before accepting a message to an address: one statement instead of three. */
export interface SendLookup {
  /** The organization's live sender with that id. */
  sender: Sender | null;
  /** The organization's live contact with the address for the channel (the latest, if several). */
  contact: MessagingContactProjection | null;
  /** A consent keyword received from the address. */
  addressConsent: Pick<MessagingAddressConsent, 'status' | 'at'> | null;
}

const SENDER_COLUMNS = `
  s.id AS "s.id", s.organization_id AS "s.organizationId", s.name AS "s.name", s.kind::text AS "s.kind", s.provider::text AS "s.provider",
  s.address AS "s.address", s.phone_number_id AS "s.phoneNumberId", s.business_account_id AS "s.businessAccountId",
  s.display_name AS "s.displayName", s.credentials_ciphertext AS "s.credentialsCiphertext", s.credentials_hint AS "s.credentialsHint",
  s.provider_resource_id AS "s.providerResourceId", s.rate_limit_per_second AS "s.rateLimitPerSecond", s.address_key AS "s.addressKey",
  s.phone_number_key AS "s.phoneNumberKey", s.deleted_at AS "s.deletedAt", s.created_at AS "s.createdAt", s.updated_at AS "s.updatedAt"`;

const CONTACT_COLUMNS = `
  c.id AS "c.id", c.organization_id AS "c.organizationId", c.name AS "c.name", c.phone AS "c.phone", c.email AS "c.email",
  c.whatsapp_id AS "c.whatsappId", c.email_consent::text AS "c.emailConsent", c.email_consent_at AS "c.emailConsentAt",
  c.sms_consent::text AS "c.smsConsent", c.sms_consent_at AS "c.smsConsentAt", c.whatsapp_consent::text AS "c.whatsappConsent",
  c.whatsapp_consent_at AS "c.whatsappConsentAt", c.deleted AS "c.deleted", c.source_updated_at AS "c.sourceUpdatedAt",
  c.last_event_id AS "c.lastEventId", c.updated_at AS "c.updatedAt"`;

/** The contact match per channel, as in ProjectionStore.findContactByAddress. */
const CONTACT_MATCH: Record<Channel, string> = {
  EMAIL: 'c.email = $4',
  SMS: 'c.phone = $4',
  WHATSAPP: "(c.whatsapp_id = ltrim($4, '+') OR c.phone = $4)",
};

function statementFor(channel: Channel): string {
  return `
    SELECT ${SENDER_COLUMNS}, ${CONTACT_COLUMNS}, ac.status::text AS "a.status", ac.at AS "a.at"
      FROM (SELECT 1) AS one
      LEFT JOIN "messaging"."sender" s ON s.id = $2 AND s.organization_id = $1 AND s.deleted_at IS NULL
      LEFT JOIN LATERAL (
        SELECT * FROM "messaging"."contact_projection" c
         WHERE c.organization_id = $1 AND c.deleted = false AND ${CONTACT_MATCH[channel]}
         ORDER BY c.source_updated_at DESC LIMIT 1
      ) c ON true
      LEFT JOIN "messaging"."address_consent" ac
        ON ac.organization_id = $1 AND ac.channel = $3::"messaging"."message_channel" AND ac.address = $4`;
}

const STATEMENTS = { EMAIL: statementFor('EMAIL'), SMS: statementFor('SMS'), WHATSAPP: statementFor('WHATSAPP') };

/** The fields of one prefix (`s.`, `c.`, `a.`) of a row, or null when the join found nothing. */
function part<T>(row: Record<string, unknown>, prefix: string, key: string): T | null {
  if (row[`${prefix}${key}`] === null || row[`${prefix}${key}`] === undefined) return null;
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(row)) if (name.startsWith(prefix)) out[name.slice(prefix.length)] = value;
  return out as T;
}

export class SendLookupStore {
  constructor(private readonly sql: SqlExecutor) {}

  async byAddress(organizationId: string, senderId: string, channel: Channel, address: string): Promise<SendLookup> {
    const result = await this.sql.query<Record<string, unknown>>({
      name: `messaging.send.lookup.${channel}`,
      text: STATEMENTS[channel],
      values: [organizationId, senderId, channel, address],
    });
    const row = result.rows[0] ?? {};
    return {
      sender: part<Sender>(row, 's.', 'id'),
      contact: part<MessagingContactProjection>(row, 'c.', 'id'),
      addressConsent: part<Pick<MessagingAddressConsent, 'status' | 'at'>>(row, 'a.', 'status'),
    };
  }
}
