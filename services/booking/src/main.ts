/** The booking service process: configuration → database → app → listen. */
import { openServiceDatabase, startDatabase } from '@stream-seat/db';
import { createTokenVerifier, loadConfig, runService } from '@stream-seat/platform';
import { buildBookingApp } from './app.js';
import { bookingConfigSchema } from './config.js';
import { bookingMigrations } from './db/migrations/index.js';
import type { BookingDatabase } from './db/schema.js';

const config = loadConfig(bookingConfigSchema);
const database = openServiceDatabase<BookingDatabase>(config, 'data/booking.db');
const app = buildBookingApp({ database, verifier: createTokenVerifier(config), logLevel: config.LOG_LEVEL });
app.addHook('onClose', () => database.close());
await runService({
  app,
  appName: 'BOOKING-SERVICE',
  port: config.PORT,
  config,
  printableConfig: config,
  // Listen first (so /ready can say why it is not ready), then create/migrate the database.
  startup: () => startDatabase(database, bookingMigrations(database.dialect), app.log).then(() => undefined),
});
