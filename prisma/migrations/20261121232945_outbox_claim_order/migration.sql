-- The relay claims unpublished rows in (created_at, id) order: with id in the index, its
-- ORDER BY published_at, created_at, id LIMIT n is an index scan that stops after n rows (no sort
-- of every unpublished row), and as a plain index scan it marks the entries of rows published
-- meanwhile as dead, so later claims skip them even before a vacuum.

-- DropIndex
DROP INDEX "contact"."outbox_published_at_created_at_idx";

-- DropIndex
DROP INDEX "messaging"."outbox_published_at_created_at_idx";

-- DropIndex
DROP INDEX "template"."outbox_published_at_created_at_idx";

-- DropIndex
DROP INDEX "user"."outbox_published_at_created_at_idx";

-- CreateIndex
CREATE INDEX "outbox_published_at_created_at_id_idx" ON "contact"."outbox"("published_at", "created_at", "id");

-- CreateIndex
CREATE INDEX "outbox_published_at_created_at_id_idx" ON "messaging"."outbox"("published_at", "created_at", "id");

-- CreateIndex
CREATE INDEX "outbox_published_at_created_at_id_idx" ON "template"."outbox"("published_at", "created_at", "id");

-- CreateIndex
CREATE INDEX "outbox_published_at_created_at_id_idx" ON "user"."outbox"("published_at", "created_at", "id");
