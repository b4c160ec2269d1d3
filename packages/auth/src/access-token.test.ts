import jwt from 'jsonwebtoken';
import { signAccessToken, verifyAccessToken } from './access-token';

const secret = 'k'.repeat(40);
const claims = { userId: 'u', organizationId: 'o', role: 'ADMIN' as const, sessionId: 's', tokenId: 't' };

describe('access tokens', () => {
  it('verifies what it signs', () => {
    const { token } = signAccessToken(claims, secret, 60);
    expect(verifyAccessToken(token, secret)).toMatchObject(claims);
  });

  it('tells an expired token from an invalid one', () => {
    const expired = jwt.sign({ org: 'o', role: 'ADMIN', sid: 's', exp: Math.floor(Date.now() / 1000) - 10 }, secret, {
      subject: 'u',
      jwtid: 't',
      issuer: 'switchboard',
      audience: 'switchboard-api',
    });
    expect(() => verifyAccessToken(expired, secret)).toThrow(expect.objectContaining({ reason: 'EXPIRED' }));
    const { token } = signAccessToken(claims, secret, 60);
    expect(() => verifyAccessToken(`${token}x`, secret)).toThrow(expect.objectContaining({ reason: 'INVALID' }));
    const none = jwt.sign({ org: 'o', role: 'ADMIN', sid: 's' }, '', { algorithm: 'none', subject: 'u' });
    expect(() => verifyAccessToken(none, secret)).toThrow(expect.objectContaining({ reason: 'INVALID' }));
  });

  it('answers a token verified before from memory, still refusing it once it expires or under another secret', () => {
    jest.useFakeTimers({ now: new Date('2026-11-21T10:00:00Z') });
    try {
      const { token } = signAccessToken(claims, secret, 60);
      const first = verifyAccessToken(token, secret);
      expect(verifyAccessToken(token, secret)).toBe(first);
      expect(() => verifyAccessToken(token, 'o'.repeat(40))).toThrow(expect.objectContaining({ reason: 'INVALID' }));
      jest.setSystemTime(new Date('2026-11-21T10:01:01Z'));
      expect(() => verifyAccessToken(token, secret)).toThrow(expect.objectContaining({ reason: 'EXPIRED' }));
      expect(() => verifyAccessToken(token, secret)).toThrow(expect.objectContaining({ reason: 'EXPIRED' }));
    } finally {
      jest.useRealTimers();
    }
  });
});
