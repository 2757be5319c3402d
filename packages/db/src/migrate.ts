/**
 * Runs a service's migrations at start-up with Kysely's Migrator. On MySQL the Migrator holds a
 * named lock (GET_LOCK) for the whole run, so instances that start together migrate once.
 */
import { type Kysely, type Migration, type MigrationProvider, Migrator } from 'kysely';
import type { Database, DatabaseLogger } from './database.js';

export type Migrations = Record<string, Migration>;

export async function migrateToLatest(db: Kysely<unknown>, migrations: Migrations): Promise<string[]> {
  const provider: MigrationProvider = { getMigrations: async () => migrations };
  const migrator = new Migrator({ db, provider });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error(String(error));
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

/** Start-up of a service's database: create it if missing, wait for it, migrate to latest. */
export async function startDatabase<T>(
  database: Database<T>,
  migrations: Migrations,
  log?: DatabaseLogger,
): Promise<string[]> {
  await database.prepare(log);
  const applied = await migrateToLatest(database.db as unknown as Kysely<unknown>, migrations);
  log?.info({ database: database.label, dialect: database.dialect, applied }, 'database ready');
  return applied;
}
