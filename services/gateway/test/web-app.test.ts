/** The web app's static edge: how it is told to sign users in, and the policy that lets it. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTokenVerifier, loadConfig } from '@stream-seat/platform';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildGatewayApp } from '../src/app.js';
import { gatewayConfigSchema } from '../src/config.js';
import { type WebSignIn, webSignInFrom } from '../src/routes/web-sign-in.js';

const noRegistry = { instances: () => [] };

describe('web sign-in settings', () => {
  const base = { AUTH_MODE: 'jwks' as const, DEV_TOKENS: false, WEB_OIDC_SCOPE: 'openid profile' };

  it('signs in at the issuer the services trust when the app has a client id there', () => {
    expect(webSignInFrom({ ...base, JWT_ISSUER: 'https://id.example.com/', JWT_AUDIENCE: 'https://api.example.com', WEB_OIDC_CLIENT_ID: 'web' })).toEqual({
      kind: 'oidc',
      issuer: 'https://id.example.com/',
      clientId: 'web',
      scope: 'openid profile',
      audience: 'https://api.example.com',
    });
  });

  it('uses the dev-token route only where the gateway offers it, and a pasted token otherwise', () => {
    expect(webSignInFrom({ ...base, AUTH_MODE: 'dev', DEV_TOKENS: true })).toEqual({ kind: 'dev' });
    expect(webSignInFrom({ ...base, AUTH_MODE: 'dev', DEV_TOKENS: false })).toEqual({ kind: 'token' });
    expect(webSignInFrom({ ...base, JWT_ISSUER: 'https://id.example.com/' })).toEqual({ kind: 'token' });
  });

  it('refuses a client id without an issuer whose tokens the services verify', () => {
    expect(() => webSignInFrom({ ...base, WEB_OIDC_CLIENT_ID: 'web' })).toThrow(/JWT_ISSUER/);
    expect(() => webSignInFrom({ ...base, JWT_ISSUER: 'stream-seat-idp', WEB_OIDC_CLIENT_ID: 'web' })).toThrow(/must be the issuer's URL/);
    expect(() => webSignInFrom({ ...base, AUTH_MODE: 'dev', JWT_ISSUER: 'https://id.example.com/', WEB_OIDC_CLIENT_ID: 'web' })).toThrow(/AUTH_MODE=jwks/);
  });
});

describe('the gateway configuration', () => {
  it('reports a web client id without an issuer as a configuration error naming the key', () => {
    expect(() => loadConfig(gatewayConfigSchema, { AUTH_MODE: 'jwks', JWT_JWKS_URL: 'https://id.example.com/jwks', WEB_OIDC_CLIENT_ID: 'web' })).toThrow(
      /WEB_OIDC_CLIENT_ID: WEB_OIDC_CLIENT_ID needs AUTH_MODE=jwks and JWT_ISSUER/,
    );
  });
});

describe('WEB_CONNECT_ORIGINS', () => {
  const parse = (value: string) => gatewayConfigSchema.shape.WEB_CONNECT_ORIGINS.safeParse(value);

  it('takes origins, and nothing that could rewrite the content security policy', () => {
    expect(parse('https://login.example.net, http://127.0.0.1:9000')).toMatchObject({ success: true, data: ['https://login.example.net', 'http://127.0.0.1:9000'] });
    for (const bad of ['*', 'https://a.example; script-src *', 'https://a.example/path', 'login.example.net', 'javascript:alert(1)']) {
      expect(parse(bad).success, bad).toBe(false);
    }
  });
});

describe('the gateway serving the web app', () => {
  let root: string;
  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'stream-seat-web-edge-'));
    writeFileSync(join(root, 'index.html'), '<!doctype html><title>t</title>');
    writeFileSync(join(root, 'sw.js'), 'self.addEventListener("fetch", () => {});');
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  async function gatewayWith(signIn: WebSignIn | undefined, webConnectOrigins?: string[]) {
    return buildGatewayApp({
      registry: noRegistry,
      verifier: createTokenVerifier({ AUTH_MODE: 'dev', JWT_SECRET: 'web-edge-test-secret-0123456789' }),
      logger: false,
      webRoot: root,
      ...(signIn ? { webSignIn: signIn } : {}),
      ...(webConnectOrigins ? { webConnectOrigins } : {}),
    });
  }

  it('tells the app to sign in at the issuer, and lets it call only the gateway and that issuer', async () => {
    const signIn: WebSignIn = { kind: 'oidc', issuer: 'https://id.example.com/realms/seats', clientId: 'web', scope: 'openid' };
    const gateway = await gatewayWith(signIn, ['https://login.example.net']);
    try {
      const config = await gateway.inject({ method: 'GET', url: '/app-config.json' });
      expect(config.statusCode).toBe(200);
      expect(config.headers['cache-control']).toBe('no-cache');
      expect(config.json()).toEqual({ signIn });
      const index = await gateway.inject({ method: 'GET', url: '/' });
      expect(index.statusCode).toBe(200);
      const connect = String(index.headers['content-security-policy']).split('; ').find((d) => d.startsWith('connect-src'));
      expect(connect).toBe("connect-src 'self' https://id.example.com https://login.example.net");
    } finally {
      await gateway.close();
    }
  });

  it('keeps the app to its own origin when nobody signs in elsewhere', async () => {
    const gateway = await gatewayWith(undefined);
    try {
      expect((await gateway.inject({ method: 'GET', url: '/app-config.json' })).json()).toEqual({ signIn: { kind: 'token' } });
      const index = await gateway.inject({ method: 'GET', url: '/' });
      expect(String(index.headers['content-security-policy'])).toContain("connect-src 'self';");
    } finally {
      await gateway.close();
    }
  });

  it('has the service worker asked again at every check for a new release (its address never changes)', async () => {
    const gateway = await gatewayWith(undefined);
    try {
      const worker = await gateway.inject({ method: 'GET', url: '/sw.js' });
      expect(worker.statusCode).toBe(200);
      expect(worker.headers['content-type']).toContain('javascript');
      expect(worker.headers['cache-control']).toBe('no-cache');
    } finally {
      await gateway.close();
    }
  });
});
