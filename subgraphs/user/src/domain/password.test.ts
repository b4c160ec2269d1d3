import { burnPasswordVerification, hashPassword, needsRehash, parsePasswordHash, verifyPassword } from './password';

describe('password hashing (scrypt)', () => {
  it('verifies the right password and refuses a wrong one', async () => {
    const hash = await hashPassword('Correct horse 42');
    expect(await verifyPassword('Correct horse 42', hash)).toBe(true);
    expect(await verifyPassword('Correct horse 43', hash)).toBe(false);
    expect(await verifyPassword('', hash)).toBe(false);
  });

  it('encodes its parameters and a fresh salt in every hash', async () => {
    const [a, b] = await Promise.all([hashPassword('same password 1'), hashPassword('same password 1')]);
    expect(a).toMatch(/^\$scrypt\$ln=15,r=8,p=1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
    expect(a).not.toBe(b);
    expect(parsePasswordHash(a)?.params).toEqual({ ln: 15, r: 8, p: 1 });
  });

  it('verifies hashes made with other parameters and flags weaker ones for rehash', async () => {
    const weak = await hashPassword('Old password 1', { ln: 12, r: 8, p: 1 });
    expect(await verifyPassword('Old password 1', weak)).toBe(true);
    expect(needsRehash(weak)).toBe(true);
    expect(needsRehash(await hashPassword('New password 1'))).toBe(false);
  });

  it('never verifies a malformed or tampered hash', async () => {
    const hash = await hashPassword('Tamper proof 1');
    const parts = hash.split('$');
    const tampered = [...parts.slice(0, 4), Buffer.alloc(32, 1).toString('base64url')].join('$');
    expect(await verifyPassword('Tamper proof 1', tampered)).toBe(false);
    expect(await verifyPassword('x', 'plaintext')).toBe(false);
    expect(await verifyPassword('x', '$scrypt$ln=99,r=8,p=1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAA')).toBe(false);
    expect(await verifyPassword('x', '$bcrypt$whatever$x$y')).toBe(false);
  });

  it('spends a verification on unknown accounts and always fails', async () => {
    await expect(burnPasswordVerification('anything at all')).resolves.toBe(false);
  });
});
