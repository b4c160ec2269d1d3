import { ProtocolError } from './errors';

const TWO_32 = 4294967296;

/**
 * Bounds-checked reader over one request frame. Every read that would run past the end throws a
 * ProtocolError, so a truncated or lying frame can never crash the broker or allocate wildly.
 */
export class Reader {
  offset: number;

  constructor(
    readonly buf: Buffer,
    offset = 0,
    readonly end = buf.length,
  ) {
    this.offset = offset;
  }

  get remaining(): number {
    return this.end - this.offset;
  }

  private need(n: number): number {
    const at = this.offset;
    if (n < 0 || at + n > this.end) {
      throw new ProtocolError(`truncated request: need ${n} bytes at ${at}, have ${this.end - at}`);
    }
    this.offset = at + n;
    return at;
  }

  int8(): number {
    return this.buf.readInt8(this.need(1));
  }

  boolean(): boolean {
    return this.buf[this.need(1)] !== 0;
  }

  int16(): number {
    return this.buf.readInt16BE(this.need(2));
  }

  int32(): number {
    return this.buf.readInt32BE(this.need(4));
  }

  /** int64 as a JS number: exact for every offset and timestamp this broker produces. */
  int64(): number {
    const at = this.need(8);
    return this.buf.readInt32BE(at) * TWO_32 + this.buf.readUInt32BE(at + 4);
  }

  string(): string {
    const value = this.nullableString();
    if (value === null) throw new ProtocolError('null where a string is required');
    return value;
  }

  nullableString(): string | null {
    const length = this.int16();
    if (length < 0) {
      if (length === -1) return null;
      throw new ProtocolError(`invalid string length ${length}`);
    }
    const at = this.need(length);
    return this.buf.toString('utf8', at, at + length);
  }

  /** BYTES / NULLABLE_BYTES as a view into the frame (no copy). */
  nullableBytes(): Buffer | null {
    const length = this.int32();
    if (length < 0) {
      if (length === -1) return null;
      throw new ProtocolError(`invalid bytes length ${length}`);
    }
    const at = this.need(length);
    return this.buf.subarray(at, at + length);
  }

  bytes(): Buffer {
    return this.nullableBytes() ?? Buffer.alloc(0);
  }

  /** ARRAY with an int32 count; null (-1) becomes `null`. */
  nullableArray<T>(readItem: (reader: Reader) => T): T[] | null {
    const count = this.int32();
    if (count < 0) {
      if (count === -1) return null;
      throw new ProtocolError(`invalid array length ${count}`);
    }
    // Every element takes at least one byte: a larger count is a lie, not a reason to loop.
    if (count > this.remaining) throw new ProtocolError(`array length ${count} exceeds frame`);
    const items: T[] = new Array<T>(count);
    for (let i = 0; i < count; i++) items[i] = readItem(this);
    return items;
  }

  array<T>(readItem: (reader: Reader) => T): T[] {
    return this.nullableArray(readItem) ?? [];
  }

  /** Unsigned varint (flexible versions). */
  uvarint(): number {
    let value = 0;
    let shift = 0;
    for (;;) {
      const byte = this.buf[this.need(1)] as number;
      if (shift === 28 && byte > 0x0f) throw new ProtocolError('unsigned varint too long');
      value += (byte & 0x7f) * 2 ** shift;
      if ((byte & 0x80) === 0) return value;
      shift += 7;
    }
  }

  compactNullableString(): string | null {
    const n = this.uvarint();
    if (n === 0) return null;
    const at = this.need(n - 1);
    return this.buf.toString('utf8', at, at + n - 1);
  }

  /** Skips a tagged-field section (flexible versions). */
  taggedFields(): void {
    const count = this.uvarint();
    for (let i = 0; i < count; i++) {
      this.uvarint();
      this.need(this.uvarint());
    }
  }
}
