/**
 * `npm run migrate -w @stream-seat/booking` (in the image: `node services/booking/dist/migrate.js`):
 * the booking database's pending migrations, then exit, without listening or registering. See
 * `runMigrateCommand` for when to run it before a deploy.
 */
import { runMigrateCommand } from '@stream-seat/db';
import { loggerOptions } from '@stream-seat/platform';
import pino from 'pino';
import { bookingMigrations } from './db/migrations/index.js';

await runMigrateCommand(bookingMigrations, pino(loggerOptions('booking', process.env['LOG_LEVEL'] ?? 'info') as pino.LoggerOptions).child({ component: 'migrate' }));
