import { describe, expect, it } from 'vitest';
import { createTokenVerifier, signDevToken } from './auth.js';

const secret = 'a-test-secret-of-enough-length';

describe('dev tokens', () => {
  it('round-trips subject and role', async () => {
    const verifier = createTokenVerifier({ AUTH_MODE: 'dev', JWT_SECRET: secret });
    const token = await signDevToken(secret, { sub: 'alice', role: 'buyer' });
    expect(await verifier.verify(token)).toEqual({ sub: 'alice', role: 'buyer' });
  });

  it('rejects a token signed with another secret', async () => {
    const verifier = createTokenVerifier({ AUTH_MODE: 'dev', JWT_SECRET: secret });
    const token = await signDevToken('another-secret-of-enough-length', { sub: 'mallory', role: 'admin' });
    await expect(verifier.verify(token)).rejects.toThrow();
  });
});
