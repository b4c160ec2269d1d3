-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "team";

-- CreateEnum
CREATE TYPE "team"."team_role" AS ENUM ('LEAD', 'MEMBER');

-- CreateTable
CREATE TABLE "team"."team" (
    "id" UUID NOT NULL,
    "organization_id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "name_key" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "team_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "team"."team_member" (
    "team_id" UUID NOT NULL,
    "user_id" UUID NOT NULL,
    "organization_id" UUID NOT NULL,
    "role" "team"."team_role" NOT NULL DEFAULT 'MEMBER',
    "added_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "team_member_pkey" PRIMARY KEY ("team_id","user_id")
);

-- CreateIndex
CREATE UNIQUE INDEX "team_organization_id_name_key_key" ON "team"."team"("organization_id", "name_key");

-- CreateIndex
CREATE INDEX "team_member_organization_id_user_id_idx" ON "team"."team_member"("organization_id", "user_id");

-- AddForeignKey
ALTER TABLE "team"."team_member" ADD CONSTRAINT "team_member_team_id_fkey" FOREIGN KEY ("team_id") REFERENCES "team"."team"("id") ON DELETE CASCADE ON UPDATE CASCADE;
