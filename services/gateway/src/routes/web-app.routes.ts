/**
 * The web app (built by `npm run build -w web` into web/dist) at `/`. Vite names assets by their
 * content hash, so they are cached for a year; index.html is revalidated on every load so that a
 * new release shows at once. A gateway without a built app says how to build it.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import { AppError, type App } from '@stream-seat/platform';
import type { WebAppConfig } from '@stream-seat/contracts';
import { mergedVary } from '../proxy/forwarded-headers.js';
import { signInOrigins, type WebSignIn } from './web-sign-in.js';

/** The app loads only its own files and talks only to this origin (and its identity provider). */
function contentSecurityPolicy(connectOrigins: readonly string[]): string {
  return [
    "default-src 'self'",
    "img-src 'self' data:",
    "style-src 'self'",
    `connect-src ${["'self'", ...connectOrigins].join(' ')}`,
    "frame-ancestors 'none'",
    "base-uri 'self'",
    // Signing in leaves for the identity provider's page by navigation, which form-action does not govern.
    "form-action 'self'",
    "object-src 'none'",
  ].join('; ');
}

export interface WebAppOptions {
  /** The built app: web/dist, or WEB_ROOT. */
  root: string;
  signIn: WebSignIn;
  /** Origins the app may call besides the gateway and the issuer (WEB_CONNECT_ORIGINS). */
  connectOrigins: readonly string[];
}

export async function registerWebApp(app: App, options: WebAppOptions): Promise<void> {
  const { root, signIn } = options;
  // What the app needs to know before its first screen; the same for everybody, never cached stale.
  const config: WebAppConfig = { signIn };
  app.get('/app-config.json', { schema: { hide: true } }, async (_request, reply) => {
    reply.header('cache-control', 'no-cache');
    return config;
  });
  const policy = contentSecurityPolicy(signInOrigins(signIn, options.connectOrigins));
  if (!existsSync(join(root, 'index.html'))) {
    app.log.warn({ root }, 'the web app is not built; `npm run build -w web` builds it');
    app.get('/', { schema: { hide: true } }, async () => {
      throw new AppError(503, 'web-app-not-built', 'The web app is not built', `No index.html in ${root}: run \`npm run build -w web\``);
    });
    return;
  }
  // A file may be sent in brotli, gzip or as it is, by the request's Accept-Encoding: caches must
  // key on it (@fastify/static says nothing), beside CORS's `Origin`.
  await app.register(async (files) => {
    files.addHook('onSend', async (_request, reply) => {
      reply.header('vary', mergedVary(reply.getHeader('vary'), 'Accept-Encoding'));
    });
    await registerFiles(files, root, policy);
  });
}

async function registerFiles(app: App, root: string, policy: string): Promise<void> {
  await app.register(fastifyStatic, {
    root,
    prefix: '/',
    // One route per built file, read at start-up: no catch-all route that could shadow the API.
    wildcard: false,
    index: ['index.html'],
    schemaHide: true,
    // The build writes each text file beside itself in brotli and gzip (web/vite.config.ts):
    // those go to browsers that accept them, with `Vary: Accept-Encoding`.
    preCompressed: true,
    // …under the original's address only: no routes of their own.
    globIgnore: ['**/*.br', '**/*.gz'],
    // Set below per file: @fastify/static's own default (max-age=0) fits neither kind.
    cacheControl: false,
    setHeaders(res, sent) {
      // The file sent may be the compressed twin (`index.html.br`): its headers are the original's.
      const path = sent.replace(/\.(?:br|gz)$/, '');
      if (path.endsWith('.html')) {
        res.setHeader('cache-control', 'no-cache');
        res.setHeader('content-security-policy', policy);
      } else if (/[\\/]sw\.js$/.test(path)) {
        // The service worker: at a fixed address, so asked again at every check for a new release.
        res.setHeader('cache-control', 'no-cache');
      } else if (/[\\/]assets[\\/]/.test(path)) {
        res.setHeader('cache-control', 'public, max-age=31536000, immutable');
      }
    },
  });
}
