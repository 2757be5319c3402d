/**
 * `npm run migrate -w @stream-seat/event` (in the image: `node services/event/dist/migrate.js`):
 * the event database's pending migrations, then exit, without listening or registering. See
 * `runMigrateCommand` for when to run it before a deploy.
 */
import { runMigrateCommand } from '@stream-seat/db';
import { loggerOptions } from '@stream-seat/platform';
import pino from 'pino';
import { eventMigrations } from './db/migrations/index.js';

await runMigrateCommand(eventMigrations, pino(loggerOptions('event', process.env['LOG_LEVEL'] ?? 'info') as pino.LoggerOptions).child({ component: 'migrate' }));
