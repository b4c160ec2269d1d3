import { randomFillSync } from 'node:crypto';

/**
 * Time-ordered event ids (UUID version 7, RFC 9562), monotonic within this process, for the
 * outbox convention: `"<schema>"."outbox"` rows are relayed `ORDER BY created_at, id`, and rows
 * written in one transaction share `created_at` (PostgreSQL's transaction time). With these ids
 * they go out in the order written (a message's DELIVERED before its READ).
 */
let lastMs = 0;
let counter = 0;

/**
 * Random bytes drawn from a pool refilled 4 KiB at a time (as node's randomUUID does): a
 * `randomBytes(16)` per id, a new Buffer and a call into OpenSSL each, took about 2 µs an id, ten
 * times this.
 */
const POOL_BYTES = 4096;
const pool = Buffer.allocUnsafe(POOL_BYTES);
let poolAt = POOL_BYTES;
const idBytes = Buffer.allocUnsafe(16);

/** Where the next `count` unused random bytes of the pool start. */
function takeRandom(count: number): number {
  if (poolAt + count > POOL_BYTES) {
    randomFillSync(pool);
    poolAt = 0;
  }
  const start = poolAt;
  poolAt += count;
  return start;
}

export function eventId(now: number = Date.now()): string {
  if (now > lastMs) {
    lastMs = now;
    counter = pool.readUInt16BE(takeRandom(2)) & 0x7ff; // leave room to count up within the millisecond
  } else {
    counter += 1;
    if (counter > 0xfff) {
      // More than ~2,000 ids in one millisecond: borrow the next millisecond.
      lastMs += 1;
      counter = 0;
    }
  }
  const start = takeRandom(16);
  pool.copy(idBytes, 0, start, start + 16);
  idBytes.writeUIntBE(lastMs, 0, 6);
  idBytes[6] = 0x70 | (counter >> 8);
  idBytes[7] = counter & 0xff;
  idBytes[8] = 0x80 | (idBytes[8]! & 0x3f);
  const hex = idBytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
