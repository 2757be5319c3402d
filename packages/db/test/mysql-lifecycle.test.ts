/**
 * The production data path on a real MySQL/MariaDB server (runs when MYSQL_URL is set; CI sets
 * it): a missing database is created, concurrent start-ups migrate once, an outage fails fast
 * and heals without a restart, the first connection waits for a server that is still starting,
 * and statements — lock waits included — are bounded in time; a pooled connection the server
 * closed a moment ago is not used.
 */
import { randomBytes } from 'node:crypto';
import { sql, type Kysely, type Migration } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { mysqlAdmin } from '../../../tests/support/mysql-admin.js';
import { startTcpGate } from '../../../tests/support/tcp-gate.js';
import { startTcpProxy } from '../../../tests/support/tcp-proxy.js';
import { type Database, type DatabaseConfig, databaseConfigFor, isContention, isDatabaseUnavailable, openServiceDatabase, startDatabase } from '../src/index.js';

const mysqlUrl = process.env['MYSQL_URL'];

const migrations: Record<string, Migration> = {
  '001-things': {
    async up(db: Kysely<unknown>) {
      await db.schema.createTable('things').addColumn('id', 'varchar(32)', (c) => c.primaryKey()).execute();
    },
  },
  '002-more': {
    async up(db: Kysely<unknown>) {
      await db.schema.createTable('more_things').addColumn('id', 'integer', (c) => c.primaryKey()).execute();
    },
  },
};

describe.runIf(mysqlUrl)('MySQL lifecycle', () => {
  const server = new URL(mysqlUrl ?? 'mysql://root@127.0.0.1:3306');
  const created: string[] = [];
  const open: Array<Database<unknown>> = [];

  function urlFor(name: string, port = Number(server.port || 3306)): string {
    return `mysql://${server.username || 'root'}${server.password ? `:${server.password}` : ''}@127.0.0.1:${port}/${name}`;
  }
  function freshName(): string {
    const name = `test_lifecycle_${randomBytes(4).toString('hex')}`;
    created.push(name);
    return name;
  }
  function openAt(url: string, overrides: Partial<DatabaseConfig> = {}): Database<unknown> {
    const config = { ...databaseConfigFor(url), ...overrides };
    const database = openServiceDatabase<unknown>(config, 'unused.db');
    open.push(database);
    return database;
  }
  const admin = <T>(query: string) => mysqlAdmin<T>(query, server);

  afterAll(async () => {
    await Promise.all(open.map((d) => d.close().catch(() => undefined)));
    for (const name of created) await admin(`DROP DATABASE IF EXISTS \`${name}\``);
  });

  it('creates a missing database and records its migrations', async () => {
    const name = freshName();
    const database = openAt(urlFor(name));
    expect(await startDatabase(database, migrations)).toEqual(['001-things', '002-more']);
    const rows = await admin<Array<{ name: string }>>(`SELECT name FROM \`${name}\`.kysely_migration ORDER BY name`);
    expect(rows.map((r) => r.name)).toEqual(['001-things', '002-more']);
  });

  it('gives up at once, saying why, when the server refuses the credentials (it had hung for good)', async () => {
    const database = openAt(`mysql://nobody_${randomBytes(3).toString('hex')}:wrong@127.0.0.1:${Number(server.port || 3306)}/${freshName()}`, { DB_CONNECT_TIMEOUT_MS: 60_000 });
    await expect(startDatabase(database, migrations)).rejects.toThrow(/Access denied/);
  }, 15_000);

  it('migrates once when several instances start at the same moment', async () => {
    const url = urlFor(freshName());
    const instances = [openAt(url), openAt(url), openAt(url)];
    const applied = await Promise.all(instances.map((d) => startDatabase(d, migrations)));
    expect(applied.flat().sort()).toEqual(['001-things', '002-more']);
    const [first] = instances as [Database<unknown>];
    const { rows } = await sql<{ n: number }>`select count(*) as n from kysely_migration`.execute(first.db);
    expect(Number(rows[0]?.n)).toBe(2);
  });

  it('fails fast while the database is unreachable and heals without a restart', async () => {
    const proxy = await startTcpProxy(server.hostname, Number(server.port || 3306));
    try {
      const database = openAt(urlFor(freshName(), proxy.port));
      await startDatabase(database, migrations);
      await sql`select 1`.execute(database.db);

      await proxy.cut();
      const failure = await sql`select 1`.execute(database.db).then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(failure).toBeDefined();
      expect(isDatabaseUnavailable(failure)).toBe(true);

      await proxy.restore();
      // The pool drops the broken connections; at most the first query after a restore may fail.
      let healed = false;
      for (let attempt = 0; attempt < 5 && !healed; attempt++) {
        healed = await sql`select 1`.execute(database.db).then(
          () => true,
          () => false,
        );
      }
      expect(healed).toBe(true);
    } finally {
      await proxy.close();
    }
  });

  it('waits for a server that is still starting', async () => {
    const proxy = await startTcpProxy(server.hostname, Number(server.port || 3306));
    await proxy.cut();
    try {
      const database = openAt(urlFor(freshName(), proxy.port));
      const starting = startDatabase(database, migrations);
      setTimeout(() => void proxy.restore(), 800);
      expect(await starting).toEqual(['001-things', '002-more']);
    } finally {
      await proxy.close();
    }
  });

  it('migrates without the statement bound (a long index build), and bounds the connection again afterwards', async () => {
    const [version] = await admin<Array<{ version: string }>>('select version() as version');
    const bound = /mariadb/i.test(version?.version ?? '') ? 'max_statement_time' : 'max_execution_time';
    const seen: number[] = [];
    const slow: Record<string, Migration> = {
      ...migrations,
      // Stands in for CREATE INDEX on millions of rows: longer than the 300 ms any request may take.
      '003-slow': {
        async up(db: Kysely<unknown>) {
          const { rows } = await sql<{ limit: number }>`select @@SESSION.${sql.raw(bound)} as ${sql.ref('limit')}`.execute(db);
          seen.push(Number(rows[0]?.limit));
          await sql`select sleep(1)`.execute(db);
        },
      },
    };
    // One connection, so that the pool hands out the very connection the migrations ran on.
    const database = openAt(urlFor(freshName()), { DB_QUERY_TIMEOUT_MS: 300, DB_POOL_SIZE: 1 });
    expect(await startDatabase(database, slow)).toEqual(['001-things', '002-more', '003-slow']);
    expect(seen).toEqual([0]);
    const { rows } = await sql<{ limit: number }>`select @@SESSION.${sql.raw(bound)} as ${sql.ref('limit')}`.execute(database.db);
    expect(Number(rows[0]?.limit)).toBeGreaterThan(0);
  });

  it('bounds statement time on the server', async () => {
    const database = openAt(urlFor(freshName()), { DB_QUERY_TIMEOUT_MS: 300 });
    await startDatabase(database, migrations);
    const [server] = await admin<Array<{ version: string }>>('select version() as version');
    const outcome = await sql<{ slept: number }>`select sleep(3) as slept`.execute(database.db).then(
      (result) => Number(result.rows[0]?.slept),
      (error: unknown) => error,
    );
    if (/mariadb/i.test(server?.version ?? '')) {
      // MariaDB aborts the statement with ER_STATEMENT_TIMEOUT, which maps to 503.
      expect(isDatabaseUnavailable(outcome)).toBe(true);
    } else {
      // MySQL interrupts SLEEP() and returns 1.
      expect(outcome).toBe(1);
    }
  });

  it('bounds the wait for a row lock that another transaction holds', async () => {
    const name = freshName();
    // The lock wait is bounded to 1 s here, before MariaDB's 1.5 s statement bound would answer.
    const database = openAt(urlFor(name), { DB_QUERY_TIMEOUT_MS: 1500 });
    await startDatabase(database, migrations);
    await sql`insert into things (id) values ('locked')`.execute(database.db);
    const { createConnection } = await import('mysql2/promise');
    const holder = await createConnection({ host: '127.0.0.1', port: Number(server.port || 3306), user: server.username || 'root', password: server.password, database: name });
    try {
      await holder.query('START TRANSACTION');
      await holder.query("SELECT id FROM things WHERE id = 'locked' FOR UPDATE");
      // Without the session's bound this UPDATE would wait InnoDB's default 50 s.
      const outcome = await sql`update things set id = 'moved' where id = 'locked'`.execute(database.db).then(() => 'updated', (error: unknown) => error);
      expect(isContention(outcome), String(outcome)).toBe(true);
      expect((outcome as { errno?: number }).errno).toBe(1205);
    } finally {
      await holder.query('ROLLBACK');
      await holder.end();
    }
  }, 15_000);

  it('bounds the wait for a table another session holds (a migration copying it): a lock wait, not a hang', async () => {
    const name = freshName();
    const database = openAt(urlFor(name), { DB_QUERY_TIMEOUT_MS: 1500 });
    await startDatabase(database, migrations);
    const { createConnection } = await import('mysql2/promise');
    const holder = await createConnection({ host: '127.0.0.1', port: Number(server.port || 3306), user: server.username || 'root', password: server.password, database: name });
    try {
      // As an ALTER TABLE … CONVERT holds the table while it copies it.
      await holder.query('LOCK TABLES things WRITE');
      // Without the session's bound this INSERT would wait a year on MySQL (max_execution_time
      // covers SELECTs only), and on MariaDB end as a statement timeout (503) instead of contention.
      const outcome = await sql`insert into things (id) values ('late')`.execute(database.db).then(() => 'inserted', (error: unknown) => error);
      expect(isContention(outcome), String(outcome)).toBe(true);
      expect((outcome as { errno?: number }).errno).toBe(1205);
    } finally {
      await holder.query('UNLOCK TABLES');
      await holder.end();
    }
  }, 15_000);

  it('rolls back the transaction of a connection gone silent, freeing its row locks', async () => {
    const name = freshName();
    // A 2 s idle bound; the other side's lock waits give up after 1 s and try again.
    const frozen = openAt(urlFor(name), { DB_IDLE_TIMEOUT_MS: 2_000, DB_QUERY_TIMEOUT_MS: 1_500 });
    await startDatabase(frozen, migrations);
    await sql`insert into things (id) values ('contested')`.execute(frozen.db);
    // A client that took the row's lock and then froze (a stopped process, a link gone dark): its
    // connection stays open and says nothing more.
    let thaw!: () => void;
    const thawed = new Promise<void>((resolve) => (thaw = resolve));
    const locked = new Promise<void>((resolve, reject) => {
      frozen.db
        .connection()
        .execute(async (connection) => {
          await sql`start transaction`.execute(connection);
          await sql`select id from things where id = 'contested' for update`.execute(connection);
          resolve();
          await thawed;
          await sql`commit`.execute(connection);
        })
        .catch(reject);
    }).catch(() => undefined);
    await locked;
    const other = openAt(urlFor(name), { DB_QUERY_TIMEOUT_MS: 1_500 });
    await startDatabase(other, migrations);
    const started = Date.now();
    let updated = false;
    try {
      // Without the bound the lock stands until TCP gives up (here: for ever); with it, within a few seconds.
      while (!updated && Date.now() - started < 10_000) {
        updated = await sql`update things set id = 'taken' where id = 'contested'`.execute(other.db).then(
          () => true,
          (error: unknown) => {
            if (!isContention(error)) throw error;
            return false;
          },
        );
      }
      expect(updated).toBe(true);
      const rows = await admin<Array<{ id: string }>>(`SELECT id FROM \`${name}\`.things ORDER BY id`);
      expect(rows.map((r) => r.id)).toEqual(['taken']);
    } finally {
      thaw();
    }
  }, 20_000);

  // The server closes the idle connections; mysql2's pool drops them as they close, and opens new ones.
  it('keeps its pool working when its connections sat idle past the bound', async () => {
    const name = freshName();
    const database = openAt(urlFor(name), { DB_IDLE_TIMEOUT_MS: 1_000, DB_POOL_SIZE: 4 });
    await startDatabase(database, migrations);
    const { rows: setting } = await sql<{ wait: number }>`select @@SESSION.wait_timeout as ${sql.ref('wait')}`.execute(database.db);
    expect(Number(setting[0]?.wait)).toBe(1);
    // Every connection of the pool opened, then all idle for longer than the server waits.
    await Promise.all(Array.from({ length: 4 }, () => sql`select sleep(0.1)`.execute(database.db)));
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    const answers = await Promise.all(Array.from({ length: 8 }, (_, i) => sql<{ n: number }>`select ${i} as n`.execute(database.db)));
    expect(answers.map((a) => Number(a.rows[0]?.n))).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  }, 15_000);

  // The server closed them (idle bound, restart, failover) but the client has not heard yet, as
  // when a request takes one from the pool in that instant: its first statement must not fail.
  it('checks a connection that waited in the pool before using it, and takes another when it is dead', async () => {
    const name = freshName();
    const prepared = openAt(urlFor(name));
    await startDatabase(prepared, migrations);
    const gate = await startTcpGate(urlFor(name));
    try {
      const database = openAt(gate.url, { DB_POOL_SIZE: 4 });
      await startDatabase(database, migrations);
      // Every connection of both pools opened and back in them.
      await Promise.all(Array.from({ length: 4 }, () => sql`select sleep(0.05)`.execute(database.db)));
      await Promise.all(Array.from({ length: 4 }, () => database.rawTransaction((raw) => raw.script([{ sql: 'select sleep(0.05)', params: [] }]))));
      await new Promise((resolve) => setTimeout(resolve, 600)); // past CHECK_AFTER_IDLE_MS
      gate.closeServerSides();
      const answers = await Promise.all(Array.from({ length: 6 }, (_, i) => sql<{ n: number }>`select ${i} as n`.execute(database.db)));
      expect(answers.map((a) => Number(a.rows[0]?.n))).toEqual([0, 1, 2, 3, 4, 5]);
      const scripts = await Promise.all(
        Array.from({ length: 6 }, (_, i) => database.rawTransaction((raw) => raw.script([{ sql: 'select ? as n', params: [i] }]))),
      );
      expect(scripts.map((results) => Number((results[0]?.rows[0] as { n: number } | undefined)?.n))).toEqual([0, 1, 2, 3, 4, 5]);
    } finally {
      await gate.close();
    }
  }, 20_000);

  it('gives up a check whose ping gets no answer (a link gone dark) and takes another connection', async () => {
    const name = freshName();
    await startDatabase(openAt(urlFor(name)), migrations);
    const gate = await startTcpGate(urlFor(name));
    try {
      const database = openAt(gate.url, { DB_POOL_SIZE: 1 });
      await startDatabase(database, migrations);
      await sql`select 1`.execute(database.db);
      await new Promise((resolve) => setTimeout(resolve, 600)); // past CHECK_AFTER_IDLE_MS
      // The check's ping (COM_PING, 0x0e) reaches the server; nothing comes back, nor goes, after it.
      const dark = gate.goDarkAfter('\x01\x00\x00\x00\x0e');
      const answer = sql<{ n: number }>`select 42 as n`.execute(database.db);
      await dark;
      // Answered on a new connection once the check's CHECK_TIMEOUT_MS (2 s) ran out; without the
      // bound it waited for TCP to give up, minutes later (this test's 20 s bound fails it first).
      expect(Number((await answer).rows[0]?.n)).toBe(42);
    } finally {
      await gate.close();
    }
  }, 20_000);
});
