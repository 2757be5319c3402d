/**
 * Runs a service's migrations at start-up with Kysely's Migrator. On MySQL the Migrator holds a
 * named lock (GET_LOCK) for the whole run, so instances that start together migrate once.
 *
 * Migrations a newer release has run and this code does not know count as done: during a rolling
 * deploy, or after rolling back to the previous release, the older code starts on the newer
 * schema instead of stopping at Kysely's "corrupted migrations". Migrations only add (a column,
 * a table, an index: expand now, contract a release later), so the previous release still runs.
 */
import { DEFAULT_MIGRATION_TABLE, type Kysely, type Migration, type MigrationProvider, Migrator } from 'kysely';
import type { Dialect } from './connection-url.js';
import type { Database, DatabaseLogger } from './database.js';
import { tableExists } from './schema-probes.js';

export type Migrations = Record<string, Migration>;

/** The names the database has run; none when it has never been migrated. */
async function executedMigrations(db: Kysely<unknown>, dialect: Dialect): Promise<string[]> {
  if (!(await tableExists(db, dialect, DEFAULT_MIGRATION_TABLE))) return [];
  const rows = await (db as Kysely<{ kysely_migration: { name: string } }>).selectFrom(DEFAULT_MIGRATION_TABLE).select('name').execute();
  return rows.map((row) => row.name);
}

export interface MigrationOutcome {
  applied: string[];
  /** Run by a newer release; taken as done. */
  unknown: string[];
}

export async function migrateToLatest(db: Kysely<unknown>, dialect: Dialect, migrations: Migrations): Promise<MigrationOutcome> {
  const executed = await executedMigrations(db, dialect);
  // No release drops a service's first migration: a database migrated without it is another
  // service's (it had been refused as "corrupted migrations … alphabetically after").
  const [first] = Object.keys(migrations).sort();
  if (first !== undefined && executed.length > 0 && !executed.includes(first)) {
    throw new Error(
      `this database was migrated by another service (it has ${executed.slice(0, 3).join(', ')}${executed.length > 3 ? ', …' : ''}, not ${first}): DATABASE_URL or DATABASE_NAME must name this service's own database; nothing was migrated`,
    );
  }
  const unknown = executed.filter((name) => !(name in migrations));
  const alreadyDone: Migration = { up: async () => undefined };
  const known: Migrations = { ...Object.fromEntries(unknown.map((name) => [name, alreadyDone])), ...migrations };
  const provider: MigrationProvider = { getMigrations: async () => known };
  const migrator = new Migrator({ db, provider });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error(String(error));
  return { applied: (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName), unknown };
}

/** Start-up of a service's database: create it if missing, wait for it, migrate to latest. */
export async function startDatabase<T>(
  database: Database<T>,
  migrations: Migrations,
  log?: DatabaseLogger,
  /** Runs the migrations so that a stop asked meanwhile waits for them (runService's StartupControl). */
  critical: <R>(work: () => Promise<R>) => Promise<R> = (work) => work(),
): Promise<string[]> {
  await database.prepare(log);
  // Without the statement bound: an index on a large table takes longer to build than a request
  // may take (MariaDB stopped it at 10 s, every restart began it again), and GET_LOCK waiting for
  // the instance that migrates would come back empty and let a second one migrate at once.
  const { applied, unknown } = await critical(() => database.unbounded((db) => migrateToLatest(db as unknown as Kysely<unknown>, database.dialect, migrations)));
  if (unknown.length > 0) log?.warn({ database: database.label, unknown }, 'the database has migrations of a newer release: taken as done');
  log?.info({ database: database.label, dialect: database.dialect, applied }, 'database ready');
  return applied;
}
