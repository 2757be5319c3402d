/**
 * Text compared exactly — byte for byte, trailing spaces included — on MySQL as on SQLite.
 *
 * A MySQL or MariaDB database created with `CHARACTER SET utf8mb4` compares text by the server's
 * default collation: case-insensitive (`utf8mb4_general_ci`, `utf8mb4_0900_ai_ci`), and on
 * MariaDB blind to trailing spaces. Identities are text: a buyer `alice` (or `alice `) read
 * `Alice`'s orders and their tickets, replayed her Idempotency-Key's answer, and an organiser
 * listed another's drafts (a probe, on MariaDB). SQLite compares bytes (its BINARY collation).
 * This migration converts every table of the service's database, and the database's default for
 * tables to come, to the server's exact collation: NO PAD, so that trailing spaces count too
 * (`utf8mb4_bin` pads).
 *
 * MariaDB changes no column a foreign key uses, whatever `foreign_key_checks` says: the keys are
 * dropped for the conversion and made again after it. They are declared by the caller, not only
 * read from the database, so that a start that stopped in between makes them again on its next
 * run; a key the caller did not declare stops the migration before it changes anything. Before the
 * keys are dropped, references that match their target only case-insensitively (accepted until
 * now) are rewritten to the target's exact text, so that the keys hold once comparisons are exact.
 *
 * Re-runnable: a table already converted is skipped, and a declared key that is missing is made
 * (MySQL commits each ALTER on its own). `CONVERT TO` copies each table, holding writes to it
 * meanwhile: on a large table, run it in a maintenance window (see the README).
 */
import { type Kysely, type Migration, sql } from 'kysely';
import type { Dialect } from './connection-url.js';

/** A single-column foreign key, as the service's schema has it. */
export interface DeclaredForeignKey {
  table: string;
  column: string;
  references: { table: string; column: string };
  /** As the key was made (RESTRICT, MySQL's default, when not given). */
  onDelete?: 'CASCADE' | 'RESTRICT' | 'SET NULL' | 'NO ACTION';
}

interface PresentForeignKey {
  name: string;
  table: string;
  column: string;
  referencedTable: string;
  referencedColumn: string;
}

/** The exact collation of utf8mb4 on this server: MariaDB's `utf8mb4_nopad_bin`, MySQL 8's `utf8mb4_0900_bin`. */
export async function exactCollation(db: Kysely<unknown>): Promise<string> {
  const { rows } = await sql<{ version: string }>`SELECT VERSION() AS version`.execute(db);
  return /mariadb/i.test(rows[0]?.version ?? '') ? 'utf8mb4_nopad_bin' : 'utf8mb4_0900_bin';
}

const sameKey = (declared: DeclaredForeignKey, present: PresentForeignKey) =>
  declared.table === present.table &&
  declared.column === present.column &&
  declared.references.table === present.referencedTable &&
  declared.references.column === present.referencedColumn;

export function exactTextMigration(dialect: Dialect, declaredKeys: readonly DeclaredForeignKey[] = []): Migration {
  return {
    async up(db: Kysely<unknown>) {
      if (dialect !== 'mysql') return;
      // One connection throughout: the session's statements in order, on one schema.
      await db.connection().execute(async (conn) => {
        const collation = await exactCollation(conn);
        const present = await foreignKeys(conn);
        const undeclared = present.filter((key) => !declaredKeys.some((declared) => sameKey(declared, key)));
        if (undeclared.length > 0) {
          throw new Error(`exact-text migration: foreign keys not declared to it, which it would drop and not make again: ${undeclared.map((k) => `${k.table}.${k.column}`).join(', ')}`);
        }
        const { rows: schema } = await sql<{ name: string }>`SELECT DATABASE() AS name`.execute(conn);
        await sql`ALTER DATABASE ${sql.id(String(schema[0]?.name))} CHARACTER SET utf8mb4 COLLATE ${sql.raw(collation)}`.execute(conn);
        const { rows: tables } = await sql<{ name: string; collation: string | null }>`
          SELECT table_name AS name, table_collation AS collation FROM information_schema.tables
          WHERE table_schema = DATABASE() AND table_type = 'BASE TABLE' AND table_name NOT LIKE 'kysely\_migration%'`.execute(conn);
        const toConvert = tables.filter((table) => table.collation !== collation);
        if (toConvert.length > 0) {
          for (const key of declaredKeys) {
            // Still compared as before: a reference that matched only by case (or trailing
            // spaces) takes its target's exact text.
            await sql`UPDATE ${sql.table(key.table)} JOIN ${sql.table(key.references.table)}
              ON ${sql.ref(`${key.table}.${key.column}`)} = ${sql.ref(`${key.references.table}.${key.references.column}`)}
              SET ${sql.ref(`${key.table}.${key.column}`)} = ${sql.ref(`${key.references.table}.${key.references.column}`)}
              WHERE BINARY ${sql.ref(`${key.table}.${key.column}`)} <> BINARY ${sql.ref(`${key.references.table}.${key.references.column}`)}`.execute(conn);
          }
          for (const key of present) await sql`ALTER TABLE ${sql.table(key.table)} DROP FOREIGN KEY ${sql.id(key.name)}`.execute(conn);
          for (const table of toConvert) {
            await sql`ALTER TABLE ${sql.table(table.name)} CONVERT TO CHARACTER SET utf8mb4 COLLATE ${sql.raw(collation)}`.execute(conn);
          }
        }
        // Every declared key that is not there (dropped above, or by a run that stopped) is made.
        const now = await foreignKeys(conn);
        for (const key of declaredKeys) {
          if (now.some((existing) => sameKey(key, existing))) continue;
          const name = present.find((existing) => sameKey(key, existing))?.name ?? `${key.table}_${key.column}_fk`;
          await sql`ALTER TABLE ${sql.table(key.table)} ADD CONSTRAINT ${sql.id(name)} FOREIGN KEY (${sql.id(key.column)})
            REFERENCES ${sql.table(key.references.table)} (${sql.id(key.references.column)}) ON DELETE ${sql.raw(key.onDelete ?? 'RESTRICT')}`.execute(conn);
        }
      });
    },
  };
}

/** The foreign keys of this schema's tables (to tables of any schema: one elsewhere is never declared). */
async function foreignKeys(db: Kysely<unknown>): Promise<PresentForeignKey[]> {
  const { rows } = await sql<{ name: string; tbl: string; col: string; ref_schema: string; ref_tbl: string; ref_col: string; columns: number | string }>`
    SELECT k.constraint_name AS name, k.table_name AS tbl, k.column_name AS col, k.referenced_table_schema AS ref_schema,
           k.referenced_table_name AS ref_tbl, k.referenced_column_name AS ref_col,
           (SELECT COUNT(*) FROM information_schema.key_column_usage c
             WHERE c.constraint_schema = k.constraint_schema AND c.table_name = k.table_name AND c.constraint_name = k.constraint_name) AS columns
    FROM information_schema.key_column_usage k
    WHERE k.table_schema = DATABASE() AND k.referenced_table_name IS NOT NULL
    ORDER BY k.table_name, k.constraint_name, k.ordinal_position`.execute(db);
  const { rows: schema } = await sql<{ name: string }>`SELECT DATABASE() AS name`.execute(db);
  return rows.map((row) => ({
    name: row.name,
    table: row.tbl,
    // A key of several columns, or to another schema, matches no declared key: it is refused.
    column: Number(row.columns) === 1 ? row.col : `${row.col} (one of ${row.columns} columns)`,
    referencedTable: row.ref_schema === schema[0]?.name ? row.ref_tbl : `${row.ref_schema}.${row.ref_tbl}`,
    referencedColumn: row.ref_col,
  }));
}
