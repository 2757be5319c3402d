// The services' `migrate` command as an operator runs it: its own process, a database named by
// DATABASE_URL, nothing listening; it migrates, ends with 0, and a second run finds nothing to do.
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createTestDatabase, databaseConfigFor, openServiceDatabase, testDialects } from '@stream-seat/db';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { bookingMigrations } from '../../services/booking/src/db/migrations/index.js';
import { eventMigrations } from '../../services/event/src/db/migrations/index.js';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../../', import.meta.url));

/**
 * Runs a service's migrate command with only `env` (and PATH): no registry, no token, no port.
 * Its exit code and what it printed.
 */
async function command(service: 'event' | 'booking', env: Record<string, string>, cwd = root, entry = 'migrate.ts'): Promise<{ code: number; stdout: string }> {
  const args = ['--conditions=source', '--import', import.meta.resolve('tsx'), `${root}services/${service}/src/${entry}`];
  return run(process.execPath, args, { cwd, env: { PATH: process.env['PATH'] ?? '', ...env }, timeout: 60_000 }).then(
    ({ stdout }) => ({ code: 0, stdout }),
    (error: { code?: number; stdout?: string }) => ({ code: error.code ?? -1, stdout: error.stdout ?? '' }),
  );
}

async function migrate(service: 'event' | 'booking', url: string) {
  const { code, stdout } = await command(service, { DATABASE_URL: url, LOG_LEVEL: 'info' });
  expect(code, stdout).toBe(0);
  const ready = stdout
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as { msg: string; applied?: string[] })
    .find((line) => line.msg === 'database ready');
  if (!ready) throw new Error(`no "database ready" line in ${stdout}`);
  return ready.applied;
}

describe.each(testDialects())('the migrate command on %s', (dialect) => {
  it.each(['event', 'booking'] as const)('migrates the %s database, then finds nothing to do', async (service) => {
    const testDb = await createTestDatabase(dialect, `migrate_${service}`);
    try {
      const expected = Object.keys((service === 'event' ? eventMigrations : bookingMigrations)(dialect));
      expect(await migrate(service, testDb.url)).toEqual(expected);
      expect(await migrate(service, testDb.url)).toEqual([]);
      const database = openServiceDatabase<unknown>(databaseConfigFor(testDb.url), 'unused.db');
      try {
        const { rows } = await sql<{ name: string }>`select name from kysely_migration order by name`.execute(database.db);
        expect(rows.map((row) => row.name)).toEqual([...expected].sort());
      } finally {
        await database.close();
      }
    } finally {
      await testDb.drop();
    }
  });

  it('ends with 1 and says why when the database cannot be had', async () => {
    const bad = dialect === 'sqlite' ? '/etc/passwd/x.db' : `${process.env['MYSQL_URL'] ?? ''}/bad-name!`;
    const failed = await command('booking', { DATABASE_URL: bad, DB_CONNECT_TIMEOUT_MS: '0' });
    expect(failed.code).toBe(1);
    expect(failed.stdout).toContain('migration failed');
  });
});

describe.runIf(process.env['MYSQL_URL'])('a service whose database refuses its credentials', () => {
  it('ends its start at once with 1 and a fatal line saying so (it had waited in startup: DOWN for good, silently)', async () => {
    const server = new URL(process.env['MYSQL_URL'] ?? '');
    const url = `mysql://no_such_user_${Date.now()}:wrong@${server.host}/never_created`;
    const env = { DATABASE_URL: url, JWT_SECRET: 'a-test-secret-of-enough-length', SERVICE_TOKEN: 'a-test-service-token-0123', PORT: '0', HOST: '127.0.0.1', EUREKA_URL: 'http://127.0.0.1:9/eureka' };
    const started = await command('event', env, root, 'main.ts');
    expect(started.code, started.stdout).toBe(1);
    const fatal = started.stdout.split('\n').filter(Boolean).map((line) => JSON.parse(line) as { level: string; msg: string; err?: { message: string } }).find((line) => line.level === 'fatal');
    expect(fatal).toMatchObject({ msg: 'start-up failed', err: { message: expect.stringMatching(/^Access denied/) } });
  });
});

describe('the migrate command without a database named', () => {
  it('ends with 1 and migrates nothing when no database is named (the service would fall back to its own file)', async () => {
    // From a directory of its own, where a fallback file would show.
    const cwd = mkdtempSync(join(tmpdir(), 'migrate-unnamed-'));
    try {
      const failed = await command('booking', { DATABSE_URL: 'mysql://misspelt' }, cwd);
      expect(failed.code).toBe(1);
      expect(failed.stdout).toContain('name the database to migrate');
      expect(readdirSync(cwd)).toEqual([]);
    } finally {
      rmSync(cwd, { recursive: true, force: true });
    }
  });
});
