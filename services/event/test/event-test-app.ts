/** An event service in process on a fresh database of the given dialect, for integration tests. */
import { createTestDatabase, type Database, databaseConfigFor, type Dialect, openServiceDatabase, startDatabase } from '@stream-seat/db';
import { type App, createTokenVerifier, type Role, signDevToken } from '@stream-seat/platform';
import { buildEventApp } from '../src/app.js';
import { eventMigrations } from '../src/db/migrations/index.js';
import type { EventDatabase } from '../src/db/schema.js';

export const TEST_JWT_SECRET = 'event-service-test-secret-0123456789';

export interface EventTestApp {
  app: App;
  database: Database<EventDatabase>;
  token(sub: string, role: Role): Promise<string>;
  close(): Promise<void>;
}

export async function createEventTestApp(dialect: Dialect): Promise<EventTestApp> {
  const testDb = await createTestDatabase(dialect, 'event');
  const database = openServiceDatabase<EventDatabase>(databaseConfigFor(testDb.url), testDb.url);
  await startDatabase(database, eventMigrations(database.dialect));
  const app = buildEventApp({
    database,
    verifier: createTokenVerifier({ AUTH_MODE: 'dev', JWT_SECRET: TEST_JWT_SECRET }),
    logger: false,
  });
  await app.ready();
  return {
    app,
    database,
    token: (sub, role) => signDevToken(TEST_JWT_SECRET, { sub, role }),
    async close() {
      await app.close();
      await database.close();
      await testDb.drop();
    },
  };
}
