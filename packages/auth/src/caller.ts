import { createHmac, timingSafeEqual } from 'node:crypto';
import { isRole, type Role } from './roles';

/**
 * The caller context the gateway forwards to subgraphs. The gateway is the only door: subgraphs
 * accept a request only with a valid signature over this context, so a client that reaches a
 * subgraph directly — or forges the header — is refused.
 */
export const CALLER_HEADER = 'x-switchboard-caller';

export interface AuthenticatedCaller {
  kind: 'user';
  userId: string;
  organizationId: string;
  role: Role;
  sessionId: string;
  tokenId: string;
  clientIp: string;
  requestId: string;
}

/** A request the gateway let through without a token (register, login, password reset …). */
export interface AnonymousCaller {
  kind: 'anonymous';
  clientIp: string;
  requestId: string;
}

export type Caller = AuthenticatedCaller | AnonymousCaller;

export class CallerVerificationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CallerVerificationError';
  }
}

/** How long a signed caller header is accepted; bounds replay of a captured header. */
const MAX_AGE_SECONDS = 300;

function mac(secret: string, payload: string): Buffer {
  return createHmac('sha256', secret).update(payload).digest();
}

export function signCaller(caller: Caller, secret: string, now = Date.now()): string {
  const payload = Buffer.from(JSON.stringify({ ...caller, iat: Math.floor(now / 1000) })).toString(
    'base64url',
  );
  return `${payload}.${mac(secret, payload).toString('base64url')}`;
}

export function verifyCaller(header: string | undefined, secret: string, now = Date.now()): Caller {
  if (!header) throw new CallerVerificationError('Missing internal caller context');
  const [payload, signature, extra] = header.split('.');
  if (!payload || !signature || extra !== undefined) {
    throw new CallerVerificationError('Malformed internal caller context');
  }
  const expected = mac(secret, payload);
  const given = Buffer.from(signature, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw new CallerVerificationError('Invalid internal caller signature');
  }
  let decoded: Record<string, unknown>;
  try {
    decoded = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
  } catch {
    throw new CallerVerificationError('Malformed internal caller context');
  }
  const iat = decoded.iat;
  if (typeof iat !== 'number' || Math.abs(now / 1000 - iat) > MAX_AGE_SECONDS) {
    throw new CallerVerificationError('Internal caller context has expired');
  }
  const clientIp = typeof decoded.clientIp === 'string' ? decoded.clientIp : 'unknown';
  const requestId = typeof decoded.requestId === 'string' ? decoded.requestId : 'unknown';
  if (decoded.kind === 'anonymous') return { kind: 'anonymous', clientIp, requestId };
  const { userId, organizationId, role, sessionId, tokenId } = decoded;
  if (
    decoded.kind !== 'user' ||
    typeof userId !== 'string' ||
    typeof organizationId !== 'string' ||
    !isRole(role) ||
    typeof sessionId !== 'string' ||
    typeof tokenId !== 'string'
  ) {
    throw new CallerVerificationError('Malformed internal caller context');
  }
  return { kind: 'user', userId, organizationId, role, sessionId, tokenId, clientIp, requestId };
}
