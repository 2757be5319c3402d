import { describe, expect, it } from 'vitest';
import { databaseConfigSchema, openServiceDatabase } from './database-config.js';

describe('a service database configuration', () => {
  it('refuses to start on SQLite when MySQL is required, naming what is missing', () => {
    const config = databaseConfigSchema.parse({ DATABASE_REQUIRED: 'mysql' });
    expect(() => openServiceDatabase(config, '/tmp/never-created.db')).toThrow(/DB_SECRET.*DATABASE_URL.*SQLite/);
    const file = databaseConfigSchema.parse({ DATABASE_REQUIRED: 'mysql', DATABASE_URL: '/tmp/never-created.db' });
    expect(() => openServiceDatabase(file, '/tmp/never-created.db')).toThrow(/refusing to start on SQLite/);
  });

  it('takes MySQL when it is required and configured (nothing is opened until first use)', async () => {
    const config = databaseConfigSchema.parse({ DATABASE_REQUIRED: 'mysql', DATABASE_URL: 'mysql://user:pw@127.0.0.1:3306/name' });
    const database = openServiceDatabase(config, '/tmp/never-created.db');
    expect(database.dialect).toBe('mysql');
    await database.close();
  });

  it('is a configuration error naming DATABASE_URL for a URL of another scheme, without its password', () => {
    const parsed = databaseConfigSchema.safeParse({ DATABASE_URL: 'postgres://u:secretpw@127.0.0.1:5432/x' });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues.map((issue) => [issue.path.join('.'), issue.message])).toEqual([
      ['DATABASE_URL', expect.stringMatching(/^has the scheme "postgres:"/)],
    ]);
    expect(JSON.stringify(parsed.error?.issues)).not.toContain('secretpw');
    expect(databaseConfigSchema.safeParse({ DATABASE_URL: 'MySQL://u:pw@db/x' }).success).toBe(true);
  });

  it('is unknown to any other value', () => {
    expect(databaseConfigSchema.safeParse({ DATABASE_REQUIRED: 'sqlite' }).success).toBe(false);
  });
});
