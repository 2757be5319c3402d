/**
 * The production data path end to end (runs when MYSQL_URL is set; CI sets it): the platform
 * pointed at an empty MySQL/MariaDB server creates its databases and migrates; an outage turns
 * into fast 503s and heals without restarting anything; three booking instances starting at
 * once against a new database migrate once, without errors.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningPlatform } from '../../scripts/platform-launcher.js';
import { eventually, freePort } from '../support/free-port.js';
import { mysqlAdmin, mysqlCredentials, mysqlServer } from '../support/mysql-admin.js';
import { startTestPlatform, type TestPlatform } from '../support/test-platform.js';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.js';

const mysqlUrl = process.env['MYSQL_URL'];

describe.runIf(mysqlUrl)('Stream-Seat on MySQL', () => {
  const server = mysqlServer();
  const suffix = randomBytes(3).toString('hex');
  const names = { event: `e2e_events_${suffix}`, booking: `e2e_bookings_${suffix}`, race: `e2e_race_${suffix}` };
  const credentials = mysqlCredentials(server);
  const admin = mysqlAdmin;
  let proxy: TcpProxy;
  let test: TestPlatform;
  let platform: RunningPlatform;

  beforeAll(async () => {
    proxy = await startTcpProxy(server.hostname, Number(server.port || 3306));
    const viaProxy = (name: string) => `mysql://${credentials}@127.0.0.1:${proxy.port}/${name}`;
    test = await startTestPlatform({
      name: 'mysql',
      serviceEnv: { event: { DATABASE_URL: viaProxy(names.event) }, booking: { DATABASE_URL: viaProxy(names.booking) } },
    });
    platform = test.platform;
  }, 90_000);

  afterAll(async () => {
    await test?.stop();
    await proxy?.close();
    for (const name of Object.values(names)) await admin(`DROP DATABASE IF EXISTS \`${name}\``);
  });

  it('creates both databases and records their migrations', async () => {
    const databases = await admin<Array<{ name: string }>>(
      `SELECT schema_name AS name FROM information_schema.schemata WHERE schema_name LIKE 'e2e\\_%${suffix}'`,
    );
    expect(databases.map((d) => d.name).sort()).toEqual([names.booking, names.event].sort());
    for (const name of [names.event, names.booking]) {
      const migrations = await admin<unknown[]>(`SELECT name FROM \`${name}\`.kysely_migration`);
      expect(migrations.length).toBeGreaterThan(0);
    }
    expect((await fetch(`${platform.urls.gateway}/api/events`)).status).toBe(200);
  });

  it('answers 503 problems while the database is down and recovers by itself', async () => {
    await proxy.cut();
    try {
      const down = await fetch(`${platform.urls.gateway}/api/events`, { signal: AbortSignal.timeout(10_000) });
      expect(down.status).toBe(503);
      expect(down.headers.get('content-type')).toMatch(/application\/problem\+json/);
      // The service's own 503, passed through the gateway, says when to come back.
      expect(down.headers.get('retry-after')).toBe('5');
      const ready = await fetch(`${platform.urls.event}/ready`);
      expect(ready.status).toBe(503);
      // Unready, but still started (migrated, registered): a container platform watching /started
      // keeps the task through a database fail-over instead of replacing it.
      const started = await fetch(`${platform.urls.event}/started`);
      expect(started.status).toBe(200);
      expect(await started.json()).toMatchObject({ checks: { startup: 'UP', registry: 'UP' } });
    } finally {
      await proxy.restore();
    }
    await eventually(
      async () => ((await fetch(`${platform.urls.gateway}/api/events`)).status === 200 ? true : undefined),
      15_000,
      'the event service to answer again',
    );
  }, 30_000);

  it('migrates once when three booking instances start together on a new database', async () => {
    const url = `mysql://${credentials}@${server.hostname}:${server.port || 3306}/${names.race}`;
    const output: string[][] = [[], [], []];
    const children: ChildProcess[] = [];
    const ports = [await freePort(), await freePort(), await freePort()];
    for (const [i, port] of ports.entries()) {
      const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', 'services/booking/src/main.ts'], {
        env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', DATABASE_URL: url, EUREKA_URL: '', JWT_SECRET: 'x'.repeat(32), SERVICE_TOKEN: 's'.repeat(32) },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      for (const stream of [child.stdout, child.stderr]) createInterface({ input: stream }).on('line', (l) => output[i]?.push(l));
      children.push(child);
    }
    try {
      for (const port of ports) {
        await eventually(
          async () => ((await fetch(`http://127.0.0.1:${port}/ready`)).status === 200 ? true : undefined),
          30_000,
          `booking on ${port} to be ready`,
        );
      }
      const recorded = await admin<Array<{ name: string }>>(`SELECT name FROM \`${names.race}\`.kysely_migration`);
      const applied = output
        .flat()
        .filter((line) => line.includes('"database ready"'))
        .flatMap((line) => (JSON.parse(line) as { applied: string[] }).applied);
      expect(applied.sort()).toEqual(recorded.map((r) => r.name).sort());
      const errors = output.flat().filter((line) => /"level":"(error|fatal)"/.test(line));
      expect(errors).toEqual([]);
    } finally {
      for (const child of children) child.kill('SIGTERM');
      await Promise.all(children.map((c) => (c.exitCode === null ? once(c, 'exit') : undefined)));
    }
  }, 60_000);
});
