/** Every piece of SQL that differs between SQLite and MySQL/MariaDB lives here. */
import { sql } from 'kysely';
import type { Dialect } from './connection-url.js';

/** Column types by purpose: MySQL's TEXT stops at 64 KiB, too small for a seat map. */
export function columnTypes(dialect: Dialect) {
  return {
    largeText: sql.raw(dialect === 'mysql' ? 'longtext' : 'text'),
    largeBinary: sql.raw(dialect === 'mysql' ? 'longblob' : 'blob'),
  };
}

/** MySQL error numbers and SQLite codes meaning "this key exists already". */
export function isDuplicateKey(error: unknown): boolean {
  const e = error as { code?: string; errno?: number };
  return (
    e.code === 'ER_DUP_ENTRY' ||
    e.errno === 1062 ||
    e.code === 'SQLITE_CONSTRAINT_PRIMARYKEY' ||
    e.code === 'SQLITE_CONSTRAINT_UNIQUE'
  );
}

const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENOTFOUND',
  'PROTOCOL_CONNECTION_LOST',
  'PROTOCOL_SEQUENCE_TIMEOUT',
  'ER_CON_COUNT_ERROR',
  'ER_SERVER_SHUTDOWN',
  'ER_STATEMENT_TIMEOUT',
  'ER_QUERY_TIMEOUT',
]);

/** Server error numbers: MariaDB's and MySQL's statement time limits. */
const UNAVAILABLE_ERRNOS = new Set([1969, 3024]);

/**
 * True when the database cannot answer now (as opposed to a bad query): a 503, not a 500. Locks
 * held by other transactions are {@link isContention}, not this.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  if (!error || typeof error !== 'object') return false;
  const e = error as { code?: string; errno?: number; fatal?: boolean; message?: string };
  if (e.code && UNAVAILABLE_CODES.has(e.code)) return true;
  if (e.errno !== undefined && UNAVAILABLE_ERRNOS.has(e.errno)) return true;
  if (e.fatal === true) return true;
  return /Pool is closed|connect ETIMEDOUT|Connection lost|timed out waiting for a connection/i.test(e.message ?? '');
}

/** True when the server refused the credentials (MariaDB says 1698 for a user it knows by another plugin): no retry mends that. */
export function isCredentialsRefused(error: unknown): boolean {
  const code = (error as { code?: string } | undefined)?.code;
  return code === 'ER_ACCESS_DENIED_ERROR' || code === 'ER_ACCESS_DENIED_NO_PASSWORD_ERROR';
}

/**
 * True when other transactions' locks stopped this one: a deadlock, a row-lock wait past
 * `innodb_lock_wait_timeout`, SQLite's write lock held past `busy_timeout`. The database is well;
 * the rows are in demand (many buyers at one event's seats), and the caller may try again.
 */
export function isContention(error: unknown): boolean {
  if (isRetryableConflict(error)) return true;
  const e = error as { code?: string; errno?: number };
  return e.code === 'ER_LOCK_WAIT_TIMEOUT' || e.errno === 1205 || e.code === 'SQLITE_BUSY';
}

/**
 * True when the database aborted the transaction at once for a conflict that a new run does not
 * meet again: an InnoDB deadlock, or SQLite's snapshot gone stale under another connection's
 * commit (a reader that cannot become a writer). Not SQLite's plain busy: it has already waited
 * `busy_timeout` for the write lock, and running again would wait that long once more (five
 * runs had kept a caller 25 s).
 */
export function isRetryableConflict(error: unknown): boolean {
  const e = error as { code?: string; errno?: number };
  return e.code === 'ER_LOCK_DEADLOCK' || e.errno === 1213 || e.code === 'SQLITE_BUSY_SNAPSHOT';
}

/** The session settings without a statement bound, InnoDB's own row-lock wait (50 s) and the server's metadata-lock wait. */
export function unboundedSessionSql(serverVersion: string): string {
  return /mariadb/i.test(serverVersion)
    ? 'SET SESSION max_statement_time = 0, innodb_lock_wait_timeout = 50, lock_wait_timeout = DEFAULT'
    : 'SET SESSION max_execution_time = 0, innodb_lock_wait_timeout = 50, lock_wait_timeout = DEFAULT';
}

/**
 * The session settings that bound statement time: MariaDB's `max_statement_time` (seconds, every
 * statement) or MySQL's `max_execution_time` (milliseconds, SELECTs only) — and, on both, the
 * InnoDB row-lock wait (50 s by default), which MySQL's does not cover: a write queued behind
 * another transaction's lock gives up within the same time (whole seconds, at least 1). None for 0.
 */
function statementTimeoutSettings(serverVersion: string, timeoutMs: number): string[] {
  if (timeoutMs <= 0) return [];
  // Below the statement bound, so that a wait for a lock ends as a lock wait (1205: contention,
  // which the caller may retry and the gateway does not hold against the instance) rather than
  // as MariaDB's statement timeout (1969), which would win a tie.
  // The same for a table's metadata lock (lock_wait_timeout: a year by default), which a migration's
  // ALTER holds while it copies the table: a write of an older instance waits that long, not forever.
  const seconds = Math.max(1, Math.ceil(timeoutMs / 1000) - 1);
  const lockWaits = [`innodb_lock_wait_timeout = ${seconds}`, `lock_wait_timeout = ${seconds}`];
  return /mariadb/i.test(serverVersion) ? [`max_statement_time = ${(timeoutMs / 1000).toFixed(3)}`, ...lockWaits] : [`max_execution_time = ${Math.round(timeoutMs)}`, ...lockWaits];
}

/**
 * The server closes a connection that has sent nothing for this long (`wait_timeout`, whole
 * seconds, at least 1; the same on MySQL and MariaDB), and rolls back the transaction it had open.
 * That is what ends a transaction whose client froze or whose link went dark mid-way: its row
 * locks (an event's inventory row: every sale of that event) would otherwise stand until TCP gave
 * up on the connection, many minutes later. None for 0 (the server's own, 8 hours by default).
 */
function idleSessionSettings(idleTimeoutMs: number): string[] {
  return idleTimeoutMs > 0 ? [`wait_timeout = ${Math.max(1, Math.ceil(idleTimeoutMs / 1000))}`] : [];
}

export interface SessionBounds {
  /** Statement time and row-lock waits; 0 = none. */
  queryTimeoutMs: number;
  /** Silence after which the server closes the connection; 0 = the server's own. */
  idleTimeoutMs: number;
}

/** What every new connection runs first, in the server flavour's own words; undefined for nothing. */
export function sessionSetupSql(serverVersion: string, bounds: SessionBounds): string | undefined {
  const settings = [...statementTimeoutSettings(serverVersion, bounds.queryTimeoutMs), ...idleSessionSettings(bounds.idleTimeoutMs)];
  return settings.length > 0 ? `SET SESSION ${settings.join(', ')}` : undefined;
}

/**
 * Starts a transaction that will write. SQLite takes its write lock at once: a deferred BEGIN
 * that reads first may fail to upgrade to a writer under WAL when another connection wrote meanwhile.
 */
export function beginWriteSql(dialect: Dialect): string {
  return dialect === 'sqlite' ? 'BEGIN IMMEDIATE' : 'START TRANSACTION';
}

/** Appended to a SELECT that must lock its rows until commit; SQLite's write lock already covers the whole database. */
export function lockingReadSql(dialect: Dialect): string {
  return dialect === 'mysql' ? ' FOR UPDATE' : '';
}
