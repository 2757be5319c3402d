/** The gateway's environment. */
import { fileURLToPath } from 'node:url';
import { LAYOUT_BODY_LIMIT_BYTES } from '@stream-seat/contracts';
import { baseConfigSchema, checkAuthConfig, env } from '@stream-seat/platform';
import { z } from 'zod';
import { DEFAULT_MAX_CLIENT_STREAMS, DEFAULT_STREAMS_PER_CLIENT } from './edge/client-stream-limit.js';
import { operatorNetwork } from './edge/operator-network.js';
import { webSignInFrom } from './routes/web-sign-in.js';

/** `https://host[:port]` and nothing else: the entries go into the web app's CSP as they are. */
function isOrigin(value: string): boolean {
  return URL.canParse(value) && /^https?:$/.test(new URL(value).protocol) && new URL(value).origin === value;
}

/** See STREAM_UPSTREAM_IDLE_MS. */
export const STREAM_UPSTREAM_IDLE_DEFAULT_MS = 15_000;

export const gatewayConfigSchema = baseConfigSchema.extend({
  PORT: env.port(8082),
  /**
   * Serve `POST /api/auth/dev-token` (AUTH_MODE=dev only). Off unless asked for: `npm start` and
   * the compose file turn it on; a deployed gateway must never mint tokens for anyone who asks.
   */
  DEV_TOKENS: env.bool(false),
  /**
   * Largest venue layout passed on (`/api/venues`): as large as the event service takes, or a
   * layout it would store was refused here with a 413 (a probe's 3.3 MB of 100,000 one-seat rows).
   * Other routes take 1 MiB: the gateway reads a body whole before its rate limit applies.
   */
  BODY_LIMIT_BYTES: env.int(LAYOUT_BODY_LIMIT_BYTES, 1024),
  /** Time for an upstream to send its response headers: longer than booking's payment timeout. */
  UPSTREAM_TIMEOUT_MS: env.int(30_000, 1),
  /** Time to open a connection to an upstream before trying the next instance. */
  UPSTREAM_CONNECT_TIMEOUT_MS: env.int(2_000, 1),
  /** Concurrent live streams (SSE) relayed to one upstream instance. */
  MAX_STREAMS_PER_UPSTREAM: env.int(50_000, 1),
  /**
   * Live streams (SSE) one client address may hold open at once at this gateway, shared or relayed;
   * more are refused with 429. Per instance, in memory; the address as TRUST_PROXY resolves it. A
   * buyer with several tabs stays well under it; raise it for many buyers behind one NAT address.
   */
  STREAMS_PER_CLIENT: env.int(DEFAULT_STREAMS_PER_CLIENT, 1),
  /**
   * Live streams this gateway holds open in all, every client together; more are refused with a
   * 503 the browser retries (another task may take it). Sized for a 1 GiB task.
   */
  MAX_CLIENT_STREAMS: env.int(DEFAULT_MAX_CLIENT_STREAMS, 1),
  /** One upstream live stream per event, shared by the gateway's clients; false: one per client. */
  STREAM_FANOUT: env.bool(true),
  /** Changes a shared stream keeps for late joiners and resuming clients. */
  STREAM_RING_SIZE: env.int(1_000, 1),
  /** Unsent bytes allowed per client of a shared stream before it is disconnected. */
  STREAM_MAX_BUFFERED_BYTES: env.int(1_048_576, 1_024),
  /** Comment heartbeats on shared streams, to their clients. */
  STREAM_HEARTBEAT_MS: env.int(15_000, 100),
  /**
   * A shared stream's upstream silent this long is taken for dead (a frozen instance, a half-open
   * connection) and resumed on another instance: three of booking's heartbeats (5 s each).
   */
  STREAM_UPSTREAM_IDLE_MS: env.int(STREAM_UPSTREAM_IDLE_DEFAULT_MS, 100),
  /**
   * Proxies whose X-Forwarded-For to believe: `false`, `true`, or addresses/CIDRs, comma-separated
   * (the VPC's, behind a load balancer), so that rate limits and logs see the real callers.
   */
  TRUST_PROXY: z
    .string()
    .default('false')
    .transform((v): boolean | string => (v === 'true' ? true : v === 'false' || v.trim() === '' ? false : v)),
  /** Origins allowed by CORS, comma-separated; `*` for any; empty for same-origin only. */
  CORS_ORIGINS: env.list(),
  /** Requests per caller (token subject, else address) per window. */
  RATE_LIMIT_MAX: env.int(1_200, 1),
  RATE_LIMIT_WINDOW_MS: env.int(60_000, 1),
  /** Hold requests per caller per window: holds lock seats, so they get a tighter limit. */
  HOLDS_RATE_LIMIT_MAX: env.int(120, 1),
  /** The built web app served at `/` (`npm run build -w web`); web/dist of this checkout by default. */
  WEB_ROOT: z.string().min(1).default(fileURLToPath(new URL('../../../web/dist', import.meta.url))),
  /**
   * The web app's client id at the identity provider (AUTH_MODE=jwks, JWT_ISSUER): the app then
   * signs users in on the provider's page (authorization code + PKCE). Unset or empty: users paste a token.
   */
  WEB_OIDC_CLIENT_ID: z
    .string()
    .optional()
    .transform((v) => v || undefined),
  /** Scopes the web app asks the identity provider for. */
  WEB_OIDC_SCOPE: z.string().min(1).default('openid'),
  /** Origins the web app may call besides the gateway and the issuer (a token endpoint on another host). */
  WEB_CONNECT_ORIGINS: env
    .list()
    .refine((origins) => origins.every(isOrigin), 'each entry must be an origin such as https://login.example.com (scheme and host, no path)'),
  /** Shared rate-limit counters across gateways. */
  REDIS_URL: env.redisUrl(),
  /** Redis's password for the URL's user (an ACL user on AWS), kept out of REDIS_URL: a secret. */
  REDIS_PASSWORD: env.optionalSecret(),
  /** Failure percentage that opens an instance's circuit, and how long it stays open. */
  BREAKER_ERROR_PERCENT: env.int(50, 1),
  BREAKER_VOLUME_THRESHOLD: env.int(10, 1),
  BREAKER_RESET_MS: env.int(10_000, 1),
})
  // A sign-in set up wrong is a configuration error naming its key (once the keys themselves parse).
  .superRefine((config, ctx) => {
    checkAuthConfig(config, ctx);
    try {
      operatorNetwork(config.TRUST_PROXY);
    } catch (error) {
      ctx.addIssue({ code: 'custom', path: ['TRUST_PROXY'], message: (error as Error).message });
    }
    try {
      webSignInFrom(config);
    } catch (error) {
      ctx.addIssue({ code: 'custom', path: ['WEB_OIDC_CLIENT_ID'], message: (error as Error).message });
    }
  });

export type GatewayConfig = typeof gatewayConfigSchema._output;
