/** Composition root of the event service: wires the database and routes; never listens. */
import { isDatabaseUnavailable, type Database } from '@stream-seat/db';
import { type App, createService, ServiceUnavailable, type TokenVerifier } from '@stream-seat/platform';
import { createEventRepository } from './db/event.repository.js';
import type { EventDatabase } from './db/schema.js';
import { registerEventRoutes } from './routes/event.routes.js';

export interface EventAppDeps {
  database: Database<EventDatabase>;
  verifier: TokenVerifier;
  logLevel?: string;
  logger?: boolean;
}

export function buildEventApp(deps: EventAppDeps): App {
  const app = createService({
    name: 'event',
    logLevel: deps.logLevel ?? 'info',
    logger: deps.logger ?? true,
    openapi: { title: 'Stream-Seat event service', description: 'Venues, seat maps, events, prices' },
    errorMappers: [(error) => (isDatabaseUnavailable(error) ? new ServiceUnavailable('The database is unavailable') : undefined)],
  });
  app.addReadinessCheck({ name: 'database', check: () => deps.database.ping() });
  registerEventRoutes(app, createEventRepository(deps.database.db));
  return app;
}
