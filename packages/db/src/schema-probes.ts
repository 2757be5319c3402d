/**
 * Whether a table, an index or a column exists: MySQL commits each DDL statement on its own, so a migration
 * of several steps skips those done by a start that stopped half-way.
 */
import type { Dialect } from './connection-url.js';
import { type Kysely, sql } from 'kysely';

export async function indexExists(db: Kysely<unknown>, dialect: Dialect, table: string, index: string): Promise<boolean> {
  const { rows } =
    dialect === 'mysql'
      ? await sql`SELECT 1 FROM information_schema.statistics WHERE table_schema = DATABASE() AND table_name = ${table} AND index_name = ${index} LIMIT 1`.execute(db)
      : await sql`SELECT 1 FROM sqlite_master WHERE type = 'index' AND tbl_name = ${table} AND name = ${index}`.execute(db);
  return rows.length > 0;
}

export async function tableExists(db: Kysely<unknown>, dialect: Dialect, table: string): Promise<boolean> {
  const { rows } =
    dialect === 'mysql'
      ? await sql`SELECT 1 FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = ${table} LIMIT 1`.execute(db)
      : await sql`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ${table}`.execute(db);
  return rows.length > 0;
}

export async function columnExists(db: Kysely<unknown>, dialect: Dialect, table: string, column: string): Promise<boolean> {
  const { rows } =
    dialect === 'mysql'
      ? await sql`SELECT 1 FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name = ${table} AND column_name = ${column} LIMIT 1`.execute(db)
      : await sql`SELECT 1 FROM pragma_table_info(${table}) WHERE name = ${column}`.execute(db);
  return rows.length > 0;
}
