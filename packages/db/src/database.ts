/**
 * Opens a service's database: SQLite (WAL) by default, MySQL/MariaDB when configured. A missing
 * MySQL database is created (when the user may), and the first connection is retried with backoff
 * while the server is still starting.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, type LogEvent, MysqlDialect, sql, SqliteDialect } from 'kysely';
import { createConnection, createPool, type PoolOptions } from 'mysql2';
import type { DatabaseTarget, Dialect } from './connection-url.js';

export interface Database<T> {
  db: Kysely<T>;
  dialect: Dialect;
  /** A human label: the file or `host:port/name` (never the password). */
  label: string;
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
    async ping() {
      await sql`select 1`.execute(db);
    },
    async close() {
      await db.destroy();
    },
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

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
async function ensureMysqlDatabase(target: MysqlTarget, options: OpenOptions): Promise<void> {
  const deadline = Date.now() + (options.connectTimeoutMs ?? 60_000);
  for (let attempt = 1; ; attempt++) {
    try {
      const connection = createConnection(connectionOptions(target, options)).promise();
      try {
        await connection.query(`CREATE DATABASE IF NOT EXISTS \`${target.database}\` CHARACTER SET utf8mb4`);
      } finally {
        await connection.end().catch(() => undefined);
      }
      return;
    } catch (error) {
      const e = error as { code?: string; message: string };
      // Without CREATE rights the database must already exist; the pool will tell.
      if (e.code === 'ER_DBACCESS_DENIED_ERROR' || e.code === 'ER_ACCESS_DENIED_ERROR') return;
      if (Date.now() > deadline) throw error;
      const delay = Math.min(5_000, 200 * 2 ** attempt);
      options.log?.warn({ attempt, err: e.message, retryInMs: delay }, 'database not reachable yet');
      await sleep(delay);
    }
  }
}

async function openMysql<T>(target: MysqlTarget, options: OpenOptions): Promise<Database<T>> {
  await ensureMysqlDatabase(target, options);
  const pool = createPool({
    ...connectionOptions(target, options),
    database: target.database,
    connectionLimit: options.poolSize ?? 10,
    enableKeepAlive: true,
    timezone: 'Z',
    charset: 'utf8mb4',
  });
  const db = new Kysely<T>({
    dialect: new MysqlDialect({ pool }),
    log: slowQueryLogger(options.log, options.slowQueryMs ?? 200),
  });
  return {
    db,
    dialect: 'mysql',
    label: `${target.host}:${target.port}/${target.database}`,
    async ping() {
      await sql`select 1`.execute(db);
    },
    async close() {
      await db.destroy();
    },
  };
}

export async function openDatabase<T>(options: OpenOptions): Promise<Database<T>> {
  const database =
    options.target.dialect === 'sqlite'
      ? openSqlite<T>(options.target.file, options)
      : await openMysql<T>(options.target, options);
  options.log?.info({ dialect: database.dialect, database: database.label }, 'database open');
  return database;
}
