import { describe, expect, it } from 'vitest';
import { resolveTarget } from './connection-url.js';

const defaults = { defaultSqliteFile: 'data/x.db' };

describe('resolveTarget', () => {
  it('defaults to the embedded SQLite file', () => {
    expect(resolveTarget(defaults)).toEqual({ dialect: 'sqlite', file: 'data/x.db' });
  });

  it('takes a bare path or a sqlite: URL', () => {
    expect(resolveTarget({ ...defaults, url: '/tmp/a.db' })).toEqual({ dialect: 'sqlite', file: '/tmp/a.db' });
    expect(resolveTarget({ ...defaults, url: 'sqlite:./b.db' })).toEqual({ dialect: 'sqlite', file: './b.db' });
  });

  it('takes a scheme in any case, and refuses a URL of another scheme without repeating it (it holds the password)', () => {
    expect(resolveTarget({ ...defaults, url: 'MySQL://root:pw@127.0.0.1:3306/x' })).toMatchObject({ dialect: 'mysql', host: '127.0.0.1', user: 'root', password: 'pw', database: 'x' });
    expect(resolveTarget({ ...defaults, url: 'MARIADB://root:pw@db/x' })).toMatchObject({ dialect: 'mysql', host: 'db' });
    expect(resolveTarget({ ...defaults, url: 'SQLite:./c.db' })).toEqual({ dialect: 'sqlite', file: './c.db' });
    for (const url of ['postgres://u:secretpw@127.0.0.1:5432/x', 'mysqlx://u:secretpw@h/x', 'http://u:secretpw@h/x', 'jdbc:mysql://u:secretpw@h/x']) {
      const refused = (() => {
        try {
          resolveTarget({ ...defaults, url });
          return undefined;
        } catch (error) {
          return (error as Error).message;
        }
      })();
      expect(refused, url).toMatch(/^DATABASE_URL has the scheme "[a-z]+:", which no service speaks/);
      expect(refused).not.toContain('secretpw');
    }
    // A Windows path is a path.
    expect(resolveTarget({ ...defaults, url: 'C:\\data\\x.db' })).toEqual({ dialect: 'sqlite', file: 'C:\\data\\x.db' });
  });

  it('parses a mysql URL with escaped credentials', () => {
    expect(resolveTarget({ ...defaults, url: 'mysql://app:p%40ss@db.internal:3307/stream_seat_bookings' })).toEqual({
      dialect: 'mysql',
      host: 'db.internal',
      port: 3307,
      user: 'app',
      password: 'p@ss',
      database: 'stream_seat_bookings',
    });
  });

  it('prefers the Secrets Manager JSON, with the database name from DATABASE_NAME', () => {
    const secret = JSON.stringify({ username: 'admin', password: 'pw', host: 'rds.aws', port: 3306, dbname: 'other' });
    expect(resolveTarget({ ...defaults, secret, databaseName: 'stream_seat_events', url: 'ignored.db' })).toMatchObject({
      dialect: 'mysql',
      host: 'rds.aws',
      user: 'admin',
      password: 'pw',
      database: 'stream_seat_events',
    });
  });

  it('rejects a secret without a password, a URL without a database, and unsafe names', () => {
    expect(() => resolveTarget({ ...defaults, secret: '{"username":"a","host":"h"}' })).toThrow(/password/);
    expect(() => resolveTarget({ ...defaults, secret: 'not json' })).toThrow(/JSON/);
    expect(() => resolveTarget({ ...defaults, url: 'mysql://root@localhost:3306' })).toThrow(/names no database/);
    expect(() => resolveTarget({ ...defaults, url: 'mysql://root@localhost/x`;drop' })).toThrow(/must match/);
  });

  it('refuses a URL that does not parse without repeating it: it holds the password', () => {
    let message = '';
    try {
      resolveTarget({ ...defaults, url: 'mysql://root:Pa/ssw0rd@mysql:3306/stream_seat_bookings' });
    } catch (error) {
      message = `${(error as Error).message} ${JSON.stringify(error)} ${String((error as Error).cause ?? '')}`;
    }
    expect(message).toMatch(/DATABASE_URL is not a valid URL: percent-encode/);
    expect(message).not.toContain('Pa/ssw0rd');
    // A password that starts with digits parses as a port and a path: refused the same way, not as a database name.
    let second = '';
    try {
      resolveTarget({ ...defaults, url: 'mysql://app:2024/Secret@db:3306/stream' });
    } catch (error) {
      second = (error as Error).message;
    }
    expect(second).toMatch(/DATABASE_URL is not a valid URL: percent-encode/);
    expect(second).not.toContain('Secret');
    // The same with a user name that has an '@' of its own: it parses with a user name, and used to be taken.
    expect(() => resolveTarget({ ...defaults, url: 'mysql://myadmin@srv:2024/Secret@db/x' })).toThrow(/^DATABASE_URL is not a valid URL/);
    // Proper credentials and an '@' in the query: fine. A backslash in the password: refused, not misread.
    expect(resolveTarget({ ...defaults, url: 'mysql://app:s3cret@db:3306/x?ssl=a@b' })).toMatchObject({ user: 'app', password: 's3cret', host: 'db', database: 'x' });
    expect(() => resolveTarget({ ...defaults, url: 'mysql://app:s3\\cret@db:3306/x' })).toThrow(/^DATABASE_URL is not a valid URL/);
    expect(resolveTarget({ ...defaults, url: 'mysql://app:s3cret@[::1]:3306/x' })).toMatchObject({ host: '::1', port: 3306 });
    // An '@' in the user name alone is fine (the parser takes the last one before the host).
    expect(resolveTarget({ ...defaults, url: 'mysql://myadmin@srv:p4ss@db:3306/x' })).toMatchObject({ user: 'myadmin@srv', password: 'p4ss', host: 'db' });
    // Escaped as the message says, the same password works.
    expect(resolveTarget({ ...defaults, url: 'mysql://root:Pa%2Fssw0rd@mysql:3306/stream_seat_bookings' })).toMatchObject({ password: 'Pa/ssw0rd' });
  });
});
