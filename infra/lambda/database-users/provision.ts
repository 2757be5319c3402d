/** The SQL that gives each service its own MySQL user, with every privilege on its own database and none elsewhere. */

/** What provisioning needs of a mysql2 connection (`mysql2/promise`'s Connection or Pool). */
export interface SqlConnection {
  query(sql: string, values: string[]): Promise<unknown>;
}

export interface ServiceUser {
  readonly username: string;
  readonly password: string;
  /** The one database this user may use (the service's DATABASE_NAME). */
  readonly database: string;
}

export interface ProvisionOptions {
  /** `REQUIRE SSL` on the user: on for RDS (the services connect with DATABASE_TLS=rds), off for a local server without TLS. */
  readonly requireTls: boolean;
  /** The connection's own user (the master): never altered, whatever a service secret says. */
  readonly adminUsername?: string;
}

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
 * password and TLS requirement (ALTER applies a replaced password to an existing user), its grant.
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
    { step: 'set password', sql: `ALTER USER ?@'%' IDENTIFIED BY ? ${tls}`, values: [user.username, user.password] },
    {
      step: 'grant',
      sql: `GRANT ALL PRIVILEGES ON \`${grantDatabasePattern(user.database)}\`.* TO ?@'%'`,
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

/** Creates or updates every service user; safe to run any number of times. Drops and revokes nothing. */
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
  const plans = users.map((user) => ({ user, statements: provisioningStatements(user, options) }));
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
