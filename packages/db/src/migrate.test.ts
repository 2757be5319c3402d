/** Start-up migrations: a database a newer release migrated further still starts the older code. */
import { type Kysely, type Migration, sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { databaseConfigFor, openServiceDatabase } from './database-config.js';
import type { Database } from './database.js';
import { startDatabase } from './migrate.js';
import { columnExists } from './schema-probes.js';
import { createTestDatabase, type TestDatabase, testDialects } from './test-database.js';

const addColumn = (column: string): Migration => ({
  up: async (db: Kysely<unknown>) => {
    await db.schema.alterTable('things').addColumn(column, 'integer').execute();
  },
});
const release1 = {
  '001-things': { up: async (db: Kysely<unknown>) => void (await sql`create table things (id integer primary key)`.execute(db)) },
};
const release2 = { ...release1, '002-size': addColumn('size') };
const release3 = { ...release2, '003-weight': addColumn('weight') };

describe.each(testDialects())('start-up migrations on %s', (dialect) => {
  const opened: Array<{ testDb: TestDatabase; database: Database<unknown> }> = [];
  afterEach(async () => {
    for (const { database, testDb } of opened.splice(0)) {
      await database.close();
      await testDb.drop();
    }
  });
  const fresh = async () => {
    const testDb = await createTestDatabase(dialect, 'migrate');
    const open = () => openServiceDatabase<unknown>(databaseConfigFor(testDb.url), testDb.url);
    const database = open();
    opened.push({ testDb, database });
    return { database, open };
  };

  it('applies what is missing, in order, once', async () => {
    const { database } = await fresh();
    expect(await startDatabase(database, release2)).toEqual(['001-things', '002-size']);
    expect(await startDatabase(database, release3)).toEqual(['003-weight']);
    expect(await startDatabase(database, release3)).toEqual([]);
  });

  it('starts an older release on a database a newer one migrated (rollback, rolling deploy), and says so', async () => {
    const { database } = await fresh();
    await startDatabase(database, release3);
    const warnings: object[] = [];
    const log = { info: () => undefined, warn: (obj: object) => void warnings.push(obj) };
    expect(await startDatabase(database, release2, log)).toEqual([]);
    expect(await startDatabase(database, release1, log)).toEqual([]);
    expect(warnings).toEqual([
      expect.objectContaining({ unknown: ['003-weight'] }),
      expect.objectContaining({ unknown: ['002-size', '003-weight'] }),
    ]);
    // The newer release's schema is left as it was, and the newer release starts again on it.
    expect(await columnExists(database.db as Kysely<unknown>, dialect, 'things', 'weight')).toBe(true);
    expect(await startDatabase(database, release3)).toEqual([]);
  });
});
