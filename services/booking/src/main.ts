/** The booking service process: configuration → database → app → listen. */
import { migrateToLatest, openServiceDatabase } from '@stream-seat/db';
import {
  createLoadBalancer,
  createServiceClient,
  createServiceRegistryClient,
  createTokenVerifier,
  loadConfig,
  type RegistryClient,
  runService,
} from '@stream-seat/platform';
import type { Kysely } from 'kysely';
import { buildBookingApp } from './app.js';
import { createHttpCatalogueClient } from './catalogue/http-catalogue-client.js';
import { bookingConfigSchema } from './config.js';
import { bookingMigrations } from './db/migrations/index.js';
import type { BookingDatabase } from './db/schema.js';

const config = loadConfig(bookingConfigSchema);
const database = await openServiceDatabase<BookingDatabase>(config, 'data/booking.db');
await migrateToLatest(database.db as unknown as Kysely<unknown>, bookingMigrations(database.dialect));

// The registry client needs the app's logger, and the app needs the catalogue: resolve lazily.
const registryRef: { current?: RegistryClient } = {};
const balancer = createLoadBalancer({ instances: (name) => registryRef.current?.instances(name) ?? [] });
const catalogue = createHttpCatalogueClient({
  client: createServiceClient(balancer, 'EVENT-SERVICE', { timeoutMs: config.CATALOGUE_TIMEOUT_MS }),
  eventTtlMs: config.CATALOGUE_EVENT_TTL_MS,
});
const app = buildBookingApp({
  database,
  verifier: createTokenVerifier(config),
  catalogue,
  settings: {
    holdTtlSeconds: config.HOLD_TTL_SECONDS,
    holdSweepIntervalMs: config.HOLD_SWEEP_INTERVAL_MS,
    maxActiveHoldsPerBuyer: config.MAX_ACTIVE_HOLDS_PER_BUYER,
    paymentTimeoutMs: config.PAYMENT_TIMEOUT_MS,
    idempotencyWaitMs: config.IDEMPOTENCY_WAIT_MS,
  },
  logLevel: config.LOG_LEVEL,
});
app.addHook('onClose', () => database.close());
const registry = await createServiceRegistryClient(config, 'BOOKING-SERVICE', config.PORT, app.log);
registryRef.current = registry;
await runService({ app, appName: 'BOOKING-SERVICE', port: config.PORT, config, printableConfig: config }, registry);
