import { describe, expect, it } from 'vitest';
import { cachingTokenVerifier, createTokenVerifier, signDevToken } from './auth.js';

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

describe('verified token cache', () => {
  const payload = (sub: string, exp?: number) => ({ sub, role: 'buyer', ...(exp === undefined ? {} : { exp }) });

  it('verifies a token once and remembers it until it expires', async () => {
    let now = 1_000_000;
    const calls: string[] = [];
    const verifier = cachingTokenVerifier(async (token) => {
      calls.push(token);
      if (now >= 2_000_000) throw new Error('expired');
      return payload('alice', 2_000);
    }, () => now);
    expect(await verifier.verify('t1')).toEqual({ sub: 'alice', role: 'buyer' });
    expect(await verifier.verify('t1')).toEqual({ sub: 'alice', role: 'buyer' });
    expect(calls).toEqual(['t1']);
    now = 2_000_000;
    await expect(verifier.verify('t1')).rejects.toThrow('expired');
    expect(calls).toEqual(['t1', 't1']);
  });

  it('checks a remembered token again after a minute, so that a withdrawn key stops working', async () => {
    let now = 1_000_000;
    let keyWithdrawn = false;
    const calls: string[] = [];
    const verifier = cachingTokenVerifier(async (token) => {
      calls.push(token);
      if (keyWithdrawn) throw new Error('no matching key');
      return payload('carol', 100_000);
    }, () => now);
    await verifier.verify('t3');
    keyWithdrawn = true;
    now += 59_000;
    expect(await verifier.verify('t3')).toEqual({ sub: 'carol', role: 'buyer' });
    now += 2_000;
    await expect(verifier.verify('t3')).rejects.toThrow('no matching key');
    expect(calls).toEqual(['t3', 't3']);
  });

  it('remembers neither failures nor tokens without exp', async () => {
    const calls: string[] = [];
    const verifier = cachingTokenVerifier(async (token) => {
      calls.push(token);
      if (token === 'bad') throw new Error('bad signature');
      return payload('bob');
    });
    await expect(verifier.verify('bad')).rejects.toThrow();
    await expect(verifier.verify('bad')).rejects.toThrow();
    await verifier.verify('no-exp');
    await verifier.verify('no-exp');
    expect(calls).toEqual(['bad', 'bad', 'no-exp', 'no-exp']);
  });

  it('forgets the oldest token past its size bound', async () => {
    const calls: string[] = [];
    const verifier = cachingTokenVerifier(async (token) => {
      calls.push(token);
      return payload(token, Number.MAX_SAFE_INTEGER / 1000);
    }, Date.now, 2);
    for (const token of ['a', 'b', 'c', 'b', 'a']) await verifier.verify(token);
    expect(calls).toEqual(['a', 'b', 'c', 'a']);
  });

  it('still rejects a tampered copy of a remembered dev token', async () => {
    const verifier = createTokenVerifier({ AUTH_MODE: 'dev', JWT_SECRET: secret });
    const token = await signDevToken(secret, { sub: 'alice', role: 'buyer' });
    await verifier.verify(token);
    const [header, , signature] = token.split('.');
    const forged = `${header}.${Buffer.from(JSON.stringify({ sub: 'alice', role: 'admin', iss: 'stream-seat-dev' })).toString('base64url')}.${signature}`;
    await expect(verifier.verify(forged)).rejects.toThrow();
  });
});
