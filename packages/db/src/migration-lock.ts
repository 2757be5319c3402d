/**
 * Kysely's MySQL migration lock is one name (`GET_LOCK('ea586330-…')`) for the whole server. The
 * event and booking services each own a database on the same RDS instance, so one service's
 * migration held the other's start-up for its whole length (a long one past ECS's start period,
 * and the other's tasks were killed too). The lock here is named after the database: instances
 * of one service still migrate one at a time, two services never wait for each other. And a lock
 * not had within the hour is an error, where Kysely went on to migrate without it.
 */
import { createHash } from 'node:crypto';
import { type DialectAdapter, type Kysely, MysqlAdapter, MysqlDialect, type MysqlDialectConfig, sql } from 'kysely';

const LOCK_TIMEOUT_SECONDS = 60 * 60;

/** A lock name of at most 64 characters (MySQL's limit), whatever the database's name. */
export function migrationLockName(database: string): string {
  return `stream-seat-migrations:${createHash('sha256').update(database).digest('hex').slice(0, 32)}`;
}

class DatabaseMigrationLockAdapter extends MysqlAdapter {
  constructor(private readonly lockName: string) {
    super();
  }

  override async acquireMigrationLock(db: Kysely<unknown>): Promise<void> {
    const { rows } = await sql<{ acquired: number | null }>`select get_lock(${this.lockName}, ${LOCK_TIMEOUT_SECONDS}) as acquired`.execute(db);
    if (Number(rows[0]?.acquired) !== 1) {
      throw new Error(`could not take the migration lock ${this.lockName} within ${LOCK_TIMEOUT_SECONDS} s: another instance is still migrating`);
    }
  }

  override async releaseMigrationLock(db: Kysely<unknown>): Promise<void> {
    await sql`select release_lock(${this.lockName})`.execute(db);
  }
}

/** Kysely's MySQL dialect with the migration lock of `database` alone. */
export class DatabaseScopedMysqlDialect extends MysqlDialect {
  constructor(
    config: MysqlDialectConfig,
    private readonly database: string,
  ) {
    super(config);
  }

  override createAdapter(): DialectAdapter {
    return new DatabaseMigrationLockAdapter(migrationLockName(this.database));
  }
}
