import type { Redis } from 'ioredis';
import type { PrismaClient } from '@switchboard/db';
import type { Logger } from '@switchboard/config';

/** Settings every subgraph may need, resolved once by the process config. */
export interface SystemSettings {
  /** Signs access tokens (user subgraph) — the gateway verifies them with the same secret. */
  jwtSecret: string;
  accessTokenTtlSeconds: number;
  refreshTokenTtlSeconds: number;
  /** Base URL users reach (links in emails: invitations, password resets). */
  publicUrl: string;
  /**
   * SENDER_CREDENTIALS_KEY: 32 bytes (base64 or hex) encrypting provider credentials at rest
   * (messaging subgraph). Optional here; the messaging factory's options may pass it instead.
   */
  senderCredentialsKey?: string;
}

/**
 * What a process hands each subgraph factory: `userSubgraph(deps)` → SubgraphDefinition. The same
 * factories run inside `npm start` (all in one process) and as separate services.
 */
export interface SubgraphDeps {
  prisma: PrismaClient;
  redis: Redis;
  log: Logger;
  settings: SystemSettings;
}

/**
 * Redis keys shared between the user subgraph (writer) and the gateway (reader) for revoking
 * access tokens before they expire.
 */
export const revocationKeys = {
  /** Set on logout or refresh-token reuse: every access token of that session is refused. */
  session: (sessionId: string) => `auth:revoked-session:${sessionId}`,
  /**
   * Epoch seconds of the last membership change (role change, removal) of a user in an
   * organization: access tokens issued at or before it are refused, so the new role applies now.
   */
  membership: (organizationId: string, userId: string) => `auth:membership-changed:${organizationId}:${userId}`,
};
