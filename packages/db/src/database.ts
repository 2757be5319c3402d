/**
 * A service's database: SQLite (WAL) by default, MySQL/MariaDB when configured. Opening does no
 * I/O on MySQL (the pool connects lazily); `prepare()` creates a missing database (when the user
 * may) and retries the first connection with backoff while the server is still starting.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import SQLite from 'better-sqlite3';
import { Kysely, type LogEvent, sql, SqliteDialect } from 'kysely';
import { createConnection, createPool, type PoolOptions } from 'mysql2';
import { checkedPool } from './checked-pool.js';
import type { DatabaseTarget, Dialect } from './connection-url.js';
import { isCredentialsRefused, sessionSetupSql, unboundedSessionSql } from './dialect-sql.js';
import { DatabaseScopedMysqlDialect } from './migration-lock.js';
import { mysqlRawTransaction, type RawTransaction, sqliteRawTransaction } from './raw-sql.js';

export interface Database<T> {
  db: Kysely<T>;
  dialect: Dialect;
  /** A human label: the file or `host:port/name` (never the password). */
  label: string;
  /** A transaction of plain SQL statements, for hot paths (see raw-sql.ts). */
  rawTransaction: RawTransaction;
  /** Creates the database if missing and waits until it answers (bounded). */
  prepare(log?: DatabaseLogger): Promise<void>;
  /**
   * Runs `work` on one connection without the statement time limit (migrations: building an index
   * on a large table takes longer than any request may, and Kysely's migration lock waits for the
   * instance that holds it); the limit is set again before the connection goes back to the pool.
   */
  unbounded<R>(work: (db: Kysely<T>) => Promise<R>): Promise<R>;
  ping(): Promise<void>;
  close(): Promise<void>;
}

export interface DatabaseLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export interface OpenOptions {
  target: DatabaseTarget;
  log?: DatabaseLogger;
  /** MySQL pool size. */
  poolSize?: number;
  /** `rds`: TLS with the Amazon RDS certificate bundle. */
  tls?: 'rds' | undefined;
  /** Queries slower than this are logged. */
  slowQueryMs?: number;
  /** How long to keep retrying the first connection. */
  connectTimeoutMs?: number;
  /** Server-side statement time limit (MySQL/MariaDB); 0 = none. */
  queryTimeoutMs?: number;
  /**
   * MySQL/MariaDB: the server closes a connection silent this long, rolling back its transaction
   * (a frozen client's locks end then); mysql2's pool drops a connection the server closed. 0 = the server's own.
   */
  idleTimeoutMs?: number;
}

function slowQueryLogger(log: DatabaseLogger | undefined, slowQueryMs: number) {
  return (event: LogEvent) => {
    if (event.level === 'query' && event.queryDurationMillis >= slowQueryMs) {
      log?.warn({ sql: event.query.sql, ms: Math.round(event.queryDurationMillis) }, 'slow query');
    }
  };
}

function openSqlite<T>(file: string, options: OpenOptions): Database<T> {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const sqlite = new SQLite(file);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('busy_timeout = 5000');
  sqlite.pragma('foreign_keys = ON');
  const db = new Kysely<T>({
    dialect: new SqliteDialect({ database: sqlite }),
    log: slowQueryLogger(options.log, options.slowQueryMs ?? 200),
  });
  return {
    db,
    dialect: 'sqlite',
    label: file,
    rawTransaction: sqliteRawTransaction(db, sqlite),
    async prepare() {
      await sql`select 1`.execute(db);
    },
    unbounded: (work) => work(db),
    async ping() {
      await sql`select 1`.execute(db);
    },
    async close() {
      await db.destroy();
    },
  };
}

type MysqlTarget = Extract<DatabaseTarget, { dialect: 'mysql' }>;

function connectionOptions(target: MysqlTarget, options: OpenOptions): PoolOptions {
  return {
    host: target.host,
    port: target.port,
    user: target.user,
    password: target.password,
    connectTimeout: 5_000,
    ...(options.tls === 'rds' ? { ssl: 'Amazon RDS' } : {}),
  };
}

/** CREATE DATABASE IF NOT EXISTS, retried with backoff while the server starts. */
async function ensureMysqlDatabase(target: MysqlTarget, options: OpenOptions, log?: DatabaseLogger): Promise<string> {
  const deadline = Date.now() + (options.connectTimeoutMs ?? 60_000);
  for (let attempt = 1; ; attempt++) {
    try {
      const connection = createConnection(connectionOptions(target, options)).promise();
      let answered = false;
      try {
        await connection.query(`CREATE DATABASE IF NOT EXISTS \`${target.database}\` CHARACTER SET utf8mb4`);
        const [rows] = await connection.query('SELECT VERSION() AS version');
        answered = true;
        return String((rows as Array<{ version: string }>)[0]?.version ?? '');
      } finally {
        // After a failed handshake (wrong credentials) mysql2's end() never settles: a service had
        // hung at start for good, silently. A connection that failed is destroyed instead.
        if (answered) await connection.end().catch(() => undefined);
        else connection.destroy();
      }
    } catch (error) {
      const e = error as { code?: string; message: string };
      // Without CREATE rights the database must already exist; the pool will tell.
      if (e.code === 'ER_DBACCESS_DENIED_ERROR') return '';
      if (Date.now() > deadline || isCredentialsRefused(error)) throw error;
      const delay = Math.min(5_000, 200 * 2 ** attempt);
      log?.warn({ attempt, reason: e.message, retryInMs: delay }, 'database not reachable yet');
      await sleep(delay);
    }
  }
}

function openMysql<T>(target: MysqlTarget, options: OpenOptions): Database<T> {
  let sessionSetup: string | undefined;
  let serverVersion = '';
  const idleTimeoutMs = options.idleTimeoutMs ?? 0;
  const poolOptions: PoolOptions = {
    ...connectionOptions(target, options),
    database: target.database,
    connectionLimit: options.poolSize ?? 10,
    enableKeepAlive: true,
    timezone: 'Z',
    charset: 'utf8mb4',
  };
  const pool = createPool(poolOptions);
  // Raw transactions send several statements per round trip (see raw-sql.ts); only they use this
  // pool, which connects lazily, so services without such a path never open a connection of it.
  const scriptPool = createPool({ ...poolOptions, multipleStatements: true });
  // Every new connection gets the statement and idle bounds, in the server flavour's own words.
  for (const p of [pool, scriptPool]) {
    p.on('connection', (connection) => {
      if (sessionSetup) connection.query(sessionSetup);
    });
  }
  const db = new Kysely<T>({
    dialect: new DatabaseScopedMysqlDialect({ pool: checkedPool(pool) }, target.database),
    log: slowQueryLogger(options.log, options.slowQueryMs ?? 200),
  });
  return {
    db,
    dialect: 'mysql',
    label: `${target.host}:${target.port}/${target.database}`,
    rawTransaction: mysqlRawTransaction(checkedPool(scriptPool)),
    async prepare(log) {
      const version = await ensureMysqlDatabase(target, options, log ?? options.log);
      serverVersion = version;
      sessionSetup = sessionSetupSql(version, { queryTimeoutMs: options.queryTimeoutMs ?? 0, idleTimeoutMs });
      await sql`select 1`.execute(db);
    },
    unbounded(work) {
      return db.connection().execute(async (connection) => {
        if (!sessionSetup) return work(connection);
        await sql.raw(unboundedSessionSql(serverVersion)).execute(connection);
        try {
          return await work(connection);
        } finally {
          await sql.raw(sessionSetup).execute(connection);
        }
      });
    },
    async ping() {
      await sql`select 1`.execute(db);
    },
    async close() {
      await db.destroy();
      await scriptPool.promise().end();
    },
  };
}

export function openDatabase<T>(options: OpenOptions): Database<T> {
  return options.target.dialect === 'sqlite'
    ? openSqlite<T>(options.target.file, options)
    : openMysql<T>(options.target, options);
}
