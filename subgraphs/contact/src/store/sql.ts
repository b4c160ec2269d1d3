import { Prisma } from '@switchboard/db';

/** The contact columns under the Prisma model's field names, for raw queries (`c` is the table). */
export const CONTACT_COLUMNS = Prisma.sql`c.id, c.organization_id AS "organizationId", c.name, c.sort_name AS "sortName",
  c.search_text AS "searchText", c.phone, c.email,
  c.whatsapp_id AS "whatsappId", c.tags, c.attributes, c.favourite,
  c.email_consent AS "emailConsent", c.email_consent_source AS "emailConsentSource", c.email_consent_at AS "emailConsentAt",
  c.sms_consent AS "smsConsent", c.sms_consent_source AS "smsConsentSource", c.sms_consent_at AS "smsConsentAt",
  c.whatsapp_consent AS "whatsappConsent", c.whatsapp_consent_source AS "whatsappConsentSource",
  c.whatsapp_consent_at AS "whatsappConsentAt", c.source, c.version, c.created_at AS "createdAt", c.updated_at AS "updatedAt"`;

/** Escapes `%`, `_` and `\` for a LIKE pattern (backslash is PostgreSQL's default escape). */
export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** A unique constraint refused the write (Prisma's P2002, or PostgreSQL's 23505 from a raw query). */
export function isUniqueViolation(error: unknown): boolean {
  if (!(error instanceof Prisma.PrismaClientKnownRequestError)) {
    return (error as { code?: unknown } | null)?.code === '23505';
  }
  if (error.code === 'P2002') return true;
  const meta = error.meta as { code?: unknown; driverAdapterError?: { cause?: { originalCode?: unknown; kind?: unknown } } } | undefined;
  return (
    meta?.code === '23505' ||
    meta?.driverAdapterError?.cause?.originalCode === '23505' ||
    meta?.driverAdapterError?.cause?.kind === 'UniqueConstraintViolation'
  );
}

/** An update or delete matched no row (Prisma's P2025). */
export function isRecordNotFound(error: unknown): boolean {
  return error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2025';
}
