/**
 * The SQL that gives each service its own MySQL user, with the few privileges it uses on its own
 * database (SERVICE_PRIVILEGES) and none elsewhere.
 */

/** What provisioning needs of a mysql2 connection (`mysql2/promise`'s Connection or Pool). */
export interface SqlConnection {
  query(sql: string, values: string[]): Promise<unknown>;
}

export interface ServiceUser {
  readonly username: string;
  readonly password: string;
  /** The one database this user may use (the service's DATABASE_NAME). */
  readonly database: string;
  /**
   * The user has this password already (its secret was provisioned before): not set again, which
   * with `retainCurrentPassword` would also replace the password kept for the previous secret.
   */
  readonly passwordUnchanged?: boolean;
}

export interface ProvisionOptions {
  /** `REQUIRE SSL` on the user: on for RDS (the services connect with DATABASE_TLS=rds), off for a local server without TLS. */
  readonly requireTls: boolean;
  /** The connection's own user (the master): never altered, whatever a service secret says. */
  readonly adminUsername?: string;
  /**
   * A changed password keeps the one it replaces valid too (MySQL's dual passwords, 8.0.14 on;
   * MariaDB has none): the tasks still holding the old secret reconnect — and tasks a rollback
   * brings back — until the next change. Without it, bumping databaseUserGeneration refused the
   * old tasks' new connections before ECS had replaced them.
   */
  readonly retainCurrentPassword?: boolean;
}

/** Whether the server `VERSION()` names keeps a retained password (MySQL 8.0.14 and later, not MariaDB). */
export function hasDualPasswords(version: string | undefined): boolean {
  if (!version || /mariadb/i.test(version)) return false;
  const [major = 0, minor = 0, patch = 0] = version.split(/[.-]/).map(Number);
  return major > 8 || (major === 8 && (minor > 0 || patch >= 14));
}

/**
 * What a service does with its database, and nothing more. At run time it reads and writes rows
 * (SELECT ... FOR UPDATE needs SELECT and UPDATE). At start-up it runs its own Kysely migrations
 * (services/<name>/src/db/migrations and Kysely's kysely_migration and kysely_migration_lock):
 * - CREATE: CREATE TABLE (migrations and Kysely's two tables), and the start-up's
 *   CREATE DATABASE IF NOT EXISTS of its own database;
 * - ALTER: ALTER TABLE ... ADD COLUMN (event 002 and 003, booking 005);
 * - INDEX: CREATE INDEX and DROP INDEX (booking 004), which need INDEX, not ALTER or DROP;
 * - REFERENCES: event 001 declares events.venue_id REFERENCES venues(id). MySQL 8.4 parses and
 *   ignores a column's inline REFERENCES, but MySQL 9 and MariaDB create the foreign key, and
 *   MySQL then requires REFERENCES on the parent table.
 * No migration drops a table, so DROP is left out: on a database-level grant it would also allow
 * DROP DATABASE and TRUNCATE. Kysely's migration lock is GET_LOCK, which needs no privilege.
 */
export const SERVICE_PRIVILEGES = ['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'CREATE', 'ALTER', 'INDEX', 'REFERENCES'] as const;

/** The services' own rule for DATABASE_NAME (packages/db), and MySQL's 32-character user names. */
const DATABASE_NAME = /^[A-Za-z0-9_]{1,64}$/;
const USERNAME = /^[A-Za-z0-9_]{1,32}$/;

/**
 * In `GRANT ... ON db.*`, `_` and `%` are wildcards: `stream_seat_events` would also match
 * `streamXseatXevents`. Escaped, the grant names exactly one database.
 */
export function grantDatabasePattern(database: string): string {
  return database.replace(/[_%]/g, (c) => `\\${c}`);
}

interface Statement {
  readonly step: string;
  readonly sql: string;
  readonly values: string[];
}

/**
 * Idempotent, in order: the database (as the service's own start-up creates it), the user, its
 * password and TLS requirement (ALTER applies a replaced password to an existing user), then its
 * privileges: GRANT only adds, so everything the user holds is revoked first (an earlier release
 * granted ALL PRIVILEGES), leaving exactly SERVICE_PRIVILEGES on its database.
 * Identifiers are checked against strict patterns; the user name and password travel as escaped
 * values, never spliced into the text.
 */
export function provisioningStatements(user: ServiceUser, options: ProvisionOptions): Statement[] {
  if (!DATABASE_NAME.test(user.database)) throw new Error(`database name "${user.database}" must match ${DATABASE_NAME}`);
  if (!USERNAME.test(user.username)) throw new Error(`user name "${user.username}" must match ${USERNAME}`);
  if (!user.password) throw new Error(`the secret of ${user.username} has no password`);
  const tls = options.requireTls ? 'REQUIRE SSL' : 'REQUIRE NONE';
  return [
    { step: 'create database', sql: `CREATE DATABASE IF NOT EXISTS \`${user.database}\` CHARACTER SET utf8mb4`, values: [] },
    { step: 'create user', sql: `CREATE USER IF NOT EXISTS ?@'%' IDENTIFIED BY ? ${tls}`, values: [user.username, user.password] },
    user.passwordUnchanged
      ? { step: 'set tls', sql: `ALTER USER ?@'%' ${tls}`, values: [user.username] }
      : { step: 'set password', sql: `ALTER USER ?@'%' IDENTIFIED BY ?${options.retainCurrentPassword ? ' RETAIN CURRENT PASSWORD' : ''} ${tls}`, values: [user.username, user.password] },
    // This form drops every privilege of the user, at every level, and does not fail on a user
    // that holds none. Only a connection opened between it and the GRANT is refused: an open
    // session keeps its database privileges until it reconnects or runs USE (MySQL manual, "When
    // Privilege Changes Take Effect"), so running tasks are not cut off during a deploy.
    { step: 'revoke', sql: `REVOKE ALL PRIVILEGES, GRANT OPTION FROM ?@'%'`, values: [user.username] },
    {
      step: 'grant',
      sql: `GRANT ${SERVICE_PRIVILEGES.join(', ')} ON \`${grantDatabasePattern(user.database)}\`.* TO ?@'%'`,
      values: [user.username],
    },
  ];
}

/**
 * A failed statement, described without its text: mysql2 errors carry the SQL (password
 * included) in `sql`, and a server message may quote it.
 */
export class ProvisioningError extends Error {
  readonly code: string | undefined;

  constructor(step: string, user: ServiceUser, cause: unknown) {
    const e = (cause ?? {}) as { code?: string; sqlMessage?: string; message?: string };
    const detail = (e.sqlMessage ?? e.message ?? String(cause)).split(user.password).join('***');
    super(`${step} for ${user.username} on ${user.database} failed: ${e.code ?? 'error'}: ${detail}`);
    this.name = 'ProvisioningError';
    this.code = e.code;
  }
}

async function serverVersion(connection: SqlConnection): Promise<string | undefined> {
  const [rows] = ((await connection.query('SELECT VERSION() AS version', [])) ?? []) as [Array<{ version?: unknown }>?];
  const version = rows?.[0]?.version;
  return typeof version === 'string' ? version : undefined;
}

/** Creates or updates every service user; safe to run any number of times. Drops nothing; revokes only to re-grant the list. */
export async function provisionServiceUsers(
  connection: SqlConnection,
  users: readonly ServiceUser[],
  options: ProvisionOptions,
): Promise<void> {
  const names = users.map((u) => u.username.toLowerCase());
  if (new Set(names).size !== names.length) throw new Error(`two services share a user name: ${names.join(', ')}`);
  const admin = options.adminUsername?.toLowerCase();
  if (admin !== undefined && names.includes(admin)) throw new Error(`a service user may not be the admin user ${options.adminUsername}`);
  // Check every user before changing any.
  const retain = options.retainCurrentPassword ?? hasDualPasswords(await serverVersion(connection));
  const plans = users.map((user) => ({ user, statements: provisioningStatements(user, { ...options, retainCurrentPassword: retain }) }));
  for (const { user, statements } of plans) {
    for (const statement of statements) {
      try {
        await connection.query(statement.sql, statement.values);
      } catch (error) {
        throw new ProvisioningError(statement.step, user, error);
      }
    }
  }
}
