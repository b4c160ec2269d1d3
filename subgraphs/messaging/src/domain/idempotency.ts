import { createHash } from 'node:crypto';
import { normalizeRecipient } from './addresses';
import type { Channel } from './types';

/** What a send asked for, as far as an idempotency key vouches for it. */
export interface FingerprintedRequest {
  channel: Channel;
  senderId: string;
  contactId?: string | null;
  to?: string | null;
  body?: string | null;
  subject?: string | null;
  templateId?: string | null;
  variables?: unknown;
}

/**
 * A digest of a send request, stored beside its idempotency key: a later request with the same key
 * but another channel, sender, recipient or content is a client's mistake (a key reused for a
 * different message), not a retry, and is refused instead of silently answered with the first
 * message. The recipient's address is compared as sent (E.164, lower-case email), so
 * `+44 7911 123456` and `+447911123456` are the same request; texts are compared exactly.
 */
export function requestFingerprint(request: FingerprintedRequest): string {
  const to = request.to === null || request.to === undefined ? null : recipientForm(request.channel, request.to);
  const canonical = JSON.stringify([
    1,
    request.channel,
    request.senderId,
    request.contactId ?? null,
    to,
    request.body ?? null,
    request.subject ?? null,
    request.templateId ?? null,
    sortedKeys(request.variables ?? null),
  ]);
  return createHash('sha256').update(canonical).digest('base64url');
}

function recipientForm(channel: Channel, to: string): string {
  const normalized = normalizeRecipient(channel, to);
  return normalized.ok ? normalized.address : to.trim();
}

/** The same JSON value with every object's keys in order, so `{a, b}` and `{b, a}` digest alike. */
function sortedKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortedKeys);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((key) => [key, sortedKeys((value as Record<string, unknown>)[key])]),
  );
}
