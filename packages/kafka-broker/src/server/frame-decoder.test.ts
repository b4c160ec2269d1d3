import { ProtocolError } from '../protocol/errors';
import { FrameDecoder } from './frame-decoder';

function frame(body: string): Buffer {
  const out = Buffer.alloc(4 + body.length);
  out.writeInt32BE(body.length, 0);
  out.write(body, 4);
  return out;
}

describe('FrameDecoder', () => {
  test('reassembles frames split across chunks, byte by byte', () => {
    const decoder = new FrameDecoder(1024);
    const stream = Buffer.concat([frame('first frame!'), frame('second one is longer')]);
    const out: string[] = [];
    for (const byte of stream) {
      decoder.push(Buffer.from([byte]));
      for (let f = decoder.next(); f !== null; f = decoder.next()) out.push(f.toString());
    }
    expect(out).toEqual(['first frame!', 'second one is longer']);
    expect(decoder.bufferedBytes).toBe(0);
  });

  test('returns several frames from one chunk', () => {
    const decoder = new FrameDecoder(1024);
    decoder.push(Buffer.concat([frame('aaaaaaaaaa'), frame('bbbbbbbbbb'), frame('cccc')]));
    expect(decoder.next()?.toString()).toBe('aaaaaaaaaa');
    expect(decoder.next()?.toString()).toBe('bbbbbbbbbb');
    expect(() => decoder.next()).toThrow(ProtocolError); // 4 bytes is below the minimum request
  });

  test.each([-1, 0, 9, 1025, 0x7fffffff])('rejects size prefix %d', (size) => {
    const decoder = new FrameDecoder(1024);
    const prefix = Buffer.alloc(4);
    prefix.writeInt32BE(size, 0);
    decoder.push(prefix);
    expect(() => decoder.next()).toThrow(ProtocolError);
  });
});
