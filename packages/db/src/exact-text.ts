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
 * Re-runnable: a table already converted is skipped (MySQL commits each ALTER on its own). A
 * start that stops between dropping a foreign key and making it again leaves it dropped (the
 * services' only one is the event service's events → venues).
 */
import { type Kysely, type Migration, sql } from 'kysely';
import type { Dialect } from './connection-url.js';

/** The exact collation of utf8mb4 on this server: MariaDB's `utf8mb4_nopad_bin`, MySQL 8's `utf8mb4_0900_bin`. */
export async function exactCollation(db: Kysely<unknown>): Promise<string> {
  const { rows } = await sql<{ version: string }>`SELECT VERSION() AS version`.execute(db);
  return /mariadb/i.test(rows[0]?.version ?? '') ? 'utf8mb4_nopad_bin' : 'utf8mb4_0900_bin';
}

export function exactTextMigration(dialect: Dialect): Migration {
  return {
    async up(db: Kysely<unknown>) {
      if (dialect !== 'mysql') return;
      // One connection throughout: foreign-key checks are off for it alone, while a key's two
      // columns are converted one table at a time (they differ in between).
      await db.connection().execute(async (conn) => {
        const collation = await exactCollation(conn);
        const { rows: schema } = await sql<{ name: string }>`SELECT DATABASE() AS name`.execute(conn);
        await sql`ALTER DATABASE ${sql.id(String(schema[0]?.name))} CHARACTER SET utf8mb4 COLLATE ${sql.raw(collation)}`.execute(conn);
        const { rows: tables } = await sql<{ name: string; collation: string | null }>`
          SELECT table_name AS name, table_collation AS collation FROM information_schema.tables
          WHERE table_schema = DATABASE() AND table_type = 'BASE TABLE' AND table_name NOT LIKE 'kysely\_migration%'`.execute(conn);
        // MariaDB changes no column a foreign key uses, whatever foreign_key_checks says: the keys
        // are dropped, and made again once both sides are converted.
        const keys = await foreignKeys(conn);
        for (const key of keys) await sql`ALTER TABLE ${sql.table(key.table)} DROP FOREIGN KEY ${sql.id(key.name)}`.execute(conn);
        for (const table of tables) {
          if (table.collation === collation) continue;
          await sql`ALTER TABLE ${sql.table(table.name)} CONVERT TO CHARACTER SET utf8mb4 COLLATE ${sql.raw(collation)}`.execute(conn);
        }
        for (const key of keys) {
          await sql`ALTER TABLE ${sql.table(key.table)} ADD CONSTRAINT ${sql.id(key.name)} FOREIGN KEY (${sql.join(key.columns.map((c) => sql.id(c)))})
            REFERENCES ${sql.table(key.referencedTable)} (${sql.join(key.referencedColumns.map((c) => sql.id(c)))})
            ON DELETE ${sql.raw(referentialAction(key.onDelete))} ON UPDATE ${sql.raw(referentialAction(key.onUpdate))}`.execute(conn);
        }
      });
    },
  };
}

interface ForeignKey {
  name: string;
  table: string;
  columns: string[];
  referencedTable: string;
  referencedColumns: string[];
  onDelete: string;
  onUpdate: string;
}

async function foreignKeys(db: Kysely<unknown>): Promise<ForeignKey[]> {
  const { rows } = await sql<{ name: string; tbl: string; col: string; ref_tbl: string; ref_col: string; on_delete: string; on_update: string }>`
    SELECT k.constraint_name AS name, k.table_name AS tbl, k.column_name AS col, k.referenced_table_name AS ref_tbl,
           k.referenced_column_name AS ref_col, r.delete_rule AS on_delete, r.update_rule AS on_update
    FROM information_schema.key_column_usage k
    JOIN information_schema.referential_constraints r
      ON r.constraint_schema = k.constraint_schema AND r.constraint_name = k.constraint_name AND r.table_name = k.table_name
    WHERE k.table_schema = DATABASE() AND k.referenced_table_name IS NOT NULL
    ORDER BY k.table_name, k.constraint_name, k.ordinal_position`.execute(db);
  const keys = new Map<string, ForeignKey>();
  for (const row of rows) {
    const id = `${row.tbl}\n${row.name}`;
    let key = keys.get(id);
    if (!key) {
      key = { name: row.name, table: row.tbl, columns: [], referencedTable: row.ref_tbl, referencedColumns: [], onDelete: row.on_delete, onUpdate: row.on_update };
      keys.set(id, key);
    }
    key.columns.push(row.col);
    key.referencedColumns.push(row.ref_col);
  }
  return [...keys.values()];
}

const REFERENTIAL_ACTIONS = new Set(['RESTRICT', 'CASCADE', 'SET NULL', 'NO ACTION', 'SET DEFAULT']);

/** The rule as information_schema names it, checked before it goes into DDL. */
function referentialAction(rule: string): string {
  if (!REFERENTIAL_ACTIONS.has(rule)) throw new Error(`unknown referential action ${rule}`);
  return rule;
}
