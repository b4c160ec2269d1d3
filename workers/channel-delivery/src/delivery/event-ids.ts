import { createHash } from 'node:crypto';

/** Namespace of the name-based (version 5) UUIDs of events this worker publishes. */
const NAMESPACE = Buffer.from('5f0c8f3e9b0d4c43a4f2a2c1d1e6b7a9', 'hex');

/**
 * A UUID v5 (RFC 9562) derived from `name`: the same outcome of the same request always gets the
 * same event id, so publishing it again after a crash is a duplicate consumers already drop.
 */
export function derivedEventId(name: string): string {
  const hash = createHash('sha1').update(NAMESPACE).update(name, 'utf8').digest();
  hash[6] = (hash[6]! & 0x0f) | 0x50;
  hash[8] = (hash[8]! & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}
