import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from './database.js';
import { databaseConfigFor, openServiceDatabase } from './database-config.js';
import { createTestDatabase, type TestDatabase, testDialects } from './test-database.js';

interface Counters {
  counters: { name: string; n: number };
}

describe.each(testDialects())('raw transactions on %s', (dialect) => {
  let testDb: TestDatabase;
  let database: Database<Counters>;
  const count = async (name: string) =>
    (await database.db.selectFrom('counters').select('n').where('name', '=', name).executeTakeFirst())?.n;

  beforeAll(async () => {
    testDb = await createTestDatabase(dialect, 'raw_sql');
    database = openServiceDatabase<Counters>(databaseConfigFor(testDb.url), testDb.url);
    await database.prepare();
    await sql`create table counters (name varchar(20) primary key, n integer not null)`.execute(database.db);
  });
  afterAll(async () => {
    await database?.close();
    await testDb?.drop();
  });

  it('runs a script in order and answers rows for queries and changed rows for changes', async () => {
    const results = await database.rawTransaction((raw) =>
      raw.script([
        { sql: 'INSERT INTO counters (name, n) VALUES (?, ?), (?, ?)', params: ['a', 1, 'b', 2] },
        { sql: 'UPDATE counters SET n = n + 1 WHERE name IN (?, ?)', params: ['a', 'b'] },
        { sql: 'SELECT name, n FROM counters ORDER BY name', params: [] },
      ]),
    );
    expect(results.map((r) => r.changes)).toEqual([2, 2, 0]);
    expect(results[2]?.rows).toEqual([{ name: 'a', n: 2 }, { name: 'b', n: 3 }]);
    // A script of one statement answers the same way.
    const [one] = await database.rawTransaction((raw) => raw.script([{ sql: 'SELECT n FROM counters WHERE name = ?', params: ['b'] }]));
    expect(one?.rows).toEqual([{ n: 3 }]);
  });

  it('rolls everything back when the work throws, and commits when it returns', async () => {
    await expect(
      database.rawTransaction(async (raw) => {
        await raw.script([{ sql: 'INSERT INTO counters (name, n) VALUES (?, ?)', params: ['gone', 1] }]);
        throw new Error('changed my mind');
      }),
    ).rejects.toThrow('changed my mind');
    expect(await count('gone')).toBeUndefined();
    await database.rawTransaction((raw) => raw.script([{ sql: 'INSERT INTO counters (name, n) VALUES (?, ?)', params: ['kept', 1] }]));
    expect(await count('kept')).toBe(1);
  });

  it('stops a script at a failing statement and rolls back the statements before it', async () => {
    await expect(
      database.rawTransaction((raw) =>
        raw.script([
          { sql: 'UPDATE counters SET n = 100 WHERE name = ?', params: ['kept'] },
          { sql: 'INSERT INTO counters (name, n) VALUES (?, ?)', params: ['kept', 2] },
        ]),
      ),
    ).rejects.toThrow();
    expect(await count('kept')).toBe(1);
  });

  it('never interleaves with a Kysely transaction on the same connection', async () => {
    // The Kysely transaction waits across an await with its work half done; the raw one must not
    // slip inside it (SQLite has one connection) and must see the other's work only once committed.
    let inserted: () => void = () => undefined;
    const halfDone = new Promise<void>((resolve) => {
      inserted = resolve;
    });
    const kysely = database.db.transaction().execute(async (trx) => {
      await trx.insertInto('counters').values({ name: 'slow', n: 1 }).execute();
      inserted();
      await new Promise((resolve) => setTimeout(resolve, 50));
      await trx.updateTable('counters').set({ n: 2 }).where('name', '=', 'slow').execute();
    });
    await halfDone;
    const raw = database.rawTransaction((r) => r.script([{ sql: 'UPDATE counters SET n = n * 10 WHERE name = ?', params: ['slow'] }]));
    await Promise.all([kysely, raw]);
    expect(await count('slow')).toBe(20);
  });
});
