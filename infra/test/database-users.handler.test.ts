// The provisioning Lambda without AWS or a database: what it reads, where it connects, what it refuses.
import { describe, expect, it } from 'vitest';
import { createHandler, type CustomResourceEvent, type HandlerDeps, PHYSICAL_ID } from '../lambda/database-users/custom-resource.js';
import { grantDatabasePattern, hasDualPasswords, provisioningStatements, provisionServiceUsers } from '../lambda/database-users/provision.js';

const MASTER = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:stream-seat/database-AbCdEf';
const EVENT = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:stream-seat/database/event-AbCdEf';
const BOOKING = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:stream-seat/database/booking-AbCdEf';

const secrets: Record<string, string> = {
  [MASTER]: JSON.stringify({ username: 'stream_seat', password: 'master-pw', host: 'db.example.internal', port: 3306, engine: 'mysql' }),
  [EVENT]: JSON.stringify({ username: 'event_svc', password: 'event-pw', host: 'db.example.internal', port: 3306, dbname: 'stream_seat_events' }),
  [BOOKING]: JSON.stringify({ username: 'booking_svc', password: 'booking-pw', host: 'db.example.internal', port: 3306, dbname: 'stream_seat_bookings' }),
};

function event(type: CustomResourceEvent['RequestType'], requireTls: string = 'true'): CustomResourceEvent {
  return {
    RequestType: type,
    ...(type === 'Create' ? {} : { PhysicalResourceId: PHYSICAL_ID }),
    ResourceProperties: {
      MasterSecretArn: MASTER,
      Users: [
        { SecretArn: EVENT, Database: 'stream_seat_events' },
        { SecretArn: BOOKING, Database: 'stream_seat_bookings' },
      ],
      RequireTls: requireTls,
    },
  };
}

function fakes(overrides: Partial<Record<string, string>> = {}) {
  const calls = { read: [] as string[], connect: [] as object[], queries: [] as { sql: string; values: string[] }[], logs: [] as string[], ended: 0 };
  const deps: HandlerDeps = {
    async readSecret(arn) {
      calls.read.push(arn);
      const value = overrides[arn] ?? secrets[arn];
      if (value === undefined) throw new Error(`no secret ${arn}`);
      return value;
    },
    async connect(options) {
      calls.connect.push(options);
      return {
        async query(sql: string, values: string[]) {
          calls.queries.push({ sql, values });
          return [];
        },
        async end() {
          calls.ended++;
        },
      };
    },
    log: (line) => calls.logs.push(line),
  };
  return { deps, calls };
}

describe('the provisioning handler', () => {
  it('on Create, reads the master and both service secrets and provisions both users over the master connection', async () => {
    const { deps, calls } = fakes();
    const result = await createHandler(deps)(event('Create'));
    expect(result.PhysicalResourceId).toBe(PHYSICAL_ID);
    expect(calls.read).toEqual([MASTER, EVENT, BOOKING]);
    expect(calls.connect).toEqual([{ host: 'db.example.internal', port: 3306, user: 'stream_seat', password: 'master-pw' }]);
    const users = calls.queries.filter((q) => q.sql.startsWith('CREATE USER')).map((q) => q.values);
    expect(users).toEqual([['event_svc', 'event-pw'], ['booking_svc', 'booking-pw']]);
    const grants = calls.queries.filter((q) => q.sql.startsWith('GRANT')).map((q) => [q.sql, q.values]);
    // The list, not ALL: no DROP (of the database itself), routines, triggers, events, views or locks.
    const list = 'SELECT, INSERT, UPDATE, DELETE, CREATE, ALTER, INDEX, REFERENCES';
    expect(grants).toEqual([
      [`GRANT ${list} ON \`stream\\_seat\\_events\`.* TO ?@'%'`, ['event_svc']],
      [`GRANT ${list} ON \`stream\\_seat\\_bookings\`.* TO ?@'%'`, ['booking_svc']],
    ]);
    // GRANT only adds: what an earlier release granted (ALL) goes first, right before each grant.
    const privilegeSteps = calls.queries.filter((q) => /^(REVOKE|GRANT)/.test(q.sql)).map((q) => `${q.sql.split(' ')[0]} ${q.values.join()}`);
    expect(privilegeSteps).toEqual(['REVOKE event_svc', 'GRANT event_svc', 'REVOKE booking_svc', 'GRANT booking_svc']);
    expect(calls.queries.filter((q) => q.sql.startsWith('REVOKE')).map((q) => q.sql)).toEqual([
      "REVOKE ALL PRIVILEGES, GRANT OPTION FROM ?@'%'",
      "REVOKE ALL PRIVILEGES, GRANT OPTION FROM ?@'%'",
    ]);
    expect(calls.queries.filter((q) => q.sql.startsWith('ALTER USER')).every((q) => q.sql.endsWith('REQUIRE SSL'))).toBe(true);
    expect(calls.ended).toBe(1);
  });

  it('runs again on Update, keeping the same physical id so CloudFormation deletes nothing', async () => {
    const { deps, calls } = fakes();
    const result = await createHandler(deps)(event('Update', 'false'));
    expect(result.PhysicalResourceId).toBe(PHYSICAL_ID);
    expect(calls.queries.filter((q) => q.sql.startsWith('ALTER USER')).map((q) => q.sql.endsWith('REQUIRE NONE'))).toEqual([true, true]);
  });

  it('on Update, sets again only the passwords of secrets the run before did not provision (a new generation)', async () => {
    const { deps, calls } = fakes();
    const update = event('Update');
    const old = { ...update.ResourceProperties, Users: [update.ResourceProperties.Users[0], { SecretArn: `${BOOKING}-gen1`, Database: 'stream_seat_bookings' }] } as typeof update.ResourceProperties;
    await createHandler(deps)({ ...update, OldResourceProperties: old });
    const alters = calls.queries.filter((q) => q.sql.startsWith('ALTER USER'));
    // event's secret is the one provisioned before: its password stays as it is (setting it again
    // would drop the password MySQL keeps for tasks on the previous one); booking's is new.
    expect(alters).toEqual([
      { sql: "ALTER USER ?@'%' REQUIRE SSL", values: ['event_svc'] },
      { sql: "ALTER USER ?@'%' IDENTIFIED BY ? REQUIRE SSL", values: ['booking_svc', 'booking-pw'] },
    ]);
  });

  it('does nothing on Delete: no secret read, no connection, users and data kept', async () => {
    const { deps, calls } = fakes();
    const result = await createHandler(deps)(event('Delete'));
    expect(result.PhysicalResourceId).toBe(PHYSICAL_ID);
    expect(calls.read).toEqual([]);
    expect(calls.connect).toEqual([]);
  });

  it('never logs a password', async () => {
    const { deps, calls } = fakes();
    await createHandler(deps)(event('Create'));
    expect(calls.logs.length).toBeGreaterThan(0);
    for (const pw of ['master-pw', 'event-pw', 'booking-pw']) expect(calls.logs.join('\n')).not.toContain(pw);
  });

  it('refuses a service secret that names the master user, before running any statement', async () => {
    const { deps, calls } = fakes({ [BOOKING]: JSON.stringify({ username: 'stream_seat', password: 'x', host: 'h' }) });
    await expect(createHandler(deps)(event('Create'))).rejects.toThrow(/admin user/);
    expect(calls.queries).toEqual([]);
  });

  it('refuses a secret without a password', async () => {
    const { deps } = fakes({ [EVENT]: JSON.stringify({ username: 'event_svc', host: 'h' }) });
    await expect(createHandler(deps)(event('Create'))).rejects.toThrow(/has no password/);
  });
});

describe('the provisioning SQL', () => {
  const user = { username: 'event_svc', password: "it's-a-secret", database: 'stream_seat_events' };

  it('names exactly one database in the grant: _ and % are escaped, not wildcards', () => {
    expect(grantDatabasePattern('stream_seat_events')).toBe('stream\\_seat\\_events');
    expect(grantDatabasePattern('a%b')).toBe('a\\%b');
  });

  it('keeps a replaced password valid on servers with dual passwords (MySQL 8.0.14 on), not on MariaDB', async () => {
    expect(['8.4.7', '8.0.14', '8.0.36-log', '9.1.0'].map(hasDualPasswords)).toEqual([true, true, true, true]);
    expect(['8.0.13', '5.7.44', '10.11.19-MariaDB-0+deb12u1', '11.4.2-MariaDB', undefined].map(hasDualPasswords)).toEqual([false, false, false, false, false]);
    const setPassword = (version: string) => {
      const queries: string[] = [];
      const connection = { query: async (sql: string) => (queries.push(sql), sql.startsWith('SELECT VERSION()') ? [[{ version }]] : []) };
      return provisionServiceUsers(connection, [user], { requireTls: true }).then(() => queries.find((q) => q.startsWith('ALTER USER')));
    };
    expect(await setPassword('8.4.7')).toBe("ALTER USER ?@'%' IDENTIFIED BY ? RETAIN CURRENT PASSWORD REQUIRE SSL");
    expect(await setPassword('10.11.19-MariaDB')).toBe("ALTER USER ?@'%' IDENTIFIED BY ? REQUIRE SSL");
  });

  it('keeps the password out of the statement text: it travels as an escaped value', () => {
    for (const statement of provisioningStatements(user, { requireTls: true })) expect(statement.sql).not.toContain(user.password);
  });

  it('refuses names outside the services’ own rules', () => {
    expect(() => provisioningStatements({ ...user, database: 'x`; DROP DATABASE y; --' }, { requireTls: true })).toThrow(/database name/);
    expect(() => provisioningStatements({ ...user, username: "a'@'%" }, { requireTls: true })).toThrow(/user name/);
    expect(() => provisioningStatements({ ...user, username: 'a'.repeat(33) }, { requireTls: true })).toThrow(/user name/);
  });

  it('refuses two services sharing one user', async () => {
    const connection = { query: async () => [] };
    await expect(provisionServiceUsers(connection, [user, { ...user, database: 'other' }], { requireTls: true })).rejects.toThrow(/share a user name/);
  });
});
