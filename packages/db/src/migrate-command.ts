/**
 * A service's `migrate` command: runs its pending migrations on the database its environment
 * names (DATABASE_URL, or DB_SECRET with DATABASE_NAME and DATABASE_TLS, as the service reads
 * them) and ends, without listening or registering. For a migration that takes longer than a
 * deploy gives a starting task (ECS replaces one that has not started within about 345 s, and
 * its replacement would begin the copy again): run it before the deploy, and the new tasks find
 * nothing to do.
 */
import type { Dialect } from './connection-url.js';
import { databaseConfigSchema, openServiceDatabase } from './database-config.js';
import type { DatabaseLogger } from './database.js';
import { type Migrations, startDatabase } from './migrate.js';

/** Never used: the command has a database named (above). */
const NO_DEFAULT_FILE = 'unnamed.db';

/**
 * Migrates, logging `database ready` with what it applied; on failure logs `migration failed` with
 * the error and sets the process's exit code to 1.
 */
export async function runMigrateCommand(
  migrations: Migrations | ((dialect: Dialect) => Migrations),
  log: DatabaseLogger & { error(obj: object, msg: string): void },
  environment: NodeJS.ProcessEnv = process.env,
): Promise<void> {
  try {
    const config = databaseConfigSchema.parse(environment);
    // A service falls back to its own SQLite file; run by hand with a misspelt variable, this would
    // have migrated that file and said "database ready".
    if (!config.DATABASE_URL && !config.DB_SECRET) {
      throw new Error('name the database to migrate: DATABASE_URL (mysql://… or a SQLite file) or DB_SECRET; nothing was migrated');
    }
    const database = openServiceDatabase<unknown>(config, NO_DEFAULT_FILE, log);
    try {
      await startDatabase(database, typeof migrations === 'function' ? migrations(database.dialect) : migrations, log);
    } finally {
      await database.close();
    }
  } catch (error) {
    log.error({ err: error }, 'migration failed');
    process.exitCode = 1;
  }
}
