/**
 * Exact text on MySQL as on SQLite: comparisons by bytes after the migration; declared foreign
 * keys kept (and made again when a run stopped without them), references that matched only by
 * case made exact first, an undeclared key refused before anything changes; re-runnable.
 */
import { type Kysely, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Dialect } from './connection-url.js';
import { databaseConfigFor, openServiceDatabase } from './database-config.js';
import type { Database } from './database.js';
import { type DeclaredForeignKey, exactCollation, exactTextMigration } from './exact-text.js';
import { startDatabase } from './migrate.js';
import { createTestDatabase, type TestDatabase, testDialects } from './test-database.js';

const schema = {
  '001-tables': {
    up: async (db: Kysely<unknown>) => {
      await sql`create table venues (id varchar(64) primary key, owner varchar(64) not null)`.execute(db);
      await sql`create table events (id varchar(64) primary key, venue_id varchar(64) not null, foreign key (venue_id) references venues (id) on delete cascade)`.execute(db);
    },
  },
};
const eventsToVenues: DeclaredForeignKey = { table: 'events', column: 'venue_id', references: { table: 'venues', column: 'id' }, onDelete: 'CASCADE' };

/** A database with the schema, a venue of Alice's (and, on MySQL, an event naming it in capitals), and the migration run. */
function migratedDatabase(dialect: Dialect) {
  let testDb: TestDatabase;
  let database: Database<unknown>;
  beforeAll(async () => {
    testDb = await createTestDatabase(dialect, 'exact_text');
    database = openServiceDatabase<unknown>(databaseConfigFor(testDb.url), testDb.url);
    await startDatabase(database, schema);
    const db = database.db as Kysely<unknown>;
    await sql`insert into venues (id, owner) values ('v1', 'Alice')`.execute(db);
    // Accepted while comparisons ignored case (the key held): it must still hold once they do not.
    if (dialect === 'mysql') await sql`insert into events (id, venue_id) values ('e0', 'V1')`.execute(db);
    await startDatabase(database, { ...schema, '002-exact-text': exactTextMigration(dialect, [eventsToVenues]) });
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
    await sql`delete from venues where id = 'V1'`.execute(db());
  });
});

// MySQL only: SQLite's text is exact already, and the migration leaves it alone.
describe.each(testDialects().filter((d) => d === 'mysql'))('the exact-text migration on %s', (dialect) => {
  const db = migratedDatabase(dialect);
  const keysOf = async () =>
    (await sql<{ name: string }>`select constraint_name as name from information_schema.referential_constraints where constraint_schema = database() and table_name = 'events'`.execute(db())).rows;

  it('rewrites a reference that matched only by case to its target’s text, and keeps the key with its rule', async () => {
    expect((await sql<{ venue_id: string }>`select venue_id from events where id = 'e0'`.execute(db())).rows[0]?.venue_id).toBe('v1');
    expect(await keysOf()).toHaveLength(1);
    await expect(sql`insert into events (id, venue_id) values ('e1', 'nowhere')`.execute(db())).rejects.toThrow(/foreign key/i);
    await sql`insert into events (id, venue_id) values ('e1', 'v1')`.execute(db());
    await sql`delete from venues where id = 'v1'`.execute(db());
    expect((await sql`select id from events`.execute(db())).rows).toHaveLength(0);
  });

  it('converts tables made later too (the database default), and a rerun makes a key a stopped run left out', async () => {
    const collation = await exactCollation(db());
    await sql`create table later (name varchar(64) primary key)`.execute(db());
    const collations = (await sql<{ c: string }>`select table_collation as c from information_schema.tables where table_schema = database() and table_name in ('venues', 'events', 'later')`.execute(db())).rows;
    expect(collations.map((t) => t.c)).toEqual([collation, collation, collation]);
    // A run that stopped after dropping the key, before making it again:
    await sql`alter table events drop foreign key ${sql.id(String((await keysOf())[0]?.name))}`.execute(db());
    await exactTextMigration(dialect, [eventsToVenues]).up(db());
    expect(await keysOf()).toHaveLength(1);
    await expect(sql`insert into events (id, venue_id) values ('e2', 'nowhere')`.execute(db())).rejects.toThrow(/foreign key/i);
  });
});

describe.each(testDialects().filter((d) => d === 'mysql'))('the exact-text migration with a key it was not told about, on %s', (dialect) => {
  let testDb: TestDatabase;
  let database: Database<unknown>;
  beforeAll(async () => {
    testDb = await createTestDatabase(dialect, 'exact_text_undeclared');
    database = openServiceDatabase<unknown>(databaseConfigFor(testDb.url), testDb.url);
    await startDatabase(database, schema);
  });
  afterAll(async () => {
    await database.close();
    await testDb.drop();
  });

  it('stops before changing anything, naming the key', async () => {
    await expect(startDatabase(database, { ...schema, '002-exact-text': exactTextMigration(dialect) })).rejects.toThrow(/events\.venue_id/);
    const collation = await exactCollation(database.db as Kysely<unknown>);
    const tables = (await sql<{ c: string }>`select table_collation as c from information_schema.tables where table_schema = database() and table_name in ('venues', 'events')`.execute(database.db as Kysely<unknown>)).rows;
    expect(tables.map((t) => t.c)).not.toContain(collation);
  });
});
