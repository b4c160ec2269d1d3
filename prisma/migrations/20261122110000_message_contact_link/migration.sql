-- Messages exchanged with an address before messaging knew its contact (an unknown sender who
-- became a contact, a number texted before its contact was imported) get that contact, as the
-- contact projection now does whenever a contact arrives: SMS by phone, WhatsApp by WhatsApp number
-- or phone, email by address, within the contact's organization, never a deleted contact, never
-- replacing a message's contact; of two contacts with one address, the one updated last.
WITH address AS MATERIALIZED (
  SELECT c.id AS contact_id, c.organization_id, c.source_updated_at, a.channel, a.address
    FROM "messaging"."contact_projection" c
    CROSS JOIN LATERAL (VALUES ('SMS', c.phone), ('WHATSAPP', c.phone), ('WHATSAPP', '+' || c.whatsapp_id), ('EMAIL', c.email))
      AS a (channel, address)
   WHERE NOT c.deleted AND a.address IS NOT NULL
), found AS (
  SELECT DISTINCT ON (m.id) m.id, address.contact_id
    FROM address
    JOIN "messaging"."sender" s ON s.organization_id = address.organization_id
    JOIN "messaging"."message" m ON m.sender_id = s.id AND m.counterpart_address = address.address
   WHERE m.contact_id IS NULL AND m.channel::text = address.channel
   ORDER BY m.id, address.source_updated_at DESC, address.contact_id
)
UPDATE "messaging"."message" AS m SET contact_id = found.contact_id FROM found WHERE m.id = found.id;
