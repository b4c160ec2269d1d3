-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "template";

-- CreateEnum
CREATE TYPE "template"."TemplateChannel" AS ENUM ('EMAIL', 'SMS', 'WHATSAPP');

-- CreateEnum
CREATE TYPE "template"."TemplateStatus" AS ENUM ('ACTIVE', 'DRAFT', 'PENDING', 'APPROVED', 'REJECTED', 'PAUSED', 'DISABLED');

-- CreateTable
CREATE TABLE "template"."template" (
    "id" UUID NOT NULL,
    "organization_id" UUID NOT NULL,
    "channel" "template"."TemplateChannel" NOT NULL,
    "name" TEXT NOT NULL,
    "language" TEXT,
    "name_key" TEXT,
    "status" "template"."TemplateStatus" NOT NULL,
    "latest_version_id" UUID,
    "active_version_id" UUID,
    "created_by_id" UUID NOT NULL,
    "archived_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "template_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "template"."template_version" (
    "id" UUID NOT NULL,
    "template_id" UUID NOT NULL,
    "organization_id" UUID NOT NULL,
    "version" INTEGER NOT NULL,
    "status" "template"."TemplateStatus" NOT NULL,
    "status_reason" TEXT,
    "content" JSONB NOT NULL,
    "variables" JSONB NOT NULL,
    "submitted_at" TIMESTAMPTZ(3),
    "superseded_at" TIMESTAMPTZ(3),
    "created_by_id" UUID NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "template_version_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "template"."template_status_change" (
    "id" UUID NOT NULL,
    "version_id" UUID NOT NULL,
    "organization_id" UUID NOT NULL,
    "from_status" "template"."TemplateStatus",
    "to_status" "template"."TemplateStatus" NOT NULL,
    "reason" TEXT,
    "changed_by_id" UUID,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "template_status_change_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "template_name_key_key" ON "template"."template"("name_key");

-- CreateIndex
CREATE UNIQUE INDEX "template_latest_version_id_key" ON "template"."template"("latest_version_id");

-- CreateIndex
CREATE UNIQUE INDEX "template_active_version_id_key" ON "template"."template"("active_version_id");

-- CreateIndex
CREATE INDEX "template_organization_id_created_at_id_idx" ON "template"."template"("organization_id", "created_at" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "template_organization_id_channel_status_idx" ON "template"."template"("organization_id", "channel", "status");

-- CreateIndex
CREATE INDEX "template_version_organization_id_idx" ON "template"."template_version"("organization_id");

-- CreateIndex
CREATE UNIQUE INDEX "template_version_template_id_version_key" ON "template"."template_version"("template_id", "version");

-- CreateIndex
CREATE INDEX "template_status_change_version_id_created_at_idx" ON "template"."template_status_change"("version_id", "created_at");

-- AddForeignKey
ALTER TABLE "template"."template" ADD CONSTRAINT "template_latest_version_id_fkey" FOREIGN KEY ("latest_version_id") REFERENCES "template"."template_version"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "template"."template" ADD CONSTRAINT "template_active_version_id_fkey" FOREIGN KEY ("active_version_id") REFERENCES "template"."template_version"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "template"."template_version" ADD CONSTRAINT "template_version_template_id_fkey" FOREIGN KEY ("template_id") REFERENCES "template"."template"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "template"."template_status_change" ADD CONSTRAINT "template_status_change_version_id_fkey" FOREIGN KEY ("version_id") REFERENCES "template"."template_version"("id") ON DELETE CASCADE ON UPDATE CASCADE;
