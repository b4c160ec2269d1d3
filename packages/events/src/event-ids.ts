import { randomBytes } from 'node:crypto';

/**
 * Time-ordered event ids (UUID version 7, RFC 9562), monotonic within this process, for the
 * outbox convention: `"<schema>"."outbox"` rows are relayed `ORDER BY created_at, id`, and rows
 * written in one transaction share `created_at` (PostgreSQL's transaction time). With these ids
 * they go out in the order written (a message's DELIVERED before its READ).
 */
let lastMs = 0;
let counter = 0;

export function eventId(now: number = Date.now()): string {
  if (now > lastMs) {
    lastMs = now;
    counter = randomBytes(2).readUInt16BE() & 0x7ff; // leave room to count up within the millisecond
  } else {
    counter += 1;
    if (counter > 0xfff) {
      // More than ~2,000 ids in one millisecond: borrow the next millisecond.
      lastMs += 1;
      counter = 0;
    }
  }
  const bytes = randomBytes(16);
  bytes.writeUIntBE(lastMs, 0, 6);
  bytes[6] = 0x70 | (counter >> 8);
  bytes[7] = counter & 0xff;
  bytes[8] = 0x80 | (bytes[8]! & 0x3f);
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
