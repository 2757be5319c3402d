/** The event service process: configuration → database → registry client → app and outbox relay → listen. */
import { migrateToLatest, openServiceDatabase } from '@stream-seat/db';
import {
  createLoadBalancer,
  createServiceRegistryClient,
  createTokenVerifier,
  loadConfig,
  loggerOptions,
  runService,
} from '@stream-seat/platform';
import type { Kysely } from 'kysely';
import pino from 'pino';
import { buildEventApp } from './app.js';
import { eventConfigSchema } from './config.js';
import { createOutboxRepository } from './db/outbox.repository.js';
import { eventMigrations } from './db/migrations/index.js';
import type { EventDatabase } from './db/schema.js';
import { createHttpDelivery } from './outbox/booking-delivery.js';
import { createOutboxRelay } from './outbox/outbox-relay.js';

const config = loadConfig(eventConfigSchema);
const bootLog = pino(loggerOptions('event', config.LOG_LEVEL) as pino.LoggerOptions);
const database = await openServiceDatabase<EventDatabase>(config, 'data/event.db', bootLog);
await migrateToLatest(database.db as unknown as Kysely<unknown>, eventMigrations(database.dialect));

const registry = await createServiceRegistryClient(config, 'EVENT-SERVICE', config.PORT, bootLog);
const balancer = createLoadBalancer(registry);
const relay = createOutboxRelay({
  outbox: createOutboxRepository(database.db),
  deliver: createHttpDelivery({
    targets: () => balancer.candidates('BOOKING-SERVICE').map((instance) => instance.url),
    timeoutMs: config.OUTBOX_DELIVERY_TIMEOUT_MS,
  }),
  pollMs: config.OUTBOX_POLL_MS,
  maxBackoffMs: config.OUTBOX_MAX_BACKOFF_MS,
  log: bootLog.child({ component: 'outbox-relay' }),
});

const app = buildEventApp({
  database,
  verifier: createTokenVerifier(config),
  onOutboxWritten: () => relay.nudge(),
  seatMapCacheBytes: config.SEATMAP_CACHE_MB * 1024 * 1024,
  bodyLimit: config.BODY_LIMIT_BYTES,
  logLevel: config.LOG_LEVEL,
});
app.addHook('onClose', async () => {
  await relay.stop();
  await database.close();
});
await runService({ app, appName: 'EVENT-SERVICE', port: config.PORT, config, printableConfig: config }, registry);
relay.start();
