/** The gateway process: configuration → registry client → app → listen. */
import { createServiceRegistryClient, createTokenVerifier, loadConfig, loggerOptions, redisUrlWithPassword, runService } from '@stream-seat/platform';
import { Redis } from 'ioredis';
import pino from 'pino';
import { buildGatewayApp } from './app.js';
import { gatewayConfigSchema } from './config.js';
import { RATE_LIMIT_REDIS_OPTIONS } from './edge/rate-limit-store.js';
import { webSignInFrom } from './routes/web-sign-in.js';

const config = loadConfig(gatewayConfigSchema);
// Checked with the rest of the configuration (gatewayConfigSchema).
const webSignIn = webSignInFrom(config);
const bootLog = pino(loggerOptions('gateway', config.LOG_LEVEL) as pino.LoggerOptions);
const registry = await createServiceRegistryClient(config, 'API-GATEWAY', config.PORT, bootLog);
const redis = config.REDIS_URL ? new Redis(redisUrlWithPassword(config.REDIS_URL, config.REDIS_PASSWORD), RATE_LIMIT_REDIS_OPTIONS) : undefined;
redis?.on('error', (error) => bootLog.warn({ reason: error.message }, 'redis unavailable; rate limits are counted per gateway meanwhile'));
const app = await buildGatewayApp({
  registry,
  verifier: createTokenVerifier(config),
  devTokenSecret: config.AUTH_MODE === 'dev' && config.DEV_TOKENS ? config.JWT_SECRET : undefined,
  upstreamTimeoutMs: config.UPSTREAM_TIMEOUT_MS,
  bodyLimit: config.BODY_LIMIT_BYTES,
  connectTimeoutMs: config.UPSTREAM_CONNECT_TIMEOUT_MS,
  maxStreamsPerUpstream: config.MAX_STREAMS_PER_UPSTREAM,
  streamsPerClient: config.STREAMS_PER_CLIENT,
  maxClientStreams: config.MAX_CLIENT_STREAMS,
  streamFanout: config.STREAM_FANOUT && {
    ringSize: config.STREAM_RING_SIZE,
    maxBufferedBytes: config.STREAM_MAX_BUFFERED_BYTES,
    heartbeatMs: config.STREAM_HEARTBEAT_MS,
    upstreamIdleMs: config.STREAM_UPSTREAM_IDLE_MS,
  },
  corsOrigins: config.CORS_ORIGINS,
  trustProxy: config.TRUST_PROXY,
  webRoot: config.WEB_ROOT,
  webSignIn,
  webConnectOrigins: config.WEB_CONNECT_ORIGINS,
  rateLimit: {
    max: config.RATE_LIMIT_MAX,
    windowMs: config.RATE_LIMIT_WINDOW_MS,
    holdsMax: config.HOLDS_RATE_LIMIT_MAX,
    redis,
  },
  breakers: {
    errorThresholdPercentage: config.BREAKER_ERROR_PERCENT,
    volumeThreshold: config.BREAKER_VOLUME_THRESHOLD,
    resetTimeoutMs: config.BREAKER_RESET_MS,
  },
  logLevel: config.LOG_LEVEL,
});
app.addHook('onClose', async () => {
  await redis?.quit().catch(() => undefined);
});
await runService({ app, appName: 'API-GATEWAY', port: config.PORT, config, printableConfig: config, readyUnregistered: true }, registry);
