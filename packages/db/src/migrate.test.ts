/** Start-up migrations: a database a newer release migrated further still starts the older code. */
import { type Kysely, type Migration, sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { databaseConfigFor, openServiceDatabase } from './database-config.js';
import type { Database } from './database.js';
import { startDatabase } from './migrate.js';
import { migrationLockName } from './migration-lock.js';
import { columnExists, tableExists } from './schema-probes.js';
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
  /** More handles on a database opened above: closed before it is dropped. */
  const alsoOpen: Array<Database<unknown>> = [];
  afterEach(async () => {
    for (const database of alsoOpen.splice(0)) await database.close();
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

  it('refuses, saying so, a database another service migrated (a DATABASE_URL naming the wrong one)', async () => {
    const { database } = await fresh();
    await startDatabase(database, release2);
    const otherService = { '001-orders': { up: async (db: Kysely<unknown>) => void (await sql`create table orders (id integer primary key)`.execute(db)) } };
    await expect(startDatabase(database, otherService)).rejects.toThrow(/^this database was migrated by another service \(it has 001-things, 002-size, not 001-orders\): DATABASE_URL or DATABASE_NAME must name this service's own database/);
    expect(await tableExists(database.db as Kysely<unknown>, dialect, 'orders')).toBe(false);
  });

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

  /** A release whose one migration waits until `release()` is called. */
  function gatedRelease() {
    let entered!: () => void;
    let release!: () => void;
    const inside = new Promise<void>((resolve) => (entered = resolve));
    const gate = new Promise<void>((resolve) => (release = resolve));
    const migrations = {
      '001-things': {
        up: async (db: Kysely<unknown>) => {
          entered();
          await gate;
          await sql`create table things (id integer primary key)`.execute(db);
        },
      },
    };
    return { migrations, inside, release };
  }

  // Locks between processes: on SQLite one process owns the file (Kysely's lock there is within it).
  if (dialect !== 'mysql') return;

  it('migrates two databases of one server at once: each has its own migration lock', async () => {
    const first = await fresh();
    const second = await fresh();
    const slow = gatedRelease();
    const firstRun = startDatabase(first.database, slow.migrations);
    await slow.inside;
    try {
      // Kysely's own lock is one name for the server: the second database waited for the first.
      const secondRun = startDatabase(second.database, release1).then((applied) => ({ applied }));
      const outcome = await Promise.race([secondRun, new Promise((resolve) => setTimeout(() => resolve('waited for the other database'), 15_000))]);
      expect(outcome).toEqual({ applied: ['001-things'] });
    } finally {
      slow.release();
    }
    expect(await firstRun).toEqual(['001-things']);
  });

  it('lets instances of one database migrate one at a time: the second finds the work done', async () => {
    const { database, open } = await fresh();
    const other = open();
    alsoOpen.push(other);
    const slow = gatedRelease();
    const firstRun = startDatabase(database, slow.migrations);
    await slow.inside;
    let secondApplied: string[] | undefined;
    const secondRun = startDatabase(other, slow.migrations).then((applied) => (secondApplied = applied));
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(secondApplied).toBeUndefined();
    slow.release();
    expect(await firstRun).toEqual(['001-things']);
    await secondRun;
    expect(secondApplied).toEqual([]);
  });
});

describe('migrationLockName', () => {
  it('names a database’s lock within MySQL’s 64 characters, one name per database', () => {
    const long = 'd'.repeat(64);
    expect(migrationLockName(long).length).toBeLessThanOrEqual(64);
    expect(migrationLockName('stream_seat_events')).not.toBe(migrationLockName('stream_seat_bookings'));
    expect(migrationLockName('stream_seat_events')).toBe(migrationLockName('stream_seat_events'));
  });
});
