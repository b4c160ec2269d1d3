-- CreateIndex
CREATE INDEX "contact_sort_name_trgm_idx" ON "contact"."contact" USING GIN ("sort_name" gin_trgm_ops);
