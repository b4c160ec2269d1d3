const TWO_32 = 4294967296;

/**
 * Growable big-endian encoder for response bodies. Large payloads (fetched record batches) are
 * appended by reference with `chunk()`, so responses are written as a list of buffers without
 * copying the log data.
 */
export class Writer {
  private buf: Buffer;
  private pos = 0;
  private start = 0;
  private readonly chunks: Buffer[] = [];
  private chunkedLength = 0;

  constructor(initialSize = 256) {
    this.buf = Buffer.allocUnsafe(initialSize);
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const size = Math.max(this.buf.length * 2, this.pos - this.start + n + 256);
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, this.start, this.pos);
    this.pos -= this.start;
    this.start = 0;
    this.buf = next;
  }

  int8(v: number): this {
    this.ensure(1);
    this.buf.writeInt8(v, this.pos);
    this.pos += 1;
    return this;
  }

  boolean(v: boolean): this {
    return this.int8(v ? 1 : 0);
  }

  int16(v: number): this {
    this.ensure(2);
    this.buf.writeInt16BE(v, this.pos);
    this.pos += 2;
    return this;
  }

  int32(v: number): this {
    this.ensure(4);
    this.buf.writeInt32BE(v, this.pos);
    this.pos += 4;
    return this;
  }

  int64(v: number): this {
    this.ensure(8);
    const hi = Math.floor(v / TWO_32);
    this.buf.writeInt32BE(hi, this.pos);
    this.buf.writeUInt32BE(v - hi * TWO_32, this.pos + 4);
    this.pos += 8;
    return this;
  }

  string(v: string): this {
    const length = Buffer.byteLength(v);
    this.ensure(2 + length);
    this.buf.writeInt16BE(length, this.pos);
    this.buf.write(v, this.pos + 2, length, 'utf8');
    this.pos += 2 + length;
    return this;
  }

  nullableString(v: string | null): this {
    return v === null ? this.int16(-1) : this.string(v);
  }

  bytes(v: Buffer | null): this {
    if (v === null) return this.int32(-1);
    this.int32(v.length);
    this.ensure(v.length);
    v.copy(this.buf, this.pos);
    this.pos += v.length;
    return this;
  }

  array<T>(items: readonly T[], writeItem: (writer: this, item: T) => void): this {
    this.int32(items.length);
    for (const item of items) writeItem(this, item);
    return this;
  }

  uvarint(v: number): this {
    this.ensure(5);
    while (v >= 0x80) {
      this.buf[this.pos++] = (v & 0x7f) | 0x80;
      v = Math.floor(v / 128);
    }
    this.buf[this.pos++] = v;
    return this;
  }

  /** Appends `data` by reference (not copied); it must stay unchanged until written. */
  chunk(data: Buffer): this {
    if (data.length < 512) {
      this.ensure(data.length);
      data.copy(this.buf, this.pos);
      this.pos += data.length;
      return this;
    }
    this.flushOwn();
    this.chunks.push(data);
    this.chunkedLength += data.length;
    return this;
  }

  private flushOwn(): void {
    if (this.pos > this.start) {
      this.chunks.push(this.buf.subarray(this.start, this.pos));
      this.chunkedLength += this.pos - this.start;
      this.start = this.pos;
    }
  }

  get length(): number {
    return this.chunkedLength + this.pos - this.start;
  }

  /** The encoded body as buffers to write in order. */
  finish(): Buffer[] {
    this.flushOwn();
    return this.chunks;
  }
}
