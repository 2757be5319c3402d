/** One route behind the booking service's Idempotency-Key handling, on a fresh real database, for its tests. */
import { createTestDatabase, type Database, databaseConfigFor, type Dialect, openServiceDatabase, startDatabase } from '@stream-seat/db';
import type { ErrorMapper } from '@stream-seat/platform';
import Fastify, { type FastifyInstance } from 'fastify';
import { createIdempotencyRepository, type IdempotencyRepository } from '../src/db/idempotency.repository.js';
import { bookingMigrations } from '../src/db/migrations/index.js';
import type { BookingDatabase } from '../src/db/schema.js';
import { createIdempotency, type Outcome } from '../src/routes/idempotency.js';

export interface IdempotentRoute {
  /** `POST {path}` as the principal `buyer`, whose work is `run`. */
  app: FastifyInstance;
  database: Database<BookingDatabase>;
  /** The keys as the route uses them (`wrapKeys`'s, when given). */
  keys: IdempotencyRepository;
  close(): Promise<void>;
}

export async function startIdempotentRoute(options: {
  dialect: Dialect;
  name: string;
  path: string;
  clock: () => number;
  run: () => Promise<Outcome>;
  /** Stands in front of the real repository (a database that fails some calls). */
  wrapKeys?: (real: IdempotencyRepository) => IdempotencyRepository;
  /** The service's error mappers, as booking gives them. */
  errorMappers?: ErrorMapper[];
  /** Collects what the route logs at warn and above (one JSON line each). */
  logLines?: string[];
}): Promise<IdempotentRoute> {
  const testDb = await createTestDatabase(options.dialect, options.name);
  const database = openServiceDatabase<BookingDatabase>(databaseConfigFor(testDb.url), testDb.url);
  await startDatabase(database, bookingMigrations(database.dialect));
  const real = createIdempotencyRepository(database.db);
  const keys = options.wrapKeys?.(real) ?? real;
  const idempotent = createIdempotency({ keys, clock: options.clock, waitMs: 5_000, ...(options.errorMappers ? { errorMappers: options.errorMappers } : {}) });
  const lines = options.logLines;
  const app = Fastify(lines ? { logger: { level: 'warn', stream: { write: (line: string) => void lines.push(line) } } } : {});
  app.post(options.path, async (request, reply) => idempotent(request, reply, { owner: 'buyer', route: `POST ${options.path}`, body: request.body }, options.run));
  await app.ready();
  return {
    app,
    database,
    keys,
    async close() {
      await app.close();
      await database.close();
      await testDb.drop();
    },
  };
}
