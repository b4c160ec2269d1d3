import { ProtocolError } from '../protocol/errors';

/** Smallest possible request: api key, version, correlation id, client id length. */
const MIN_FRAME = 10;

/**
 * Splits a TCP byte stream into size-prefixed frames. A frame inside one received chunk is
 * returned as a view; one spanning chunks is copied once into an exact-size buffer.
 */
export class FrameDecoder {
  private chunks: Buffer[] = [];
  private buffered = 0;
  private expected = -1;

  constructor(private readonly maxFrameBytes: number) {}

  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.chunks.push(chunk);
    this.buffered += chunk.length;
  }

  get bufferedBytes(): number {
    return this.buffered;
  }

  /** The next complete frame (without its size prefix), or null until more bytes arrive. */
  next(): Buffer | null {
    if (this.expected < 0) {
      if (this.buffered < 4) return null;
      const size = this.take(4).readInt32BE(0);
      if (size < MIN_FRAME || size > this.maxFrameBytes) {
        throw new ProtocolError(`invalid frame size ${size}`);
      }
      this.expected = size;
    }
    if (this.buffered < this.expected) return null;
    const frame = this.take(this.expected);
    this.expected = -1;
    return frame;
  }

  private take(n: number): Buffer {
    const head = this.chunks[0] as Buffer;
    this.buffered -= n;
    if (head.length >= n) {
      if (head.length === n) this.chunks.shift();
      else this.chunks[0] = head.subarray(n);
      return head.subarray(0, n);
    }
    const out = Buffer.allocUnsafe(n);
    let filled = 0;
    while (filled < n) {
      const chunk = this.chunks[0] as Buffer;
      const count = Math.min(chunk.length, n - filled);
      chunk.copy(out, filled, 0, count);
      filled += count;
      if (count === chunk.length) this.chunks.shift();
      else this.chunks[0] = chunk.subarray(count);
    }
    return out;
  }
}
