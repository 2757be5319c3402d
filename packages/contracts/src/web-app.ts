/** What the gateway tells the web app before its first screen: `GET /app-config.json`. */

/** Where the app signs users in at an OpenID Connect provider. */
export interface OidcSignIn {
  issuer: string;
  clientId: string;
  scope: string;
  /** The API's audience: asked for as `audience`, and as an RFC 8707 `resource` when it is a URL. */
  audience?: string;
}

/**
 * How users sign in: `dev` — the gateway issues tokens for any name (`npm start`); `oidc` — on the
 * identity provider's page; `token` — the user pastes a bearer token.
 */
export type WebSignIn = { kind: 'dev' } | ({ kind: 'oidc' } & OidcSignIn) | { kind: 'token' };

export interface WebAppConfig {
  signIn: WebSignIn;
}
