/** A booking service in process on a fresh database of the given dialect, for integration tests. */
import { createTestDatabase, type Database, databaseConfigFor, type Dialect, openServiceDatabase, startDatabase } from '@stream-seat/db';
import { type App, createTokenVerifier, type Role, signDevToken } from '@stream-seat/platform';
import { type BookingSettings, buildBookingApp } from '../src/app.js';
import { bookingMigrations } from '../src/db/migrations/index.js';
import type { BookingDatabase } from '../src/db/schema.js';
import { createTestProviderChargeLedger } from '../src/db/test-provider-charges.repository.js';
import type { CatalogueClient } from '../src/domain/catalogue-client.js';
import { createTestPaymentProvider } from '../src/domain/payment-provider.js';
import type { SeatChangeBus } from '../src/live/seat-change-bus.js';

export const TEST_JWT_SECRET = 'booking-service-test-secret-0123456789';
/** The SERVICE_TOKEN of test apps that are not given one. */
export const TEST_SERVICE_TOKEN = 'booking-service-token-for-tests-0123';

export interface BookingTestApp {
  app: App;
  database: Database<BookingDatabase>;
  /** The DATABASE_URL, for a second instance on the same database. */
  databaseUrl: string;
  payments: ReturnType<typeof createTestPaymentProvider>;
  /** The app's clock: real time plus whatever `advance` added. */
  now(): number;
  advance(ms: number): void;
  auth(sub: string, role?: Role): Promise<Record<string, string>>;
  /** The headers the event service sends to `/internal/*`. */
  internal: Record<string, string>;
  close(): Promise<void>;
}

export interface BookingTestOptions {
  catalogue: CatalogueClient;
  settings?: Partial<BookingSettings>;
  /** Share another test app's database (a second instance) instead of creating one. */
  databaseUrl?: string;
  /** The seat-change bus (e.g. Redis, to link instances); in process by default. */
  bus?: SeatChangeBus;
  /** SERVICE_TOKEN for `/internal/*`; TEST_SERVICE_TOKEN by default. */
  serviceToken?: string;
  /** DB_QUERY_TIMEOUT_MS: the server's bound on statements and on row-lock waits (MySQL). */
  queryTimeoutMs?: number;
  /** DB_IDLE_TIMEOUT_MS: the server closes this instance's connections once silent this long (MySQL). */
  idleTimeoutMs?: number;
}

export async function createBookingTestApp(dialect: Dialect, options: BookingTestOptions): Promise<BookingTestApp> {
  const testDb = options.databaseUrl ? undefined : await createTestDatabase(dialect, 'booking');
  const url = options.databaseUrl ?? testDb?.url ?? '';
  const config = {
    ...databaseConfigFor(url),
    ...(options.queryTimeoutMs ? { DB_QUERY_TIMEOUT_MS: options.queryTimeoutMs } : {}),
    ...(options.idleTimeoutMs ? { DB_IDLE_TIMEOUT_MS: options.idleTimeoutMs } : {}),
  };
  const database = openServiceDatabase<BookingDatabase>(config, url);
  await startDatabase(database, bookingMigrations(database.dialect));
  let offset = 0;
  const now = () => Date.now() + offset;
  // tok_slow's charge goes through shortly after the payment timed out (tests of the reconciler).
  // Its charges in the database, as the service keeps them: instances on one database share them.
  const payments = createTestPaymentProvider({ slowMs: 300, ledger: createTestProviderChargeLedger(database.db, now) });
  const app = buildBookingApp({
    database,
    verifier: createTokenVerifier({ AUTH_MODE: 'dev', JWT_SECRET: TEST_JWT_SECRET }),
    catalogue: options.catalogue,
    payments,
    ...(options.bus ? { bus: options.bus } : {}),
    serviceToken: options.serviceToken ?? TEST_SERVICE_TOKEN,
    clock: now,
    // The sweeper's interval passes are kept out of the way by a long interval: a test runs a whole
    // pass when it asks (sweepOnce). A hold made here is still released when it runs out (on the
    // test's clock; a release-only pass).
    settings: { holdSweepIntervalMs: 3_600_000, ...options.settings },
    logger: false,
  });
  await app.ready();
  return {
    app,
    database,
    databaseUrl: url,
    payments,
    now,
    advance(ms) {
      offset += ms;
    },
    auth: async (sub, role = 'buyer') => ({ authorization: `Bearer ${await signDevToken(TEST_JWT_SECRET, { sub, role })}` }),
    internal: { authorization: `Bearer ${options.serviceToken ?? TEST_SERVICE_TOKEN}` },
    async close() {
      await app.close();
      await database.close();
      await testDb?.drop();
    },
  };
}
