import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { cachingTokenVerifier, createTokenVerifier, signDevToken } from './auth.js';
import { DependencyUnavailable } from './errors.js';

const secret = 'a-test-secret-of-enough-length';

describe('dev tokens', () => {
  it('round-trips subject and role', async () => {
    const verifier = createTokenVerifier({ AUTH_MODE: 'dev', JWT_SECRET: secret });
    const token = await signDevToken(secret, { sub: 'alice', role: 'buyer' });
    expect(await verifier.verify(token)).toEqual({ sub: 'alice', role: 'buyer' });
  });

  it('refuses a validly signed token whose subject the database would not keep as it is (a lone surrogate, a control character)', async () => {
    const verifier = createTokenVerifier({ AUTH_MODE: 'dev', JWT_SECRET: secret });
    for (const sub of ['\ud800', 'a\udc00b', 'bob\u0000', 'line\nbreak']) {
      const token = await signDevToken(secret, { sub, role: 'buyer' });
      await expect(verifier.verify(token), JSON.stringify(sub)).rejects.toThrow('The token has no valid `sub` and `role` claims');
    }
    const emoji = await signDevToken(secret, { sub: 'ana-👩‍💻', role: 'buyer' });
    expect(await verifier.verify(emoji)).toEqual({ sub: 'ana-👩‍💻', role: 'buyer' });
  });

  it('refuses one older than JWT_MAX_TOKEN_AGE_SECONDS, however long it was signed for', async () => {
    const verifier = createTokenVerifier({ AUTH_MODE: 'dev', JWT_SECRET: secret, JWT_MAX_TOKEN_AGE_SECONDS: 86_400 });
    const issuedAt = (secondsAgo: number) =>
      new SignJWT({ role: 'buyer' }).setProtectedHeader({ alg: 'HS256' }).setSubject('erin').setIssuer('stream-seat-dev')
        .setIssuedAt(Math.floor(Date.now() / 1000) - secondsAgo).setExpirationTime('10y').sign(new TextEncoder().encode(secret));
    expect(await verifier.verify(await issuedAt(3_600))).toEqual({ sub: 'erin', role: 'buyer' });
    await expect(verifier.verify(await issuedAt(2 * 86_400))).rejects.toThrow(/iat/);
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
    }, { clock: () => now });
    expect(await verifier.verify('t1')).toEqual({ sub: 'alice', role: 'buyer' });
    expect(await verifier.verify('t1')).toEqual({ sub: 'alice', role: 'buyer' });
    expect(calls).toEqual(['t1']);
    now = 2_000_000;
    await expect(verifier.verify('t1')).rejects.toThrow('expired');
    expect(calls).toEqual(['t1', 't1']);
  });

  it('checks a remembered token again once it is older than the age allowed, even within the minute', async () => {
    let now = 1_000_000_000;
    const calls: string[] = [];
    // Issued 3,590 s ago, 10 s short of the hour allowed; valid for a year by its exp.
    const verifier = cachingTokenVerifier(async (token) => {
      calls.push(token);
      return { ...payload('alice', now / 1000 + 31_536_000), iat: 1_000_000 - 3_590 };
    }, { clock: () => now, maxEntries: 100, maxTokenAgeSeconds: 3_600 });
    await verifier.verify('t1');
    now += 5_000;
    await verifier.verify('t1');
    expect(calls).toEqual(['t1']);
    now += 6_000;
    await verifier.verify('t1');
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
    }, { clock: () => now });
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
    }, { maxEntries: 2 });
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

describe('issuer tokens (AUTH_MODE=jwks)', () => {
  /** A real key set served on loopback; `up` false answers 503 as an issuer in trouble would. */
  async function issuer() {
    const { privateKey, publicKey } = await generateKeyPair('RS256');
    const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'RS256' };
    const state = { up: true };
    const published: object[] = [jwk];
    const server = createServer((_request, response) => {
      if (!state.up) return void response.writeHead(503).end();
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: published }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks`;
    const sign = (sub: string, expires: boolean | string = true, claims: { iss?: string; aud?: string; iat?: number } = {}) => {
      const jwt = new SignJWT({ role: 'buyer' }).setProtectedHeader({ alg: 'RS256', kid: 'k1' }).setSubject(sub).setIssuer(claims.iss ?? 'https://id.test/');
      if (claims.aud) jwt.setAudience(claims.aud);
      if (claims.iat !== undefined) jwt.setIssuedAt(claims.iat);
      return (expires ? jwt.setExpirationTime(expires === true ? '1h' : expires) : jwt).sign(privateKey);
    };
    return { url, sign, state, keys: published, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
  }

  it('accepts the issuer’s tokens and refuses a forged one as the caller’s fault (401)', async () => {
    const id = await issuer();
    try {
      const verifier = createTokenVerifier({ AUTH_MODE: 'jwks', JWT_JWKS_URL: id.url, JWT_ISSUER: 'https://id.test/' });
      expect(await verifier.verify(await id.sign('alice'))).toEqual({ sub: 'alice', role: 'buyer' });
      const [header, , signature] = (await id.sign('alice')).split('.');
      const forged = `${header}.${Buffer.from(JSON.stringify({ sub: 'alice', role: 'admin', iss: 'https://id.test/' })).toString('base64url')}.${signature}`;
      const refused = await verifier.verify(forged).catch((error: unknown) => error);
      expect(refused).toBeInstanceOf(Error);
      expect(refused).not.toBeInstanceOf(DependencyUnavailable);
      expect((refused as Error).name).toBe('JWSSignatureVerificationFailed');
      // Correctly signed but without exp: it could never be withdrawn, so it is refused (401, not 502).
      const eternal = await verifier.verify(await id.sign('alice', false)).catch((error: unknown) => error);
      expect((eternal as Error).name).toBe('JWTClaimValidationFailed');
    } finally {
      await id.close();
    }
  });

  it('refuses an expired token as the caller’s fault (401), not the identity provider’s (502)', async () => {
    const id = await issuer();
    try {
      const verifier = createTokenVerifier({ AUTH_MODE: 'jwks', JWT_JWKS_URL: id.url, JWT_ISSUER: 'https://id.test/' });
      const expired = await verifier.verify(await id.sign('dave', '-1m')).catch((error: unknown) => error);
      expect(expired).not.toBeInstanceOf(DependencyUnavailable);
      expect((expired as Error).name).toBe('JWTExpired');
    } finally {
      await id.close();
    }
  });

  it('refuses a token older than JWT_MAX_TOKEN_AGE_SECONDS whatever its exp, and one that does not say its age', async () => {
    const id = await issuer();
    try {
      const verifier = createTokenVerifier({ AUTH_MODE: 'jwks', JWT_JWKS_URL: id.url, JWT_ISSUER: 'https://id.test/', JWT_MAX_TOKEN_AGE_SECONDS: 3_600 });
      const now = Math.floor(Date.now() / 1000);
      expect(await verifier.verify(await id.sign('alice', '10y', { iat: now - 60 }))).toEqual({ sub: 'alice', role: 'buyer' });
      // Issued two hours ago for ten years: too old for this service, whatever its exp says.
      const old = await verifier.verify(await id.sign('bob', '10y', { iat: now - 7_200 })).catch((error: unknown) => error);
      expect((old as Error).name).toBe('JWTExpired');
      expect((old as Error).message).toMatch(/iat/);
      // Issued by a clock a few seconds ahead of this host's: taken all the same.
      expect(await verifier.verify(await id.sign('fay', '1h', { iat: now + 3 }))).toEqual({ sub: 'fay', role: 'buyer' });
      const ageless = await verifier.verify(await id.sign('carol', '1h')).catch((error: unknown) => error);
      expect((ageless as Error).name).toBe('JWTClaimValidationFailed');
      // Without the setting, no bound: the same old token passes.
      const unbounded = createTokenVerifier({ AUTH_MODE: 'jwks', JWT_JWKS_URL: id.url, JWT_ISSUER: 'https://id.test/' });
      expect(await unbounded.verify(await id.sign('bob', '10y', { iat: now - 7_200 }))).toEqual({ sub: 'bob', role: 'buyer' });
    } finally {
      await id.close();
    }
  });

  it('needs the issuer named, and takes only its tokens, for the audience named', async () => {
    const id = await issuer();
    try {
      expect(() => createTokenVerifier({ AUTH_MODE: 'jwks', JWT_JWKS_URL: id.url })).toThrow(/^JWT_ISSUER: required with AUTH_MODE=jwks/);
      const anyAudience = createTokenVerifier({ AUTH_MODE: 'jwks', JWT_JWKS_URL: id.url, JWT_ISSUER: 'https://id.test/' });
      const elsewhere = await anyAudience.verify(await id.sign('alice', true, { iss: 'https://other-tenant.test/' })).catch((error: unknown) => error);
      expect((elsewhere as Error).name).toBe('JWTClaimValidationFailed');
      const ours = createTokenVerifier({ AUTH_MODE: 'jwks', JWT_JWKS_URL: id.url, JWT_ISSUER: 'https://id.test/', JWT_AUDIENCE: 'https://api.stream-seat.test' });
      expect(await ours.verify(await id.sign('alice', true, { aud: 'https://api.stream-seat.test' }))).toEqual({ sub: 'alice', role: 'buyer' });
      for (const aud of ['https://another-app.test', undefined]) {
        const refused = await ours.verify(await id.sign('bob', true, aud ? { aud } : {})).catch((error: unknown) => error);
        expect((refused as Error).name, String(aud)).toBe('JWTClaimValidationFailed');
      }
    } finally {
      await id.close();
    }
  });

  it('refuses a token signed with a symmetric key, even one the key set publishes', async () => {
    const id = await issuer();
    try {
      const secret = new TextEncoder().encode('a-symmetric-key-anyone-can-read-0123456789');
      id.keys.push({ kty: 'oct', k: Buffer.from(secret).toString('base64url'), kid: 'sym', alg: 'HS256' });
      const token = await new SignJWT({ role: 'admin' }).setProtectedHeader({ alg: 'HS256', kid: 'sym' }).setSubject('mallory').setIssuer('https://id.test/').setExpirationTime('1h').sign(secret);
      const verifier = createTokenVerifier({ AUTH_MODE: 'jwks', JWT_JWKS_URL: id.url, JWT_ISSUER: 'https://id.test/' });
      const refused = await verifier.verify(token).catch((error: unknown) => error);
      expect(refused).toBeInstanceOf(Error);
      expect(refused).not.toBeInstanceOf(DependencyUnavailable);
      // Refused by the allowed list, before jose's own refusal of a secret key in a key set.
      expect((refused as Error).name).toBe('JOSEAlgNotAllowed');
    } finally {
      await id.close();
    }
  });

  it('answers 502 (a dependency, not this instance, is out), not 401, while the issuer’s key set cannot be fetched', async () => {
    const id = await issuer();
    try {
      id.state.up = false;
      const verifier = createTokenVerifier({ AUTH_MODE: 'jwks', JWT_JWKS_URL: id.url, JWT_ISSUER: 'https://id.test/' });
      await expect(verifier.verify(await id.sign('alice'))).rejects.toBeInstanceOf(DependencyUnavailable);
      await id.close();
      const gone = createTokenVerifier({ AUTH_MODE: 'jwks', JWT_JWKS_URL: id.url, JWT_ISSUER: 'https://id.test/' });
      await expect(gone.verify(await id.sign('alice'))).rejects.toBeInstanceOf(DependencyUnavailable);
    } finally {
      await id.close().catch(() => undefined);
    }
  });
});
