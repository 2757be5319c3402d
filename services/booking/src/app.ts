/** Composition root of the booking service: wires the database and routes; never listens. */
import { type Database, isDatabaseUnavailable } from '@stream-seat/db';
import { type App, createService, ServiceUnavailable, type TokenVerifier } from '@stream-seat/platform';
import { createSeatRepository } from './db/seat.repository.js';
import type { BookingDatabase } from './db/schema.js';
import { registerAvailabilityRoutes } from './routes/availability.routes.js';

export interface BookingAppDeps {
  database: Database<BookingDatabase>;
  verifier: TokenVerifier;
  clock?: () => number;
  logLevel?: string;
  logger?: boolean;
}

export function buildBookingApp(deps: BookingAppDeps): App {
  const clock = deps.clock ?? Date.now;
  const app = createService({
    name: 'booking',
    logLevel: deps.logLevel ?? 'info',
    logger: deps.logger ?? true,
    openapi: { title: 'Stream-Seat booking service', description: 'Seat inventory, holds, orders, tickets' },
    errorMappers: [(error) => (isDatabaseUnavailable(error) ? new ServiceUnavailable('The database is unavailable') : undefined)],
  });
  app.addReadinessCheck({ name: 'database', check: () => deps.database.ping() });
  registerAvailabilityRoutes(app, createSeatRepository(deps.database.db), clock);
  return app;
}
