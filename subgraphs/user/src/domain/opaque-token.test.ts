import { createOpaqueToken, hashOpaqueToken, looksLikeOpaqueToken } from './opaque-token';

describe('opaque tokens', () => {
  it('hands out 32 random bytes and keeps only their SHA-256', () => {
    const { token, hash } = createOpaqueToken();
    expect(Buffer.from(token, 'base64url')).toHaveLength(32);
    expect(looksLikeOpaqueToken(token)).toBe(true);
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(hashOpaqueToken(token)).toBe(hash);
    expect(hash).not.toContain(token);
    expect(createOpaqueToken().token).not.toBe(token);
  });

  it('rejects shapes that cannot be tokens', () => {
    expect(looksLikeOpaqueToken('')).toBe(false);
    expect(looksLikeOpaqueToken('x'.repeat(44))).toBe(false);
    expect(looksLikeOpaqueToken(`${'a'.repeat(42)}=`)).toBe(false);
  });
});
