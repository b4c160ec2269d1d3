-- Trigram search over contact names, emails and phones (the GIN index below uses gin_trgm_ops).
-- pg_trgm is a trusted extension: the database owner may create it.
CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "contact";

-- CreateEnum
CREATE TYPE "contact"."consent_status" AS ENUM ('OPTED_IN', 'OPTED_OUT', 'UNKNOWN');

-- CreateEnum
CREATE TYPE "contact"."import_status" AS ENUM ('PENDING', 'RUNNING', 'COMPLETED', 'FAILED');

-- CreateEnum
CREATE TYPE "contact"."import_format" AS ENUM ('CSV', 'ROWS');

-- CreateTable
CREATE TABLE "contact"."contact" (
    "id" UUID NOT NULL,
    "organization_id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "sort_name" TEXT NOT NULL,
    "search_text" TEXT NOT NULL,
    "phone" TEXT,
    "email" TEXT,
    "whatsapp_id" TEXT,
    "tags" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "attributes" JSONB NOT NULL DEFAULT '{}',
    "favourite" BOOLEAN NOT NULL DEFAULT false,
    "email_consent" "contact"."consent_status" NOT NULL DEFAULT 'UNKNOWN',
    "email_consent_source" TEXT,
    "email_consent_at" TIMESTAMPTZ(3),
    "sms_consent" "contact"."consent_status" NOT NULL DEFAULT 'UNKNOWN',
    "sms_consent_source" TEXT,
    "sms_consent_at" TIMESTAMPTZ(3),
    "whatsapp_consent" "contact"."consent_status" NOT NULL DEFAULT 'UNKNOWN',
    "whatsapp_consent_source" TEXT,
    "whatsapp_consent_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "contact_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "contact"."contact_group" (
    "id" UUID NOT NULL,
    "organization_id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "name_key" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "contact_group_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "contact"."contact_group_member" (
    "group_id" UUID NOT NULL,
    "contact_id" UUID NOT NULL,
    "organization_id" UUID NOT NULL,
    "added_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "contact_group_member_pkey" PRIMARY KEY ("group_id","contact_id")
);

-- CreateTable
CREATE TABLE "contact"."import_job" (
    "id" UUID NOT NULL,
    "organization_id" UUID NOT NULL,
    "created_by_user_id" UUID NOT NULL,
    "status" "contact"."import_status" NOT NULL DEFAULT 'PENDING',
    "format" "contact"."import_format" NOT NULL,
    "default_country" TEXT,
    "total_rows" INTEGER NOT NULL,
    "processed_rows" INTEGER NOT NULL DEFAULT 0,
    "created_count" INTEGER NOT NULL DEFAULT 0,
    "updated_count" INTEGER NOT NULL DEFAULT 0,
    "failed_count" INTEGER NOT NULL DEFAULT 0,
    "errors" JSONB NOT NULL DEFAULT '[]',
    "failure_reason" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "started_at" TIMESTAMPTZ(3),
    "finished_at" TIMESTAMPTZ(3),

    CONSTRAINT "import_job_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "contact_organization_sort_name_id_idx" ON "contact"."contact"("organization_id", "sort_name", "id");

-- CreateIndex
CREATE INDEX "contact_organization_whatsapp_idx" ON "contact"."contact"("organization_id", "whatsapp_id");

-- CreateIndex
CREATE INDEX "contact_search_text_trgm_idx" ON "contact"."contact" USING GIN ("search_text" gin_trgm_ops);

-- CreateIndex
CREATE INDEX "contact_tags_idx" ON "contact"."contact" USING GIN ("tags");

-- CreateIndex
CREATE UNIQUE INDEX "contact_organization_phone_key" ON "contact"."contact"("organization_id", "phone");

-- CreateIndex
CREATE UNIQUE INDEX "contact_organization_email_key" ON "contact"."contact"("organization_id", "email");

-- CreateIndex
CREATE UNIQUE INDEX "contact_group_organization_name_key" ON "contact"."contact_group"("organization_id", "name_key");

-- CreateIndex
CREATE INDEX "contact_group_member_contact_idx" ON "contact"."contact_group_member"("contact_id");

-- CreateIndex
CREATE INDEX "contact_import_job_organization_created_idx" ON "contact"."import_job"("organization_id", "created_at");

-- AddForeignKey
ALTER TABLE "contact"."contact_group_member" ADD CONSTRAINT "contact_group_member_group_id_fkey" FOREIGN KEY ("group_id") REFERENCES "contact"."contact_group"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "contact"."contact_group_member" ADD CONSTRAINT "contact_group_member_contact_id_fkey" FOREIGN KEY ("contact_id") REFERENCES "contact"."contact"("id") ON DELETE CASCADE ON UPDATE CASCADE;
