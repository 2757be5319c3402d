/**
 * Plain SQL with `?` placeholders inside a transaction, for the few hot paths where building each
 * statement with Kysely costs more than the database work itself. SQLite statements are prepared
 * once and reused; MySQL statements go over one pooled connection, one round trip each.
 */
import type BetterSqlite3 from 'better-sqlite3';
import type { Kysely } from 'kysely';
import type { Pool, ResultSetHeader } from 'mysql2';
import type { PoolConnection } from 'mysql2/promise';
import { beginWriteSql } from './dialect-sql.js';

export type SqlValue = string | number | bigint | null;

export interface RawSql {
  /** Runs a statement that changes rows; how many it changed. */
  run(sql: string, params: readonly SqlValue[]): Promise<number>;
  /** Runs a query; its rows. */
  all<R>(sql: string, params: readonly SqlValue[]): Promise<R[]>;
}

/** Runs `work` in one transaction: committed when it returns, rolled back when it throws. */
export type RawTransaction = <T>(work: (sql: RawSql) => Promise<T>) => Promise<T>;

/** Statement texts are built from a bounded set of shapes; the bound only guards against a caller that is not. */
const MAX_CACHED_STATEMENTS = 1_000;

export function sqliteRawTransaction<D>(db: Kysely<D>, sqlite: BetterSqlite3.Database): RawTransaction {
  const statements = new Map<string, BetterSqlite3.Statement>();
  const prepared = (text: string) => {
    let statement = statements.get(text);
    if (!statement) {
      if (statements.size >= MAX_CACHED_STATEMENTS) statements.clear();
      statement = sqlite.prepare(text);
      statements.set(text, statement);
    }
    return statement;
  };
  const raw: RawSql = {
    run: async (text, params) => prepared(text).run(...params).changes,
    all: async <R>(text: string, params: readonly SqlValue[]) => prepared(text).all(...params) as R[],
  };
  const begin = beginWriteSql('sqlite');
  // Kysely's SQLite driver guards its single connection with a mutex that every query and every
  // Kysely transaction holds: holding it here means no other transaction is open on the connection
  // (better-sqlite3 would otherwise silently nest ours inside it), and none starts until we finish.
  return (work) =>
    db.connection().execute(async () => {
      prepared(begin).run();
      try {
        const result = await work(raw);
        prepared('COMMIT').run();
        return result;
      } catch (error) {
        if (sqlite.inTransaction) prepared('ROLLBACK').run();
        throw error;
      }
    });
}

function mysqlRaw(connection: PoolConnection): RawSql {
  return {
    async run(text, params) {
      const [result] = await connection.query<ResultSetHeader>(text, [...params]);
      return result.affectedRows;
    },
    async all<R>(text: string, params: readonly SqlValue[]) {
      const [rows] = await connection.query(text, [...params]);
      return rows as R[];
    },
  };
}

export function mysqlRawTransaction(pool: Pool): RawTransaction {
  const promisePool = pool.promise();
  const begin = beginWriteSql('mysql');
  return async (work) => {
    const connection = await promisePool.getConnection();
    try {
      await connection.query(begin);
      const result = await work(mysqlRaw(connection));
      await connection.query('COMMIT');
      return result;
    } catch (error) {
      await connection.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      connection.release();
    }
  };
}
