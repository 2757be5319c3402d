/** Exact text on MySQL as on SQLite: comparisons by bytes after the migration, foreign keys kept, re-runnable. */
import { type Kysely, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseConfigFor, openServiceDatabase } from './database-config.js';
import type { Database } from './database.js';
import { exactCollation, exactTextMigration } from './exact-text.js';
import { startDatabase } from './migrate.js';
import { createTestDatabase, type TestDatabase, testDialects } from './test-database.js';
import type { Dialect } from './connection-url.js';

const schema = {
  '001-tables': {
    up: async (db: Kysely<unknown>) => {
      await sql`create table venues (id varchar(64) primary key, owner varchar(64) not null)`.execute(db);
      await sql`create table events (id varchar(64) primary key, venue_id varchar(64) not null, foreign key (venue_id) references venues (id) on delete cascade)`.execute(db);
    },
  },
};

/** A database with the schema, a venue of Alice's, and the migration run. */
function migratedDatabase(dialect: Dialect) {
  let testDb: TestDatabase;
  let database: Database<unknown>;
  beforeAll(async () => {
    testDb = await createTestDatabase(dialect, 'exact_text');
    database = openServiceDatabase<unknown>(databaseConfigFor(testDb.url), testDb.url);
    await startDatabase(database, schema);
    await sql`insert into venues (id, owner) values ('v1', 'Alice')`.execute(database.db as Kysely<unknown>);
    await startDatabase(database, { ...schema, '002-exact-text': exactTextMigration(dialect) });
  });
  afterAll(async () => {
    await database.close();
    await testDb.drop();
  });
  return () => database.db as Kysely<unknown>;
}

describe.each(testDialects())('exact text on %s', (dialect) => {
  const db = migratedDatabase(dialect);

  it('compares text by its bytes: case and trailing spaces count', async () => {
    const owners = async (owner: string) => (await sql<{ id: string }>`select id from venues where owner = ${owner}`.execute(db())).rows;
    expect(await owners('Alice')).toHaveLength(1);
    expect(await owners('alice')).toHaveLength(0);
    expect(await owners('Alice ')).toHaveLength(0);
    // Keys too: ids differing in case are two rows.
    await sql`insert into venues (id, owner) values ('V1', 'Bob')`.execute(db());
    expect((await sql`select id from venues`.execute(db())).rows).toHaveLength(2);
  });

});

// MySQL only: SQLite's text is exact already, and the migration leaves it alone.
describe.each(testDialects().filter((d) => d === 'mysql'))('the exact-text migration on %s', (dialect) => {
  const db = migratedDatabase(dialect);

  it('keeps foreign keys, converts tables made later too, and runs again as a no-op', async () => {
    const collation = await exactCollation(db());
    const collations = async () =>
      (await sql<{ name: string; c: string }>`select table_name as name, table_collation as c from information_schema.tables where table_schema = database() and table_name in ('venues', 'events')`.execute(db())).rows;
    expect((await collations()).map((t) => t.c)).toEqual([collation, collation]);
    // The key still holds, with its rule.
    await expect(sql`insert into events (id, venue_id) values ('e1', 'nowhere')`.execute(db())).rejects.toThrow(/foreign key/i);
    await sql`insert into events (id, venue_id) values ('e1', 'v1')`.execute(db());
    await sql`delete from venues where id = 'v1'`.execute(db());
    expect((await sql`select id from events`.execute(db())).rows).toHaveLength(0);
    // The database's default: a table made afterwards compares exactly as well.
    await sql`create table later (name varchar(64) primary key)`.execute(db());
    expect((await sql<{ c: string }>`select table_collation as c from information_schema.tables where table_schema = database() and table_name = 'later'`.execute(db())).rows[0]?.c).toBe(collation);
    await exactTextMigration(dialect).up(db());
    expect((await collations()).map((t) => t.c)).toEqual([collation, collation]);
  });
});
