-- AlterTable
ALTER TABLE "messaging"."message" ADD COLUMN     "idempotency_fingerprint" TEXT;
