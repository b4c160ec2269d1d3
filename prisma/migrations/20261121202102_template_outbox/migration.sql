-- AlterTable
ALTER TABLE "template"."template" ADD COLUMN     "provider_status_at" TIMESTAMPTZ(3),
ADD COLUMN     "provider_template_id" TEXT;

-- CreateTable
CREATE TABLE "template"."outbox" (
    "id" UUID NOT NULL,
    "type" TEXT NOT NULL,
    "payload" JSONB NOT NULL,
    "organization_id" UUID,
    "trace_id" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "published_at" TIMESTAMPTZ(3),

    CONSTRAINT "outbox_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "template"."consumed_event" (
    "consumer" TEXT NOT NULL,
    "event_id" UUID NOT NULL,
    "organization_id" UUID,
    "template_id" UUID,
    "outcome" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "consumed_event_pkey" PRIMARY KEY ("consumer","event_id")
);

-- CreateIndex
CREATE INDEX "outbox_published_at_created_at_idx" ON "template"."outbox"("published_at", "created_at");

-- CreateIndex
CREATE INDEX "consumed_event_created_at_idx" ON "template"."consumed_event"("created_at");

-- CreateIndex
CREATE INDEX "template_organization_id_provider_template_id_idx" ON "template"."template"("organization_id", "provider_template_id");
