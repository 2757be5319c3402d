// The services' MySQL users on a real server (MYSQL_URL): each reaches its own database and no
// other, provisioning runs any number of times, a new password replaces the old, an update takes
// back what an earlier release granted (ALL), a service's whole start-up (create database, lock,
// session settings, its real migrations) and its reads and writes work under the grant, and what
// lies outside the grant (DROP, routines, triggers, events, views, locks, GRANT) is refused.
import { randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import { databaseConfigSchema, openServiceDatabase, startDatabase } from '@stream-seat/db';
import { type Kysely, sql } from 'kysely';
import { type Connection, createConnection } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// The services keep their migrations private; the proof needs the real ones.
import { bookingMigrations } from '../../services/booking/src/db/migrations/index.js';
import { eventMigrations } from '../../services/event/src/db/migrations/index.js';
import { createHandler, PHYSICAL_ID } from '../lambda/database-users/custom-resource.js';
import { grantDatabasePattern, hasDualPasswords, SERVICE_PRIVILEGES, type ServiceUser, provisionServiceUsers } from '../lambda/database-users/provision.js';

const MYSQL_URL = process.env['MYSQL_URL'];
const server = MYSQL_URL ? new URL(MYSQL_URL) : undefined;
const host = server?.hostname ?? '127.0.0.1';
const port = Number(server?.port || 3306);
const run = randomBytes(3).toString('hex');

/** Unique per run: user names stay within MySQL's 32 characters. */
const userA: ServiceUser = { username: `t_dbu_a_${run}`, password: `a-${randomBytes(9).toString('hex')}`, database: `test_dbusers_a_${run}` };
const userB: ServiceUser = { username: `t_dbu_b_${run}`, password: `b-${randomBytes(9).toString('hex')}`, database: `test_dbusers_b_${run}` };
/** Matches A's database if its `_` were a wildcard in the grant. */
const lookalike = userA.database.replace(/_/g, 'x');
const createdUsers = new Set<string>();
const createdDatabases = new Set<string>([lookalike]);

let admin: Connection;
const adminOptions = () => ({ host, port, user: decodeURIComponent(server?.username || 'root'), password: decodeURIComponent(server?.password ?? '') });

const login = (user: { username: string; password: string }, database?: string) =>
  createConnection({ host, port, user: user.username, password: user.password, ...(database ? { database } : {}) });

async function provision(users: ServiceUser[], requireTls = false): Promise<void> {
  for (const u of users) {
    createdUsers.add(u.username);
    createdDatabases.add(u.database);
  }
  await provisionServiceUsers(admin, users, { requireTls, adminUsername: adminOptions().user });
}

/** Runs the custom resource handler for one user, its secret in place of Secrets Manager. */
async function runHandler(requestType: 'Create' | 'Update', user: ServiceUser): Promise<void> {
  createdUsers.add(user.username);
  createdDatabases.add(user.database);
  const secrets: Record<string, string> = {
    master: JSON.stringify({ username: 'stream_seat', password: 'master-pw', host, port }),
    user: JSON.stringify({ username: user.username, password: user.password, host, port }),
  };
  const handler = createHandler({
    readSecret: async (arn) => secrets[arn] ?? '',
    // The Lambda logs in with the master secret over TLS with the RDS bundle; this server has
    // neither, so the test's own admin login stands in for it.
    connect: async (options) => {
      expect(options).toMatchObject({ host, port, user: 'stream_seat' });
      return createConnection(adminOptions());
    },
    log: () => undefined,
  });
  await handler({
    RequestType: requestType,
    ...(requestType === 'Update' ? { PhysicalResourceId: PHYSICAL_ID } : {}),
    ResourceProperties: { MasterSecretArn: 'master', Users: [{ SecretArn: 'user', Database: user.database }], RequireTls: 'false' },
  });
}

/** SHOW GRANTS, one line a grant. */
async function grantsOf(username: string): Promise<string[]> {
  const [rows] = await admin.query(`SHOW GRANTS FOR ?@'%'`, [username]);
  return (rows as Record<string, unknown>[]).map((r) => String(Object.values(r)[0]));
}

/** The grants other than the login's USAGE, each as its object and its privileges (sorted: servers list them in their own order). */
async function privilegesOf(username: string): Promise<{ on: string; privileges: string[] }[]> {
  return (await grantsOf(username))
    .filter((line) => !line.startsWith('GRANT USAGE ON *.*'))
    .map((line) => {
      const [, privileges = '', on = ''] = /^GRANT (.+) ON (\S+) TO /.exec(line) ?? [];
      return { on: line.endsWith('WITH GRANT OPTION') ? `${on} WITH GRANT OPTION` : on, privileges: privileges.split(', ').sort() };
    });
}

/** What provisioning leaves a user with: the list on its own database, nothing else. */
const onlyTheList = (database: string) => [{ on: `\`${database.replace(/_/g, '\\_')}\`.*`, privileges: [...SERVICE_PRIVILEGES].sort() }];

/** MariaDB's and MySQL's errors for a missing database-level (1044) and table-level (1142) privilege. */
const DATABASE_DENIED = 'ER_DBACCESS_DENIED_ERROR';
const TABLE_DENIED = 'ER_TABLEACCESS_DENIED_ERROR';

/** What ALL PRIVILEGES allowed and the list does not, each with the refusal the server gives. */
function outsideTheList(user: ServiceUser, table: string): [statement: string, error: string][] {
  return [
    [`DROP DATABASE \`${user.database}\``, DATABASE_DENIED],
    [`DROP TABLE ${table}`, TABLE_DENIED],
    [`TRUNCATE TABLE ${table}`, TABLE_DENIED],
    ['CREATE PROCEDURE sneaky() SELECT 1', DATABASE_DENIED],
    [`CREATE TRIGGER sneaky BEFORE INSERT ON ${table} FOR EACH ROW SET @seen = 1`, TABLE_DENIED],
    ['CREATE EVENT sneaky ON SCHEDULE EVERY 1 DAY DO SELECT 1', DATABASE_DENIED],
    ['CREATE VIEW sneaky AS SELECT 1', TABLE_DENIED],
    ['CREATE TEMPORARY TABLE sneaky (id int)', DATABASE_DENIED],
    [`LOCK TABLES ${table} WRITE`, DATABASE_DENIED],
    [`GRANT SELECT ON \`${grantDatabasePattern(user.database)}\`.* TO '${user.username}'@'%'`, DATABASE_DENIED],
  ];
}

/** Any table of a service's schema, for the sample rows below. */
type AnyTables = Record<string, Record<string, string | number | null>>;

interface SampleRow {
  readonly table: string;
  readonly row: Record<string, string | number | null> & { id: string };
  readonly change: Record<string, string | number>;
}

/** A row of each service's real schema, and a change to it. */
const SAMPLE_ROWS: Record<'booking' | 'event', SampleRow> = {
  booking: {
    table: 'holds',
    row: { id: 'h1', event_id: 'e1', buyer_id: 'b1', seat_ids_json: '["A-1"]', total_cents: 1500, currency: 'EUR', status: 'ACTIVE', expires_at: 2, created_at: 1 },
    change: { status: 'EXPIRED' },
  },
  event: {
    table: 'venues',
    row: { id: 'v1', organizer_id: 'o1', name: 'Hall', city: 'Oslo', capacity: 10, tiers_json: '[]', layout_json: '{}', seatmap_json: '{}', seatmap_gz: null, created_at: 1 },
    change: { name: 'Great Hall' },
  },
};

/** What the services do at run time: insert, lock a row and change it in a transaction, read, delete. */
async function readAndWrite(db: Kysely<AnyTables>, { table, row, change }: SampleRow): Promise<void> {
  await db.insertInto(table).values(row).execute();
  await db.transaction().execute(async (trx) => {
    await trx.selectFrom(table).select('id').where('id', '=', row.id).forUpdate().execute();
    await trx.updateTable(table).set(change).where('id', '=', row.id).execute();
  });
  expect(await db.selectFrom(table).selectAll().execute()).toEqual([{ ...row, ...change }]);
  await db.deleteFrom(table).where('id', '=', row.id).execute();
  expect(await db.selectFrom(table).selectAll().execute()).toEqual([]);
}

async function refusal(work: () => Promise<unknown>): Promise<string | undefined> {
  try {
    await work();
    return undefined;
  } catch (error) {
    return (error as { code?: string }).code ?? String(error);
  }
}

describe.skipIf(!server)('service database users on MySQL/MariaDB', () => {
  beforeAll(async () => {
    admin = await createConnection(adminOptions());
    await admin.query(`CREATE DATABASE \`${lookalike}\``);
    await admin.query(`CREATE TABLE \`${lookalike}\`.t (id int primary key)`);
  });

  afterAll(async () => {
    if (!admin) return;
    for (const user of createdUsers) await admin.query(`DROP USER IF EXISTS ?@'%'`, [user]);
    for (const database of createdDatabases) await admin.query(`DROP DATABASE IF EXISTS \`${database}\``);
    await admin.end();
  });

  it('lets each user create, write and read in its own database, and refuses it every other one', async () => {
    await provision([userA, userB]);
    const a = await login(userA, userA.database);
    try {
      await a.query('CREATE TABLE orders (id varchar(36) primary key, total int not null)');
      await a.query("INSERT INTO orders VALUES ('o1', 42)");
      const [rows] = await a.query('SELECT total FROM orders');
      expect(rows).toEqual([{ total: 42 }]);

      const b = await login(userB, userB.database);
      await b.query('CREATE TABLE payments (id int primary key)');
      await b.end();

      expect(await refusal(() => a.query(`USE \`${userB.database}\``))).toBe('ER_DBACCESS_DENIED_ERROR');
      expect(await refusal(() => a.query(`SELECT * FROM \`${userB.database}\`.payments`))).toBe('ER_TABLEACCESS_DENIED_ERROR');
      expect(await refusal(() => a.query(`DROP DATABASE \`${userB.database}\``))).toBe('ER_DBACCESS_DENIED_ERROR');
      // The grant names its database exactly: `_` is no wildcard.
      expect(await refusal(() => a.query(`SELECT * FROM \`${lookalike}\`.t`))).toBe('ER_TABLEACCESS_DENIED_ERROR');
      // Nor may it manage users.
      expect(await refusal(() => a.query(`CREATE USER 'intruder_${run}'@'%'`))).toMatch(/^ER_/);
      expect(await refusal(() => login(userA, userB.database))).toBe('ER_DBACCESS_DENIED_ERROR');
    } finally {
      await a.end();
    }
  });

  it('is harmless to run again: the same grants, the data intact', async () => {
    await provision([userA, userB]);
    const before = await grantsOf(userA.username);
    await provision([userA, userB]);
    await provision([userA, userB]);
    expect(await grantsOf(userA.username)).toEqual(before);
    expect(await privilegesOf(userA.username)).toEqual(onlyTheList(userA.database));
    const a = await login(userA, userA.database);
    try {
      const [rows] = await a.query('SELECT COUNT(*) AS n FROM orders');
      expect(rows).toEqual([{ n: 1 }]);
    } finally {
      await a.end();
    }
  });

  it('applies a changed password: the new one is accepted; the one it replaced until the next change where the server keeps two (MySQL), not at all where it cannot (MariaDB)', async () => {
    const [[{ version }]] = (await admin.query('SELECT VERSION() AS version')) as unknown as [[{ version: string }]];
    const dual = hasDualPasswords(version);
    const first = userA.password;
    const second = { ...userA, password: `a2-${randomBytes(9).toString('hex')}` };
    const third = { ...userA, password: `a3-${randomBytes(9).toString('hex')}` };
    const accepted = async (password: string) => {
      try {
        await (await login({ ...userA, password })).end();
        return true;
      } catch (error) {
        if ((error as { code?: string }).code === 'ER_ACCESS_DENIED_ERROR') return false;
        throw error;
      }
    };
    await provision([second, userB]);
    expect(await accepted(second.password)).toBe(true);
    // Tasks still holding the replaced secret reconnect (MySQL) until the next change.
    expect(await accepted(first), version).toBe(dual);
    // A run for another reason (new code, a TLS change) keeps both.
    await provision([{ ...second, passwordUnchanged: true }, userB]);
    expect(await accepted(second.password)).toBe(true);
    expect(await accepted(first), version).toBe(dual);
    await provision([third, userB]);
    expect(await accepted(third.password)).toBe(true);
    expect(await accepted(second.password), version).toBe(dual);
    expect(await accepted(first)).toBe(false);
    await provision([userA, userB]);
  });

  it('requires TLS of the user when asked, and lifts it when not (this server has no TLS: the login fails)', async () => {
    await provision([userA], true);
    // SHOW CREATE USER, not SHOW GRANTS: MySQL 8 lists the TLS requirement only there.
    const [created] = await admin.query(`SHOW CREATE USER ?@'%'`, [userA.username]);
    expect(JSON.stringify(created)).toContain('REQUIRE SSL');
    expect(await refusal(() => login(userA))).toBe('ER_ACCESS_DENIED_ERROR');
    await provision([userA], false);
    const a = await login(userA);
    await a.end();
  });

  it('says what failed without the password, and without the statement mysql2 attaches', async () => {
    const a = await login(userA);
    try {
      // A may create its own database, not a user: the CREATE USER statement, password and all, fails.
      const victim = { username: `t_dbu_x_${run}`, password: `x-${randomBytes(9).toString('hex')}`, database: userA.database };
      createdUsers.add(victim.username); // dropped afterwards, should A ever manage to create it
      const error = await provisionServiceUsers(a, [victim], { requireTls: false }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(Error);
      expect((error as Error).message).toMatch(/^create user for t_dbu_x_\w+ on test_dbusers_a_\w+ failed: ER_\w+: /);
      expect(inspect(error)).not.toContain(victim.password);
      expect(JSON.stringify(error)).not.toContain(victim.password);
    } finally {
      await a.end();
    }
  });

  it('provisions from the secrets through the custom resource handler', async () => {
    const c = { username: `t_dbu_c_${run}`, password: `c-${randomBytes(9).toString('hex')}`, database: `test_dbusers_c_${run}` };
    await runHandler('Create', c);
    const connection = await login(c, c.database);
    await connection.end();
    expect(await privilegesOf(c.username)).toEqual(onlyTheList(c.database));
  });

  it('on Update, takes back what an earlier release granted (ALL, WITH GRANT OPTION) and grants elsewhere: only the list is left', async () => {
    const d = { username: `t_dbu_d_${run}`, password: `d-${randomBytes(9).toString('hex')}`, database: `test_dbusers_d_${run}` };
    await runHandler('Create', d);
    // What the previous release of this Lambda granted, and a grant on another database besides.
    await admin.query(`GRANT ALL PRIVILEGES ON \`${grantDatabasePattern(d.database)}\`.* TO ?@'%' WITH GRANT OPTION`, [d.username]);
    await admin.query(`GRANT SELECT ON \`${grantDatabasePattern(lookalike)}\`.* TO ?@'%'`, [d.username]);
    expect((await grantsOf(d.username)).join('\n')).toMatch(/GRANT ALL PRIVILEGES ON .* WITH GRANT OPTION/);
    const before = await login(d, d.database);
    try {
      // ALL allows what the list does not: the set-up really starts from too much.
      await before.query('CREATE TABLE t (id int primary key)');
      await before.query('DROP TABLE t');
    } finally {
      await before.end();
    }

    await runHandler('Update', d);
    expect(await privilegesOf(d.username)).toEqual(onlyTheList(d.database));
    const after = await login(d, d.database);
    try {
      await after.query('CREATE TABLE t (id int primary key)');
      expect(await refusal(() => after.query('DROP TABLE t'))).toBe(TABLE_DENIED);
      expect(await refusal(() => after.query(`SELECT * FROM \`${lookalike}\`.t`))).toBe(TABLE_DENIED);
    } finally {
      await after.end();
    }
  });

  it.each([
    ['booking', bookingMigrations],
    ['event', eventMigrations],
  ] as const)('runs the %s service start-up as its own user from DB_SECRET: creates the missing database, locks, migrates, sets its session limits, then reads and writes', async (name, migrations) => {
    const user = name === 'booking' ? userA : userB;
    // Missing, as on a fresh RDS instance whose provisioning ran before the database existed.
    await admin.query(`DROP DATABASE IF EXISTS \`${user.database}\``);
    const config = databaseConfigSchema.parse({
      DB_SECRET: JSON.stringify({ username: user.username, password: user.password, host, port }),
      DATABASE_NAME: user.database,
    });
    for (let start = 1; start <= 2; start++) {
      const database = openServiceDatabase(config, 'unused.db');
      try {
        const applied = await startDatabase(database, migrations('mysql'));
        expect(applied.length > 0, `start ${start}`).toBe(start === 1);
        const { rows } = await sql<{ wait: number }>`SELECT @@SESSION.innodb_lock_wait_timeout AS wait`.execute(database.db);
        // A second under the statement bound (10 s by default), so that a lock wait ends as one.
        expect(Number(rows[0]?.wait)).toBe(Math.ceil(config.DB_QUERY_TIMEOUT_MS / 1000) - 1);
      } finally {
        await database.close();
      }
    }
    const database = openServiceDatabase(config, 'unused.db');
    try {
      await readAndWrite(database.db as unknown as Kysely<AnyTables>, SAMPLE_ROWS[name]);
    } finally {
      await database.close();
    }
  });

  it.each([
    ['booking', 'holds'],
    ['event', 'venues'],
  ] as const)('refuses the %s user, on its own migrated database, everything outside the list', async (name, table) => {
    const user = name === 'booking' ? userA : userB;
    const connection = await login(user, user.database);
    try {
      const outcomes: [string, string | undefined][] = [];
      for (const [statement] of outsideTheList(user, table)) outcomes.push([statement, await refusal(() => connection.query(statement))]);
      expect(outcomes).toEqual(outsideTheList(user, table));
      // None of it went through: the table is still there.
      const [rows] = await connection.query(`SELECT COUNT(*) AS n FROM ${table}`);
      expect(rows).toEqual([{ n: 0 }]);
    } finally {
      await connection.end();
    }
  });
});
