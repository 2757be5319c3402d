/** The booking service process: configuration → database → app → listen, then migrate and register. */
import { openServiceDatabase, startDatabase } from '@stream-seat/db';
import {
  createLoadBalancer,
  createServiceClient,
  createServiceRegistryClient,
  createTokenVerifier,
  loadConfig,
  loggerOptions,
  redisUrlWithPassword,
  type RegistryClient,
  runService,
} from '@stream-seat/platform';
import pino from 'pino';
import { buildBookingApp } from './app.js';
import { createHttpCatalogueClient } from './catalogue/http-catalogue-client.js';
import { bookingConfigSchema } from './config.js';
import { bookingMigrations } from './db/migrations/index.js';
import { createRedisSeatChangeBus } from './live/redis-seat-change-bus.js';
import type { BookingDatabase } from './db/schema.js';

const config = loadConfig(bookingConfigSchema);
const database = openServiceDatabase<BookingDatabase>(config, 'data/booking.db');

// The registry client needs the app's logger, and the app needs the catalogue: resolve lazily.
const registryRef: { current?: RegistryClient } = {};
const balancer = createLoadBalancer({
  instances: (name) => registryRef.current?.instances(name) ?? [],
  pendingRefresh: () => registryRef.current?.pendingRefresh(),
});
const catalogue = createHttpCatalogueClient({
  client: createServiceClient(balancer, 'EVENT-SERVICE', { timeoutMs: config.CATALOGUE_TIMEOUT_MS }),
  eventTtlMs: config.CATALOGUE_EVENT_TTL_MS,
});
const busLog = pino(loggerOptions('booking', config.LOG_LEVEL) as pino.LoggerOptions).child({ component: 'seat-change-bus' });
// Connects in the background: the service listens and serves while Redis is away.
const bus = config.REDIS_URL
  ? createRedisSeatChangeBus({
      url: redisUrlWithPassword(config.REDIS_URL, config.REDIS_PASSWORD),
      onError: (error) => busLog.warn({ err: error }, 'seat-change bus: a message or listener failed'),
      log: busLog,
    })
  : undefined;
const app = buildBookingApp({
  database,
  verifier: createTokenVerifier(config),
  catalogue,
  serviceToken: config.SERVICE_TOKEN,
  ...(bus ? { bus } : {}),
  settings: {
    holdTtlSeconds: config.HOLD_TTL_SECONDS,
    holdSweepIntervalMs: config.HOLD_SWEEP_INTERVAL_MS,
    maxActiveHoldsPerBuyer: config.MAX_ACTIVE_HOLDS_PER_BUYER,
    paymentTimeoutMs: config.PAYMENT_TIMEOUT_MS,
    paymentAbandonedAfterMs: config.PAYMENT_ABANDONED_AFTER_MS,
    paymentLateChargeWindowMs: config.PAYMENT_LATE_CHARGE_WINDOW_MS,
    idempotencyWaitMs: config.IDEMPOTENCY_WAIT_MS,
    streamHeartbeatMs: config.STREAM_HEARTBEAT_MS,
    streamMaxBufferedBytes: config.STREAM_MAX_BUFFERED_BYTES,
    streamRingSize: config.STREAM_RING_SIZE,
    streamMaxReplay: config.STREAM_MAX_REPLAY,
    streamCatchUpMs: config.STREAM_CATCH_UP_MS,
  },
  logLevel: config.LOG_LEVEL,
});
app.addHook('onClose', () => database.close());
const registry = await createServiceRegistryClient(config, 'BOOKING-SERVICE', config.PORT, app.log);
registryRef.current = registry;
await runService(
  {
    app,
    appName: 'BOOKING-SERVICE',
    port: config.PORT,
    config,
    printableConfig: config,
    // Listen first (so /ready can say why it is not ready), then create/migrate the database.
    startup: ({ critical }) => startDatabase(database, bookingMigrations(database.dialect), app.log, critical).then(() => undefined),
  },
  registry,
);
