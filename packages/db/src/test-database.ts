/**
 * Test databases: every suite runs on SQLite and, when MYSQL_URL is set, on MySQL/MariaDB too —
 * each run in a fresh database it creates and drops.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createConnection } from 'mysql2';
import type { Dialect } from './connection-url.js';

export interface TestDatabase {
  dialect: Dialect;
  /** A DATABASE_URL for the fresh database. */
  url: string;
  drop(): Promise<void>;
}

/** The dialects this run covers: always SQLite; MySQL when MYSQL_URL is set. */
export function testDialects(): Dialect[] {
  return process.env['MYSQL_URL'] ? ['sqlite', 'mysql'] : ['sqlite'];
}

export async function createTestDatabase(dialect: Dialect, prefix: string): Promise<TestDatabase> {
  const suffix = randomBytes(4).toString('hex');
  if (dialect === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), `stream-seat-${prefix}-`));
    return {
      dialect,
      url: join(dir, 'test.db'),
      async drop() {
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const base = process.env['MYSQL_URL'];
  if (!base) throw new Error('MYSQL_URL is not set');
  const server = new URL(base);
  server.pathname = '';
  const name = `test_${prefix.replace(/\W/g, '_')}_${suffix}`;
  const admin = () =>
    createConnection({
      host: server.hostname,
      port: Number(server.port || 3306),
      user: decodeURIComponent(server.username || 'root'),
      password: decodeURIComponent(server.password),
    }).promise();
  const setup = admin();
  try {
    await setup.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4`);
  } finally {
    await setup.end();
  }
  return {
    dialect,
    url: `${server.toString().replace(/\/$/, '')}/${name}`,
    async drop() {
      const connection = admin();
      try {
        await connection.query(`DROP DATABASE IF EXISTS \`${name}\``);
      } finally {
        await connection.end();
      }
    },
  };
}
