-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "messaging";

-- CreateEnum
CREATE TYPE "messaging"."message_direction" AS ENUM ('OUTBOUND', 'INBOUND');

-- CreateEnum
CREATE TYPE "messaging"."message_channel" AS ENUM ('EMAIL', 'SMS', 'WHATSAPP');

-- CreateEnum
CREATE TYPE "messaging"."message_status" AS ENUM ('QUEUED', 'SENDING', 'SENT', 'DELIVERED', 'READ', 'FAILED', 'UNDELIVERED');

-- CreateEnum
CREATE TYPE "messaging"."message_status_source" AS ENUM ('API', 'WORKER', 'WEBHOOK', 'SYSTEM');

-- CreateEnum
CREATE TYPE "messaging"."sender_kind" AS ENUM ('SMS_NUMBER', 'WHATSAPP_NUMBER', 'EMAIL_ADDRESS');

-- CreateEnum
CREATE TYPE "messaging"."sender_provider" AS ENUM ('TWILIO', 'META_WHATSAPP', 'SMTP');

-- CreateEnum
CREATE TYPE "messaging"."consent_status" AS ENUM ('OPTED_IN', 'OPTED_OUT', 'UNKNOWN');

-- CreateTable
CREATE TABLE "messaging"."sender" (
    "id" UUID NOT NULL,
    "organization_id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "kind" "messaging"."sender_kind" NOT NULL,
    "provider" "messaging"."sender_provider" NOT NULL,
    "address" TEXT NOT NULL,
    "phone_number_id" TEXT,
    "business_account_id" TEXT,
    "display_name" TEXT,
    "credentials_ciphertext" TEXT,
    "credentials_hint" TEXT,
    "provider_resource_id" TEXT,
    "rate_limit_per_second" INTEGER NOT NULL,
    "address_key" TEXT,
    "phone_number_key" TEXT,
    "deleted_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "sender_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "messaging"."message" (
    "id" UUID NOT NULL,
    "organization_id" UUID NOT NULL,
    "direction" "messaging"."message_direction" NOT NULL,
    "channel" "messaging"."message_channel" NOT NULL,
    "sender_id" UUID NOT NULL,
    "contact_id" UUID,
    "from_address" TEXT NOT NULL,
    "to_address" TEXT NOT NULL,
    "counterpart_address" TEXT NOT NULL,
    "subject" TEXT,
    "body" TEXT,
    "template_id" UUID,
    "template_version_id" UUID,
    "variables" JSONB,
    "status" "messaging"."message_status" NOT NULL,
    "provider_message_id" TEXT,
    "error_code" TEXT,
    "error_reason" TEXT,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "campaign_id" UUID,
    "conversation_id" UUID,
    "idempotency_key" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "message_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "messaging"."message_status_change" (
    "id" UUID NOT NULL,
    "message_id" UUID NOT NULL,
    "sequence" INTEGER NOT NULL,
    "status" "messaging"."message_status" NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL,
    "source" "messaging"."message_status_source" NOT NULL,
    "provider_code" TEXT,
    "event_id" UUID,
    "recorded_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "message_status_change_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "messaging"."pending_provider_status" (
    "id" UUID NOT NULL,
    "organization_id" UUID NOT NULL,
    "sender_id" UUID NOT NULL,
    "provider_message_id" TEXT NOT NULL,
    "status" "messaging"."message_status" NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL,
    "error_code" TEXT,
    "error_reason" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "pending_provider_status_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "messaging"."contact_projection" (
    "id" UUID NOT NULL,
    "organization_id" UUID NOT NULL,
    "name" TEXT,
    "phone" TEXT,
    "email" TEXT,
    "whatsapp_id" TEXT,
    "email_consent" "messaging"."consent_status" NOT NULL DEFAULT 'UNKNOWN',
    "email_consent_at" TIMESTAMPTZ(3),
    "sms_consent" "messaging"."consent_status" NOT NULL DEFAULT 'UNKNOWN',
    "sms_consent_at" TIMESTAMPTZ(3),
    "whatsapp_consent" "messaging"."consent_status" NOT NULL DEFAULT 'UNKNOWN',
    "whatsapp_consent_at" TIMESTAMPTZ(3),
    "deleted" BOOLEAN NOT NULL DEFAULT false,
    "source_updated_at" TIMESTAMPTZ(3) NOT NULL,
    "last_event_id" UUID,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "contact_projection_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "messaging"."address_consent" (
    "organization_id" UUID NOT NULL,
    "channel" "messaging"."message_channel" NOT NULL,
    "address" TEXT NOT NULL,
    "status" "messaging"."consent_status" NOT NULL,
    "keyword" TEXT NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "address_consent_pkey" PRIMARY KEY ("organization_id","channel","address")
);

-- CreateTable
CREATE TABLE "messaging"."template_projection" (
    "id" UUID NOT NULL,
    "organization_id" UUID NOT NULL,
    "channel" "messaging"."message_channel" NOT NULL,
    "name" TEXT NOT NULL,
    "language" TEXT,
    "status" TEXT NOT NULL,
    "active_version_id" UUID,
    "content" JSONB,
    "variables" JSONB,
    "archived" BOOLEAN NOT NULL DEFAULT false,
    "source_updated_at" TIMESTAMPTZ(3) NOT NULL,
    "last_event_id" UUID,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "template_projection_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "messaging"."outbox" (
    "id" UUID NOT NULL,
    "type" TEXT NOT NULL,
    "payload" JSONB NOT NULL,
    "organization_id" UUID,
    "trace_id" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "published_at" TIMESTAMPTZ(3),

    CONSTRAINT "outbox_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "sender_address_key_key" ON "messaging"."sender"("address_key");

-- CreateIndex
CREATE UNIQUE INDEX "sender_phone_number_key_key" ON "messaging"."sender"("phone_number_key");

-- CreateIndex
CREATE INDEX "sender_organization_id_created_at_idx" ON "messaging"."sender"("organization_id", "created_at");

-- CreateIndex
CREATE INDEX "sender_business_account_id_idx" ON "messaging"."sender"("business_account_id");

-- CreateIndex
CREATE INDEX "message_organization_id_created_at_id_idx" ON "messaging"."message"("organization_id", "created_at" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "message_organization_id_contact_id_created_at_id_idx" ON "messaging"."message"("organization_id", "contact_id", "created_at" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "message_sender_id_counterpart_address_direction_created_at_idx" ON "messaging"."message"("sender_id", "counterpart_address", "direction", "created_at" DESC);

-- CreateIndex
CREATE UNIQUE INDEX "message_organization_id_idempotency_key_key" ON "messaging"."message"("organization_id", "idempotency_key");

-- CreateIndex
CREATE UNIQUE INDEX "message_sender_id_direction_provider_message_id_key" ON "messaging"."message"("sender_id", "direction", "provider_message_id");

-- CreateIndex
CREATE UNIQUE INDEX "message_status_change_event_id_key" ON "messaging"."message_status_change"("event_id");

-- CreateIndex
CREATE UNIQUE INDEX "message_status_change_message_id_sequence_key" ON "messaging"."message_status_change"("message_id", "sequence");

-- CreateIndex
CREATE INDEX "pending_provider_status_sender_id_provider_message_id_idx" ON "messaging"."pending_provider_status"("sender_id", "provider_message_id");

-- CreateIndex
CREATE INDEX "pending_provider_status_created_at_idx" ON "messaging"."pending_provider_status"("created_at");

-- CreateIndex
CREATE INDEX "contact_projection_organization_id_phone_idx" ON "messaging"."contact_projection"("organization_id", "phone");

-- CreateIndex
CREATE INDEX "contact_projection_organization_id_email_idx" ON "messaging"."contact_projection"("organization_id", "email");

-- CreateIndex
CREATE INDEX "contact_projection_organization_id_whatsapp_id_idx" ON "messaging"."contact_projection"("organization_id", "whatsapp_id");

-- CreateIndex
CREATE INDEX "template_projection_organization_id_idx" ON "messaging"."template_projection"("organization_id");

-- CreateIndex
CREATE INDEX "outbox_published_at_created_at_idx" ON "messaging"."outbox"("published_at", "created_at");

-- AddForeignKey
ALTER TABLE "messaging"."message" ADD CONSTRAINT "message_sender_id_fkey" FOREIGN KEY ("sender_id") REFERENCES "messaging"."sender"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "messaging"."message_status_change" ADD CONSTRAINT "message_status_change_message_id_fkey" FOREIGN KEY ("message_id") REFERENCES "messaging"."message"("id") ON DELETE CASCADE ON UPDATE CASCADE;
