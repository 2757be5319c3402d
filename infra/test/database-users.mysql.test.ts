// The services' MySQL users on a real server (MYSQL_URL): each reaches its own database and no
// other, provisioning runs any number of times, a new password replaces the old, and a service's
// whole start-up (create database, lock, session settings, migrations) works under its grants.
import { randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import { databaseConfigSchema, openServiceDatabase, startDatabase } from '@stream-seat/db';
import { sql } from 'kysely';
import { type Connection, createConnection } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// The services keep their migrations private; the proof needs the real ones.
import { bookingMigrations } from '../../services/booking/src/db/migrations/index.js';
import { eventMigrations } from '../../services/event/src/db/migrations/index.js';
import { createHandler } from '../lambda/database-users/custom-resource.js';
import { type ServiceUser, provisionServiceUsers } from '../lambda/database-users/provision.js';

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
    const grantsOf = async (u: ServiceUser) => ((await admin.query(`SHOW GRANTS FOR ?@'%'`, [u.username]))[0] as Record<string, string>[]).map((r) => String(Object.values(r)[0]));
    const before = await grantsOf(userA);
    await provision([userA, userB]);
    await provision([userA, userB]);
    expect(await grantsOf(userA)).toEqual(before);
    expect(before.filter((g) => !g.startsWith('GRANT USAGE'))).toEqual([`GRANT ALL PRIVILEGES ON \`${userA.database.replace(/_/g, '\\_')}\`.* TO \`${userA.username}\`@\`%\``]);
    const a = await login(userA, userA.database);
    try {
      const [rows] = await a.query('SELECT COUNT(*) AS n FROM orders');
      expect(rows).toEqual([{ n: 1 }]);
    } finally {
      await a.end();
    }
  });

  it('applies a changed password: the old one is refused, the new one accepted', async () => {
    const old = userA.password;
    const renewed = { ...userA, password: `a2-${randomBytes(9).toString('hex')}` };
    await provision([renewed, userB]);
    expect(await refusal(() => login({ ...userA, password: old }))).toBe('ER_ACCESS_DENIED_ERROR');
    const a = await login(renewed, userA.database);
    await a.end();
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
    createdUsers.add(c.username);
    createdDatabases.add(c.database);
    const secrets: Record<string, string> = {
      master: JSON.stringify({ username: 'stream_seat', password: 'master-pw', host, port }),
      c: JSON.stringify({ username: c.username, password: c.password, host, port }),
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
    await handler({ RequestType: 'Create', ResourceProperties: { MasterSecretArn: 'master', Users: [{ SecretArn: 'c', Database: c.database }], RequireTls: 'false' } });
    const connection = await login(c, c.database);
    await connection.end();
  });

  it.each([
    ['booking', bookingMigrations],
    ['event', eventMigrations],
  ] as const)('runs the %s service start-up as its own user from DB_SECRET: creates the missing database, locks, migrates, sets its session limits', async (name, migrations) => {
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
        expect(Number(rows[0]?.wait)).toBe(Math.floor(config.DB_QUERY_TIMEOUT_MS / 1000));
      } finally {
        await database.close();
      }
    }
  });
});
