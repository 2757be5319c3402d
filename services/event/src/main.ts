/** The event service process: configuration → database → app → listen. */
import { openServiceDatabase, startDatabase } from '@stream-seat/db';
import { createTokenVerifier, loadConfig, runService } from '@stream-seat/platform';
import { buildEventApp } from './app.js';
import { eventConfigSchema } from './config.js';
import { eventMigrations } from './db/migrations/index.js';
import type { EventDatabase } from './db/schema.js';

const config = loadConfig(eventConfigSchema);
const database = openServiceDatabase<EventDatabase>(config, 'data/event.db');
const app = buildEventApp({ database, verifier: createTokenVerifier(config), logLevel: config.LOG_LEVEL });
app.addHook('onClose', () => database.close());
await runService({
  app,
  appName: 'EVENT-SERVICE',
  port: config.PORT,
  config,
  printableConfig: config,
  // Listen first (so /ready can say why it is not ready), then create/migrate the database.
  startup: () => startDatabase(database, eventMigrations(database.dialect), app.log).then(() => undefined),
});
