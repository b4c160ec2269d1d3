import { randomUUID } from 'node:crypto';
import type { PrismaClient } from '@switchboard/db';

/**
 * Seeding through the API, as a user would (register, invite, accept). Tokens that only an email
 * would carry (invitations, password resets) are read from the user subgraph's outbox — the
 * stand-in for the inbox.
 */

type Role = 'OWNER' | 'ADMIN' | 'AGENT' | 'VIEWER';

/** What seeding needs of a test system: `startTestSystem()` (or any client with the same shape). */
export interface SeedTarget {
  prisma: PrismaClient;
  graphql(
    query: string,
    variables?: Record<string, unknown>,
    options?: { token?: string },
  ): Promise<{ status: number; data?: unknown; errors?: readonly { message: string; extensions?: Record<string, unknown> }[] }>;
}

/** The AuthPayload fields seeding selects. */
interface AuthPayloadData {
  accessToken: string;
  refreshToken: string;
  role: Role;
  user: { id: string; email: string; name: string };
  organization: { id: string };
}

export interface SeededUser {
  accessToken: string;
  refreshToken: string;
  user: { id: string; email: string; name: string };
  organizationId: string;
  role: Role;
  email: string;
  password: string;
}

export interface RegisterOverrides {
  email?: string;
  password?: string;
  name?: string;
  organizationName?: string;
}

const AUTH_FIELDS = 'accessToken refreshToken role user { id email name } organization { id }';

/** A password that passes the policy for any generated address. */
export const DEFAULT_TEST_PASSWORD = 'Correct-Horse-Battery-42';

let sequence = 0;

/** A unique address per call (safe across test files sharing a database). */
export function uniqueEmail(label = 'user'): string {
  sequence += 1;
  return `${label}-${sequence}-${randomUUID().slice(0, 8)}@example.com`;
}

async function call<T>(
  target: SeedTarget,
  what: string,
  query: string,
  variables: Record<string, unknown>,
  token?: string,
): Promise<T> {
  const result = await target.graphql(query, variables, token ? { token } : {});
  const data = result.data as Record<string, unknown> | null | undefined;
  if (result.errors?.length || !data?.[what]) {
    throw new Error(`${what} failed (HTTP ${result.status}): ${JSON.stringify(result.errors ?? result.data)}`);
  }
  return data[what] as T;
}

function toSeeded(payload: AuthPayloadData, email: string, password: string): SeededUser {
  return {
    accessToken: payload.accessToken,
    refreshToken: payload.refreshToken,
    user: payload.user,
    organizationId: payload.organization.id,
    role: payload.role,
    email,
    password,
  };
}

/** Registers a new user with their own organization (they are its OWNER). */
export async function registerUser(target: SeedTarget, overrides: RegisterOverrides = {}): Promise<SeededUser> {
  const email = overrides.email ?? uniqueEmail();
  const password = overrides.password ?? DEFAULT_TEST_PASSWORD;
  const payload = await call<AuthPayloadData>(
    target,
    'register',
    `mutation Register($input: RegisterInput!) { register(input: $input) { ${AUTH_FIELDS} } }`,
    {
      input: {
        email,
        password,
        name: overrides.name ?? `Test ${email.split('@')[0]}`,
        organizationName: overrides.organizationName ?? `Org of ${email.split('@')[0]}`,
      },
    },
  );
  return toSeeded(payload, email, password);
}

/** The raw token of the newest `invitation.created` event for `email` (what the email would carry). */
export async function invitationTokenFor(target: SeedTarget, email: string): Promise<string> {
  return latestOutboxToken(target, 'invitation.created', email);
}

/** The raw token of the newest `user.password_reset_requested` event for `email`. */
export async function passwordResetTokenFor(target: SeedTarget, email: string): Promise<string> {
  return latestOutboxToken(target, 'user.password_reset_requested', email);
}

async function latestOutboxToken(target: SeedTarget, type: string, email: string): Promise<string> {
  const rows = await target.prisma.userOutboxEvent.findMany({
    where: { type, payload: { path: ['email'], equals: email.trim().toLowerCase() } },
    orderBy: { createdAt: 'desc' },
    take: 1,
  });
  const token = (rows[0]?.payload as { token?: unknown } | undefined)?.token;
  if (typeof token !== 'string') throw new Error(`No ${type} event with a token for ${email}`);
  return token;
}

/**
 * Invites a new person into `inviter`'s organization at `role` and accepts as them (a new
 * account): returns the member, signed in to that organization.
 */
export async function inviteAndJoin(
  target: SeedTarget,
  inviter: Pick<SeededUser, 'accessToken'>,
  role: Role,
  overrides: { email?: string; name?: string; password?: string } = {},
): Promise<SeededUser> {
  const email = overrides.email ?? uniqueEmail(role.toLowerCase());
  const password = overrides.password ?? DEFAULT_TEST_PASSWORD;
  await call<{ id: string }>(
    target,
    'inviteMember',
    'mutation Invite($email: String!, $role: Role!) { inviteMember(email: $email, role: $role) { id } }',
    { email, role },
    inviter.accessToken,
  );
  const token = await invitationTokenFor(target, email);
  const payload = await call<AuthPayloadData>(
    target,
    'acceptInvitation',
    `mutation Accept($token: String!, $name: String, $password: String) {
      acceptInvitation(token: $token, name: $name, password: $password) { ${AUTH_FIELDS} }
    }`,
    { token, name: overrides.name ?? `Test ${role.toLowerCase()}`, password },
  );
  return toSeeded(payload, email, password);
}
