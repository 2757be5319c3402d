/** An event service in process on a fresh database of the given dialect, for integration tests. */
import type { VenueLayout } from '@stream-seat/contracts';
import { createTestDatabase, type Database, databaseConfigFor, type Dialect, openServiceDatabase, startDatabase } from '@stream-seat/db';
import { type App, createTokenVerifier, type Role, signDevToken } from '@stream-seat/platform';
import { buildEventApp, type EventAppDeps } from '../src/app.js';
import { eventMigrations } from '../src/db/migrations/index.js';
import type { EventDatabase } from '../src/db/schema.js';

export const TEST_JWT_SECRET = 'event-service-test-secret-0123456789';

export interface EventTestApp {
  app: App;
  database: Database<EventDatabase>;
  token(sub: string, role: Role): Promise<string>;
  /** `{ authorization: 'Bearer …' }` for a subject and role. */
  auth(sub: string, role?: Role): Promise<Record<string, string>>;
  close(): Promise<void>;
}

export async function createEventTestApp(
  dialect: Dialect,
  options: Pick<EventAppDeps, 'clock' | 'onOutboxWritten' | 'seatMapCacheBytes' | 'venueSeatsPerOrganizer'> = {},
): Promise<EventTestApp> {
  const testDb = await createTestDatabase(dialect, 'event');
  const database = openServiceDatabase<EventDatabase>(databaseConfigFor(testDb.url), testDb.url);
  await startDatabase(database, eventMigrations(database.dialect));
  const app = buildEventApp({
    database,
    verifier: createTokenVerifier({ AUTH_MODE: 'dev', JWT_SECRET: TEST_JWT_SECRET }),
    logger: false,
    ...options,
  });
  await app.ready();
  const token = (sub: string, role: Role) => signDevToken(TEST_JWT_SECRET, { sub, role });
  return {
    app,
    database,
    token,
    auth: async (sub, role = 'organizer') => ({ authorization: `Bearer ${await token(sub, role)}` }),
    async close() {
      await app.close();
      await database.close();
      await testDb.drop();
    },
  };
}

/** A small hall: two seated tiers (A: 2 rows of 5, B: 1 curved row of 6) and a standing area. */
export function smallLayout(name = 'Small Hall'): VenueLayout {
  return {
    name,
    city: 'Lyon',
    sections: [
      { id: 'ORCH', name: 'Orchestra', tier: 'A', rows: [{ label: 'A', seats: 5 }, { label: 'B', seats: 5, offset: 0.5 }] },
      { id: 'BALC', name: 'Balcony', tier: 'B', rows: [{ label: 'A', seats: 6, curve: 1 }] },
      { id: 'FLOOR', name: 'Floor', tier: 'GA', capacity: 40 },
    ],
  };
}

export const DAY = 86_400_000;
export const inDays = (days: number, from = Date.now()) => new Date(from + days * DAY).toISOString();

/** Creates the small hall as `sub` and returns its id. */
export async function createVenue(t: EventTestApp, sub: string, layout: VenueLayout = smallLayout()): Promise<string> {
  const res = await t.app.inject({ method: 'POST', url: '/api/venues', headers: await t.auth(sub), payload: layout });
  if (res.statusCode !== 201) throw new Error(`venue not created: ${res.statusCode} ${res.body}`);
  return (res.json() as { id: string }).id;
}

/** Creates a draft event at the venue with every tier priced, and returns its id. */
export async function createDraft(t: EventTestApp, sub: string, venueId: string, extra: Record<string, unknown> = {}): Promise<string> {
  const res = await t.app.inject({
    method: 'POST',
    url: '/api/events',
    headers: await t.auth(sub),
    payload: { venueId, name: 'Concert', startsAt: inDays(30), currency: 'EUR', prices: { A: 6000, B: 4000, GA: 2500 }, ...extra },
  });
  if (res.statusCode !== 201) throw new Error(`event not created: ${res.statusCode} ${res.body}`);
  return (res.json() as { id: string }).id;
}
