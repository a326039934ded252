import { hashTrustPassword, verifyTrustPassword } from './trust-password';

describe('trust password hashes', () => {
  it('accepts the password it hashed and refuses any other', async () => {
    const stored = await hashTrustPassword('s3cret');
    expect(stored).toMatch(/^[0-9a-f]{192}$/);
    expect(stored).not.toContain(Buffer.from('s3cret').toString('hex'));
    await expect(verifyTrustPassword('s3cret', stored)).resolves.toBe(true);
    await expect(verifyTrustPassword('s3cret ', stored)).resolves.toBe(false);
    await expect(verifyTrustPassword('', stored)).resolves.toBe(false);
  });

  it('salts every hash', async () => {
    expect(await hashTrustPassword('same')).not.toBe(await hashTrustPassword('same'));
  });

  it('refuses against a missing or malformed stored value', async () => {
    await expect(verifyTrustPassword('x', undefined)).resolves.toBe(false);
    await expect(verifyTrustPassword('x', '')).resolves.toBe(false);
    await expect(verifyTrustPassword('x', 'not hex')).resolves.toBe(false);
    await expect(verifyTrustPassword('x', 'abcd')).resolves.toBe(false);
  });

  it('leaves the event loop free while it hashes', async () => {
    let timerRan = false;
    setTimeout(() => (timerRan = true), 0);
    await hashTrustPassword('busy');
    expect(timerRan).toBe(true);
  });
});
