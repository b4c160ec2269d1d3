import { isTeamId, parseUserId } from './ids';

describe('ids', () => {
  it('recognises team ids (UUIDs) only', () => {
    expect(isTeamId('0b6f8a4e-52b4-4a53-9a43-6f3b4e0f1c2d')).toBe(true);
    expect(isTeamId('0B6F8A4E-52B4-4A53-9A43-6F3B4E0F1C2D')).toBe(true);
    expect(isTeamId('not-a-uuid')).toBe(false);
    expect(isTeamId("1' OR 1=1 --")).toBe(false);
    expect(isTeamId('')).toBe(false);
  });

  it('accepts UUID user ids (normalised to lower case) and refuses the rest on the userId field', () => {
    expect(parseUserId(' 0B6F8A4E-52B4-4A53-9A43-6F3B4E0F1C2D ')).toBe('0b6f8a4e-52b4-4a53-9a43-6f3b4e0f1c2d');
    for (const bad of ['', '  ', 'a b', 'x'.repeat(36), 'user@example.com', '0b6f8a4e52b44a539a436f3b4e0f1c2d']) {
      expect(() => parseUserId(bad)).toThrow(
        expect.objectContaining({ extensions: expect.objectContaining({ code: 'BAD_USER_INPUT', field: 'userId' }) }),
      );
    }
  });
});
