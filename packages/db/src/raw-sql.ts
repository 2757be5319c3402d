/**
 * Plain SQL with `?` placeholders inside a transaction, for the few hot paths where building each
 * statement with Kysely costs more than the database work itself. SQLite statements are prepared
 * once and reused. On MySQL a script of several statements travels in one round trip: a transaction
 * waiting on the network holds its locks meanwhile, so round trips, not SQL, bound such a path.
 */
import type BetterSqlite3 from 'better-sqlite3';
import type { Kysely } from 'kysely';
import type { ResultSetHeader } from 'mysql2';
import type { PoolConnection } from 'mysql2/promise';
import { type CheckedPool, checkedPromiseConnection } from './checked-pool.js';
import { beginWriteSql } from './dialect-sql.js';

export type SqlValue = string | number | bigint | null;

export interface SqlStatement {
  sql: string;
  params: readonly SqlValue[];
}

/** A statement's outcome: the rows of a query, or how many rows a change changed. */
export interface SqlResult {
  rows: unknown[];
  changes: number;
}

export interface RawSql {
  /** Runs the statements in order, stopping at the first error; one result each. */
  script(statements: readonly SqlStatement[]): Promise<SqlResult[]>;
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
    async script(list) {
      return list.map(({ sql, params }): SqlResult => {
        const statement = prepared(sql);
        return statement.reader ? { rows: statement.all(...params), changes: 0 } : { rows: [], changes: statement.run(...params).changes };
      });
    },
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

function toResult(result: unknown): SqlResult {
  return Array.isArray(result) ? { rows: result, changes: 0 } : { rows: [], changes: (result as ResultSetHeader).affectedRows };
}

/** The transaction begins with the first script, in the same round trip. */
function mysqlRaw(connection: PoolConnection, begin: string): RawSql {
  let begun = false;
  return {
    async script(list) {
      const all = begun ? list : [{ sql: begin, params: [] }, ...list];
      begun = true;
      const [results] = await connection.query(all.map((s) => s.sql).join(';\n'), all.flatMap((s) => s.params));
      // One statement answers with its result, several with a list of them.
      const each = all.length === 1 ? [results] : (results as unknown[]);
      return each.slice(all.length - list.length).map(toResult);
    },
  };
}

/** Errors of a COMMIT that may have committed all the same (see isCommitOutcomeUnknown). */
const commitOutcomeUnknown = new WeakSet<object>();

/** Marks `error` as a COMMIT's (the work before it was done): whether it committed is unknown. */
export function markCommitOutcomeUnknown(error: unknown): void {
  if (typeof error === 'object' && error !== null) commitOutcomeUnknown.add(error);
}

/**
 * True for the error of a COMMIT whose answer never came (the connection dropped after the
 * server got it): the transaction may have committed. Whoever told its client "nothing was done"
 * must make that true once the database is back (booking releases such holds), and whoever would
 * undo what it did must first find out whether it happened (booking does not refund such an order).
 */
export function isCommitOutcomeUnknown(error: unknown): boolean {
  return typeof error === 'object' && error !== null && commitOutcomeUnknown.has(error);
}

/**
 * `scriptPool` must allow several statements per query (`multipleStatements`); it is kept apart
 * from the pool Kysely uses, so that no other code path can ever send more than one statement.
 */
export function mysqlRawTransaction(scriptPool: CheckedPool): RawTransaction {
  const begin = beginWriteSql('mysql');
  return async (work) => {
    const connection = await checkedPromiseConnection(scriptPool);
    try {
      const result = await work(mysqlRaw(connection, begin));
      await connection.query('COMMIT').catch((error: unknown) => {
        markCommitOutcomeUnknown(error);
        throw error;
      });
      return result;
    } catch (error) {
      await connection.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      connection.release();
    }
  };
}
