import { signCaller, verifyCaller, type Caller } from './caller';

const secret = 's'.repeat(40);
const caller: Caller = {
  kind: 'user',
  userId: 'u1',
  organizationId: 'o1',
  role: 'AGENT',
  sessionId: 'f1',
  tokenId: 't1',
  clientIp: '127.0.0.1',
  requestId: 'r1',
};

describe('internal caller context', () => {
  it('round-trips a signed caller', () => {
    expect(verifyCaller(signCaller(caller, secret), secret)).toEqual(caller);
  });

  it('refuses a missing, tampered, foreign-signed or stale header', () => {
    const header = signCaller(caller, secret);
    const [payload, signature] = header.split('.');
    const elevated = Buffer.from(
      JSON.stringify({ ...caller, role: 'OWNER', iat: Math.floor(Date.now() / 1000) }),
    ).toString('base64url');
    expect(() => verifyCaller(undefined, secret)).toThrow(/Missing/);
    expect(() => verifyCaller(`${elevated}.${signature}`, secret)).toThrow(/signature/);
    expect(() => verifyCaller(`${payload}.${signature}`, 'x'.repeat(40))).toThrow(/signature/);
    expect(() => verifyCaller(signCaller(caller, secret, Date.now() - 600_000), secret)).toThrow(/expired/);
    expect(() => verifyCaller('garbage', secret)).toThrow(/Malformed/);
  });
});
