/** The event service process: configuration → database → app → listen. */
import { migrateToLatest, openServiceDatabase } from '@stream-seat/db';
import { createTokenVerifier, loadConfig, runService } from '@stream-seat/platform';
import type { Kysely } from 'kysely';
import { buildEventApp } from './app.js';
import { eventConfigSchema } from './config.js';
import { eventMigrations } from './db/migrations/index.js';
import type { EventDatabase } from './db/schema.js';

const config = loadConfig(eventConfigSchema);
const database = await openServiceDatabase<EventDatabase>(config, 'data/event.db');
await migrateToLatest(database.db as unknown as Kysely<unknown>, eventMigrations(database.dialect));
const app = buildEventApp({ database, verifier: createTokenVerifier(config), logLevel: config.LOG_LEVEL });
app.addHook('onClose', () => database.close());
await runService({ app, appName: 'EVENT-SERVICE', port: config.PORT, config, printableConfig: config });
