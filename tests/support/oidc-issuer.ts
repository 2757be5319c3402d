/**
 * A real OpenID Connect provider for tests (panva's oidc-provider, certified by the OpenID
 * Foundation) on loopback: it signs users in through its development login form (any login name,
 * any password), issues RS256 JWT access tokens for the platform's audience carrying a `role`
 * claim, and publishes its keys at `jwks_uri` — what a production identity provider does for the
 * gateway's `AUTH_MODE=jwks` and the web app's sign-in.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { createServer, type Server } from 'node:http';
import { exportJWK, generateKeyPair } from 'jose';
import Provider from 'oidc-provider';

export interface OidcIssuer {
  issuer: string;
  jwksUrl: string;
  audience: string;
  clientId: string;
  /**
   * `{ authorization: 'Bearer …' }` for `login`, obtained as a browser would — authorization
   * request with PKCE, the login and consent forms, the code exchange — over plain HTTP.
   */
  tokenFor(login: string, redirectUri: string): Promise<Record<string, string>>;
  close(): Promise<void>;
}

export interface OidcIssuerOptions {
  /** Redirect URIs the web app's client may use (the gateway's origin, with a trailing slash). */
  redirectUris: string[];
  /** The role each login name gets; anybody else is a buyer. */
  roles?: Record<string, 'buyer' | 'organizer' | 'admin'>;
  audience?: string;
  clientId?: string;
}

export async function startOidcIssuer(options: OidcIssuerOptions): Promise<OidcIssuer> {
  const audience = options.audience ?? 'https://api.stream-seat.test';
  const clientId = options.clientId ?? 'stream-seat-web';
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  // Its own signing key (the provider's built-in one is for quick starts only).
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  const provider = new Provider(issuer, {
    jwks: { keys: [{ ...(await exportJWK(privateKey)), kid: 'test-issuer', alg: 'RS256', use: 'sig' }] },
    clients: [
      {
        client_id: clientId,
        token_endpoint_auth_method: 'none',
        grant_types: ['authorization_code'],
        response_types: ['code'],
        redirect_uris: options.redirectUris,
        post_logout_redirect_uris: options.redirectUris,
      },
    ],
    pkce: { required: () => true },
    // Explicit lifetimes (the defaults print a notice for each).
    ttl: { AccessToken: 3600, IdToken: 3600, AuthorizationCode: 60, Grant: 3600, Interaction: 600, Session: 3600 },
    features: {
      devInteractions: { enabled: true },
      resourceIndicators: {
        enabled: true,
        // No default: an access token for the API only when the client asks for it (`resource`).
        useGrantedResource: () => true,
        getResourceServerInfo: () => ({ scope: 'openid', audience, accessTokenFormat: 'jwt', accessTokenTTL: 3600, jwt: { sign: { alg: 'RS256' } } }),
      },
    },
    extraTokenClaims: (_ctx, token) => ({ role: options.roles?.[(token as { accountId?: string }).accountId ?? ''] ?? 'buyer' }),
    // The development form trusts any login; tests are the only users.
    findAccount: (_ctx, id) => ({ accountId: id, claims: () => ({ sub: id }) }),
  });
  server.on('request', provider.callback());
  return {
    issuer,
    jwksUrl: `${issuer}/jwks`,
    audience,
    clientId,
    tokenFor: (login, redirectUri) => signInOverHttp(issuer, clientId, audience, login, redirectUri),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The login name and password fields of oidc-provider's development forms, then its consent form. */
async function signInOverHttp(issuer: string, clientId: string, audience: string, login: string, redirectUri: string): Promise<Record<string, string>> {
  const cookies = new Map<string, string>();
  const go = async (url: string, form?: Record<string, string>) => {
    const response = await fetch(new URL(url, issuer), {
      redirect: 'manual',
      method: form ? 'POST' : 'GET',
      headers: { cookie: [...cookies].map(([k, v]) => `${k}=${v}`).join('; '), ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
      ...(form ? { body: new URLSearchParams(form).toString() } : {}),
    });
    for (const cookie of response.headers.getSetCookie()) {
      const [pair = ''] = cookie.split(';');
      const at = pair.indexOf('=');
      cookies.set(pair.slice(0, at), pair.slice(at + 1));
    }
    return response;
  };
  /** Follows redirects until a page (a form) or the app's redirect URI. */
  const follow = async (response: Response): Promise<{ page?: string; callback?: URL }> => {
    let current = response;
    for (let hops = 0; hops < 10; hops++) {
      const location = current.headers.get('location');
      if (!location) return { page: await current.text() };
      const next = new URL(location, issuer);
      if (next.href.startsWith(redirectUri)) return { callback: next };
      current = await go(next.href);
    }
    throw new Error('too many redirects signing in');
  };
  const formAction = (page: string) => {
    const action = /<form[^>]*action="([^"]+)"/.exec(page)?.[1];
    if (!action) throw new Error(`no form on the provider's page: ${page.slice(0, 200)}`);
    return action;
  };

  const verifier = randomBytes(32).toString('base64url');
  const authorize = new URL('/auth', issuer);
  for (const [key, value] of Object.entries({
    client_id: clientId, redirect_uri: redirectUri, response_type: 'code', scope: 'openid', state: randomBytes(8).toString('hex'),
    code_challenge: createHash('sha256').update(verifier).digest('base64url'), code_challenge_method: 'S256', resource: audience,
  })) authorize.searchParams.set(key, value);
  let step = await follow(await go(authorize.href));
  step = await follow(await go(formAction(step.page ?? ''), { prompt: 'login', login, password: 'any' }));
  if (!step.callback) step = await follow(await go(formAction(step.page ?? ''), { prompt: 'consent' }));
  const code = step.callback?.searchParams.get('code');
  if (!code) throw new Error(`signing ${login} in gave no code`);
  const token = await fetch(new URL('/token', issuer), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: redirectUri, client_id: clientId, code_verifier: verifier }),
  });
  if (!token.ok) throw new Error(`token endpoint: ${token.status} ${await token.text()}`);
  return { authorization: `Bearer ${((await token.json()) as { access_token: string }).access_token}` };
}
