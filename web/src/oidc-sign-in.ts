/**
 * Signing in at the identity provider (OpenID Connect): the authorization code flow with PKCE,
 * the app being a public client — no secret lives in the browser. The gateway says which issuer
 * and client id (`/app-config.json`); oauth4webapi does the protocol: discovery, the code
 * exchange, and the checks of the answer (state, issuer, PKCE, ID token claims).
 */
import type { OidcSignIn } from '@stream-seat/contracts';
import * as oauth from 'oauth4webapi';

export type OidcSettings = OidcSignIn;

/** The sign-in in progress, kept in this tab while the provider's page is shown. */
interface PendingSignIn {
  verifier: string;
  state: string;
  /** The hash route to come back to. */
  returnTo: string;
}

const PENDING_KEY = 'stream-seat.sign-in';

/** The provider sends the user back to the app's root; hash routes are restored from PendingSignIn. */
const redirectUri = () => `${location.origin}/`;

/** Plain http only for an issuer on this machine (a local provider); anything else must be https. */
function requestOptions(issuer: URL): { [oauth.allowInsecureRequests]?: boolean } {
  const loopback = issuer.hostname === 'localhost' || issuer.hostname === '[::1]' || issuer.hostname.startsWith('127.');
  return issuer.protocol === 'http:' && loopback ? { [oauth.allowInsecureRequests]: true } : {};
}

async function discover(settings: OidcSettings): Promise<oauth.AuthorizationServer> {
  const issuer = new URL(settings.issuer);
  return oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, requestOptions(issuer)));
}

function isUrl(value: string): boolean {
  return URL.canParse(value) && /^https?:$/.test(new URL(value).protocol);
}

/** Leaves for the provider's sign-in page. */
export async function startSignIn(settings: OidcSettings): Promise<void> {
  const server = await discover(settings);
  if (!server.authorization_endpoint) throw new Error(`${settings.issuer} publishes no authorization endpoint`);
  const pending: PendingSignIn = { verifier: oauth.generateRandomCodeVerifier(), state: oauth.generateRandomState(), returnTo: location.hash };
  const url = new URL(server.authorization_endpoint);
  url.searchParams.set('client_id', settings.clientId);
  url.searchParams.set('redirect_uri', redirectUri());
  url.searchParams.set('response_type', 'code');
  url.searchParams.set('scope', settings.scope);
  url.searchParams.set('code_challenge', await oauth.calculatePKCECodeChallenge(pending.verifier));
  url.searchParams.set('code_challenge_method', 'S256');
  url.searchParams.set('state', pending.state);
  if (settings.audience) {
    // RFC 8707 names the API a token is for with `resource` (a URL); Auth0 reads `audience`.
    // Providers ignore the parameter they do not know.
    if (isUrl(settings.audience)) url.searchParams.set('resource', settings.audience);
    url.searchParams.set('audience', settings.audience);
  }
  sessionStorage.setItem(PENDING_KEY, JSON.stringify(pending));
  location.assign(url.href);
}

/** True when this page load is the provider sending the user back (with a code or an error). */
export function isSignInAnswer(): boolean {
  const params = new URL(location.href).searchParams;
  return params.has('state') && (params.has('code') || params.has('error'));
}

/**
 * Finishes a sign-in the provider sent back: checks the answer, exchanges the code for tokens,
 * and returns the access token (and the ID token, kept to sign out at the provider later). The
 * address bar loses the code at once, whatever happens.
 */
export async function completeSignIn(settings: OidcSettings): Promise<{ accessToken: string; idToken?: string }> {
  const answer = new URL(location.href);
  const stored = sessionStorage.getItem(PENDING_KEY);
  sessionStorage.removeItem(PENDING_KEY);
  const pending = stored ? (JSON.parse(stored) as PendingSignIn) : undefined;
  history.replaceState(history.state, '', `/${pending?.returnTo ?? location.hash}`);
  if (!pending) throw new Error('This sign-in was not started in this tab; please sign in again');

  const server = await discover(settings);
  const client: oauth.Client = { client_id: settings.clientId };
  const issuer = new URL(settings.issuer);
  // Throws on a provider's error answer (e.g. access_denied) and on a state that is not ours.
  const params = oauth.validateAuthResponse(server, client, answer, pending.state);
  const response = await oauth.authorizationCodeGrantRequest(server, client, oauth.None(), params, redirectUri(), pending.verifier, requestOptions(issuer));
  const tokens = await oauth.processAuthorizationCodeResponse(server, client, response);
  return { accessToken: tokens.access_token, ...(tokens.id_token ? { idToken: tokens.id_token } : {}) };
}

/**
 * Ends the session at the provider too (OpenID Connect RP-initiated logout), so that the next
 * "Sign in" on this browser asks who is there instead of signing the last user in again. The
 * provider sends the user back to the app's root (register it as a post-logout redirect URI).
 * A provider without an end-session endpoint: only this browser forgets the token.
 */
export async function signOutAtProvider(settings: OidcSettings, idToken: string | undefined): Promise<void> {
  const server = await discover(settings);
  if (!server.end_session_endpoint) return;
  const url = new URL(server.end_session_endpoint);
  url.searchParams.set('client_id', settings.clientId);
  url.searchParams.set('post_logout_redirect_uri', redirectUri());
  if (idToken) url.searchParams.set('id_token_hint', idToken);
  location.assign(url.href);
}
