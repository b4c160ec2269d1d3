-- AlterTable
ALTER TABLE "messaging"."message" ADD COLUMN     "history_length" INTEGER NOT NULL DEFAULT 1,
ADD COLUMN     "revision" INTEGER NOT NULL DEFAULT 0;

-- Messages written before this migration: their history length is what their history holds.
UPDATE "messaging"."message" AS m
   SET "history_length" = h.entries
  FROM (SELECT "message_id", count(*)::integer AS entries FROM "messaging"."message_status_change" GROUP BY "message_id") AS h
 WHERE h."message_id" = m."id" AND m."history_length" <> h.entries;
