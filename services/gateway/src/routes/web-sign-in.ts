/**
 * How the web app signs its users in, told to it by `GET /app-config.json`:
 * - `dev`: the gateway's own dev-token route (AUTH_MODE=dev with DEV_TOKENS, as `npm start` runs);
 * - `oidc`: the identity provider's login page — authorization code with PKCE, the app being a
 *   public client (`WEB_OIDC_CLIENT_ID`) of the issuer the services already trust (`JWT_ISSUER`),
 *   asking for an access token for their audience (`JWT_AUDIENCE`);
 * - `token`: neither is configured; the user pastes a bearer token.
 */
import type { WebSignIn } from '@stream-seat/contracts';

export type { WebSignIn };

export interface WebSignInSettings {
  AUTH_MODE: 'dev' | 'jwks';
  DEV_TOKENS: boolean;
  JWT_ISSUER?: string | undefined;
  JWT_AUDIENCE?: string | undefined;
  WEB_OIDC_CLIENT_ID?: string | undefined;
  WEB_OIDC_SCOPE: string;
}

/** Throws at boot on a combination that could never sign anybody in. */
export function webSignInFrom(settings: WebSignInSettings): WebSignIn {
  if (settings.WEB_OIDC_CLIENT_ID) {
    if (settings.AUTH_MODE !== 'jwks' || !settings.JWT_ISSUER) {
      throw new Error('WEB_OIDC_CLIENT_ID needs AUTH_MODE=jwks and JWT_ISSUER: the app signs users in at the issuer whose tokens the services verify');
    }
    if (!URL.canParse(settings.JWT_ISSUER) || !/^https?:$/.test(new URL(settings.JWT_ISSUER).protocol)) {
      throw new Error(`JWT_ISSUER must be the issuer's URL (https://…) for the web app to sign users in there; it is "${settings.JWT_ISSUER}"`);
    }
    return {
      kind: 'oidc',
      issuer: settings.JWT_ISSUER,
      clientId: settings.WEB_OIDC_CLIENT_ID,
      scope: settings.WEB_OIDC_SCOPE,
      ...(settings.JWT_AUDIENCE ? { audience: settings.JWT_AUDIENCE } : {}),
    };
  }
  return settings.AUTH_MODE === 'dev' && settings.DEV_TOKENS ? { kind: 'dev' } : { kind: 'token' };
}

/** The origins the app's own code may call besides the gateway: the issuer, for discovery and tokens. */
export function signInOrigins(signIn: WebSignIn, extra: readonly string[]): string[] {
  const origins = signIn.kind === 'oidc' ? [new URL(signIn.issuer).origin, ...extra] : [...extra];
  return [...new Set(origins)];
}
