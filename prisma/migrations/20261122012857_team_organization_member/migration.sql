-- The team subgraph's projection of organization membership, fed by the user subgraph's events
-- (organization.created, user.registered, invitation.accepted, membership.role_changed,
-- membership.removed). The primary key serves the one lookup (is this user a member of this
-- organization?) and the consumer's upsert. It starts empty: the consumer group reads the user
-- topics from the beginning of what Kafka retains.

-- CreateTable
CREATE TABLE "team"."organization_member" (
    "organization_id" UUID NOT NULL,
    "user_id" UUID NOT NULL,
    "is_member" BOOLEAN NOT NULL,
    "occurred_at" TIMESTAMPTZ(3) NOT NULL,
    "event_id" UUID NOT NULL,
    "applied_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "organization_member_pkey" PRIMARY KEY ("organization_id","user_id")
);
