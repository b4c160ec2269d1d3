import { decodeCursor, encodeCursor, isUuid } from './cursor';

describe('cursor', () => {
  const position = { createdAt: new Date('2026-03-01T10:00:00.123Z'), id: '0b5e6f5c-1d2e-4f3a-9b8c-7d6e5f4a3b2c' };

  it('round-trips', () => expect(decodeCursor(encodeCursor(position))).toEqual(position));

  it.each(['', 'abc', Buffer.from('[1,2]').toString('base64url'), Buffer.from('["2026-01-01","x"]').toString('base64url')])(
    'rejects %j',
    (text) => expect(decodeCursor(text)).toBeNull(),
  );

  it('recognizes uuids', () => {
    expect(isUuid(position.id)).toBe(true);
    expect(isUuid('1')).toBe(false);
  });
});
