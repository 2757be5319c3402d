/**
 * The suites on MySQL/MariaDB and on Redis run only when MYSQL_URL and REDIS_URL are set (a laptop
 * without them runs every data suite on SQLite, green). CI sets REQUIRE_SERVICES=1 (`.ci/run`):
 * then a missing or unreachable server fails the run here, instead of the run passing with those
 * suites quietly skipped — as REQUIRE_BROWSER does for Chromium.
 */
import { Redis } from 'ioredis';
import { createConnection } from 'mysql2/promise';
import { describe, expect, it } from 'vitest';

const required = Boolean(process.env['REQUIRE_SERVICES']);

describe.runIf(required)('the servers the suite must run against (REQUIRE_SERVICES)', () => {
  it('has MYSQL_URL set, and its server answers', async () => {
    const url = process.env['MYSQL_URL'];
    expect(url, 'MYSQL_URL is not set: the MySQL/MariaDB suites would be skipped').toBeTruthy();
    const connection = await createConnection({ uri: url, connectTimeout: 10_000 });
    try {
      const [rows] = await connection.query('SELECT 1 AS one');
      expect(rows).toEqual([{ one: 1 }]);
    } finally {
      await connection.end();
    }
  });

  it('has REDIS_URL set, and its server answers', async () => {
    const url = process.env['REDIS_URL'];
    expect(url, 'REDIS_URL is not set: the Redis fan-out suites would be skipped').toBeTruthy();
    const redis = new Redis(url ?? '', { lazyConnect: true, maxRetriesPerRequest: 1, connectTimeout: 10_000 });
    redis.on('error', () => undefined); // said by connect()'s rejection
    try {
      await redis.connect();
      expect(await redis.ping()).toBe('PONG');
    } finally {
      redis.disconnect();
    }
  });
});
