/**
 * Bearer tokens are checked at the edge. A write with an invalid or expired token is refused
 * with a 401 before it costs an upstream anything. A read (GET, HEAD) with one goes on as
 * anonymous, as if no token were sent: the catalogue and availability are public, and a stale
 * token must not lock anyone out of them; a read that needs a principal (my orders, my venues)
 * is refused by its service, which checks every token and role again.
 */
import { type App, authenticate, optionalPrincipal, type TokenVerifier } from '@stream-seat/platform';

export function registerEdgeAuth(app: App, verifier: TokenVerifier): void {
  app.addHook('onRequest', async (request) => {
    if (!request.url.startsWith('/api/') || request.url.startsWith('/api/auth/')) return;
    if (request.method === 'GET' || request.method === 'HEAD') await optionalPrincipal(verifier, request);
    else await authenticate(verifier, request);
  });
}
