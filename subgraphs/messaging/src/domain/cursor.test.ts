import { decodeCursor, encodeCursor } from './cursor';

describe('message cursors', () => {
  it('round-trip', () => {
    const cursor = { createdAt: new Date('2026-11-21T10:00:00.123Z'), id: '7b0c2f7e-3f7a-4c55-9d43-1c1f1c2b9a01' };
    expect(decodeCursor(encodeCursor(cursor))).toEqual(cursor);
  });

  it.each([['not-base64!'], [Buffer.from('[1,2]').toString('base64url')], [Buffer.from('["x","y"]').toString('base64url')], ['']])(
    'refuses %j',
    (text) => {
      expect(decodeCursor(text)).toBeNull();
    },
  );
});
