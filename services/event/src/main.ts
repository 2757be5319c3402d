/** The event service process: configuration → registry client → app and outbox relay → listen → database → relay. */
import { openServiceDatabase, startDatabase } from '@stream-seat/db';
import {
  createLoadBalancer,
  createServiceRegistryClient,
  createTokenVerifier,
  loadConfig,
  loggerOptions,
  runService,
} from '@stream-seat/platform';
import pino from 'pino';
import { buildEventApp } from './app.js';
import { eventConfigSchema } from './config.js';
import { createOutboxRepository } from './db/outbox.repository.js';
import { eventMigrations } from './db/migrations/index.js';
import type { EventDatabase } from './db/schema.js';
import { createHttpDelivery } from './outbox/booking-delivery.js';
import { createOutboxRelay } from './outbox/outbox-relay.js';
import { forgetExpiredIdempotencyKeys } from './db/idempotency.repository.js';

const config = loadConfig(eventConfigSchema);
const bootLog = pino(loggerOptions('event', config.LOG_LEVEL) as pino.LoggerOptions);
const database = openServiceDatabase<EventDatabase>(config, 'data/event.db', bootLog);

const registry = await createServiceRegistryClient(config, 'EVENT-SERVICE', config.PORT, bootLog);
const balancer = createLoadBalancer(registry);
const relay = createOutboxRelay({
  outbox: createOutboxRepository(database.db),
  deliver: createHttpDelivery({
    targets: () => balancer.candidates('BOOKING-SERVICE').map((instance) => instance.url),
    timeoutMs: config.OUTBOX_DELIVERY_TIMEOUT_MS,
    serviceToken: config.SERVICE_TOKEN,
  }),
  pollMs: config.OUTBOX_POLL_MS,
  maxBackoffMs: config.OUTBOX_MAX_BACKOFF_MS,
  log: bootLog.child({ component: 'outbox-relay' }),
  alsoHourly: forgetExpiredIdempotencyKeys(database.db),
});

const app = buildEventApp({
  database,
  verifier: createTokenVerifier(config),
  onOutboxWritten: () => relay.nudge(),
  seatMapCacheBytes: config.SEATMAP_CACHE_MB * 1024 * 1024,
  venueSeatsPerOrganizer: config.VENUE_SEATS_PER_ORGANIZER,
  bodyLimit: config.BODY_LIMIT_BYTES,
  logLevel: config.LOG_LEVEL,
});
app.addHook('onClose', async () => {
  await relay.stop();
  await database.close();
});
await runService(
  {
    app,
    appName: 'EVENT-SERVICE',
    port: config.PORT,
    config,
    printableConfig: config,
    // Listen first (so /ready can say why it is not ready), then create/migrate the database.
    startup: ({ critical }) => startDatabase(database, eventMigrations(database.dialect), app.log, critical).then(() => undefined),
  },
  registry,
);
// The relay reads the outbox table: only once the database is migrated.
relay.start();
