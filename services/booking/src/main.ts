/** The booking service process: configuration → database → app → listen. */
import { migrateToLatest, openServiceDatabase } from '@stream-seat/db';
import { createTokenVerifier, loadConfig, runService } from '@stream-seat/platform';
import type { Kysely } from 'kysely';
import { buildBookingApp } from './app.js';
import { bookingConfigSchema } from './config.js';
import { bookingMigrations } from './db/migrations/index.js';
import type { BookingDatabase } from './db/schema.js';

const config = loadConfig(bookingConfigSchema);
const database = await openServiceDatabase<BookingDatabase>(config, 'data/booking.db');
await migrateToLatest(database.db as unknown as Kysely<unknown>, bookingMigrations(database.dialect));
const app = buildBookingApp({ database, verifier: createTokenVerifier(config), logLevel: config.LOG_LEVEL });
app.addHook('onClose', () => database.close());
await runService({ app, appName: 'BOOKING-SERVICE', port: config.PORT, config, printableConfig: config });
