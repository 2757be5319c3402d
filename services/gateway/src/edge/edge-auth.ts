/**
 * Bearer tokens are checked at the edge: a request with an invalid or expired token is refused
 * with a 401 before it costs an upstream anything. Requests without a token pass (the catalogue
 * and availability are public); every service still checks roles itself.
 */
import { type App, authenticate, type TokenVerifier } from '@stream-seat/platform';

export function registerEdgeAuth(app: App, verifier: TokenVerifier): void {
  app.addHook('onRequest', async (request) => {
    if (!request.url.startsWith('/api/') || request.url.startsWith('/api/auth/')) return;
    await authenticate(verifier, request);
  });
}
