/**
 * `npm run bench -- holds`: N buyers race for the seats of one event through the booking service
 * over HTTP on loopback (the service in its own process), next to the raw limit of the same
 * database — a loop of the same conditional UPDATE in a transaction, through better-sqlite3 (and
 * mysql2 when MYSQL_URL is set) — in the same run, reported as a ratio. Bounded in requests and time.
 *
 * Both sides first make HOLDS_BENCH_WARMUP attempts on another event of the same hall, not measured:
 * a cold run measures connection set-up and JIT compilation more than holds (a bare fastify route
 * answered ~5k requests/s in its first 3000 requests here, and 20-29k/s after).
 *
 * The HTTP ceiling, in the same run: a bare fastify route in its own process — the service's
 * framework, no auth, no database — answering the same requests with a 409 problem, through the
 * same load generator. No service over HTTP on this machine goes faster; `service/ceiling` says
 * how much of it the booking service's own work takes, `ceiling/raw` how far HTTP alone is from
 * the in-process loop. CPU per attempt (from /proc) is steadier than attempts/s on a busy machine.
 *
 * Environment: HOLDS_BENCH_BUYERS (64), HOLDS_BENCH_REQUESTS (3000), HOLDS_BENCH_SECONDS (30),
 * HOLDS_BENCH_WARMUP (2000; 0 for the cold run);
 * HOLDS_BENCH_PROFILE_DIR writes a CPU profile of the service's process there (`node --cpu-prof`).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import SQLite from 'better-sqlite3';
import Fastify from 'fastify';
import { createPool } from 'mysql2/promise';
import { Pool } from 'undici';
import { createTestDatabase, databaseConfigFor, type Dialect, openServiceDatabase, startDatabase } from '@stream-seat/db';
import { createTokenVerifier, signDevToken } from '@stream-seat/platform';
import { buildBookingApp } from '../services/booking/src/app.js';
import { bookingMigrations } from '../services/booking/src/db/migrations/index.js';
import type { BookingDatabase } from '../services/booking/src/db/schema.js';
import { planInventory } from '../services/booking/src/domain/inventory-plan.js';
import { createInMemoryCatalogue, hallEvent } from '../services/booking/test/in-memory-catalogue.js';
import { report, summarize } from './bench-report.js';
import { cpuMs } from './process-usage.js';

const BUYERS = Number(process.env['HOLDS_BENCH_BUYERS'] ?? 64);
const REQUESTS = Number(process.env['HOLDS_BENCH_REQUESTS'] ?? 3000);
const SECONDS = Number(process.env['HOLDS_BENCH_SECONDS'] ?? 30);
const WARMUP = Number(process.env['HOLDS_BENCH_WARMUP'] ?? 2000);
const PROFILE_DIR = process.env['HOLDS_BENCH_PROFILE_DIR'];
const SECRET = 'holds-bench-secret-0123456789abcdef';
const HALL = { rows: 100, seatsPerRow: 50, floor: 0 };
const EVENT_ID = 'bench-event';
/** Warm-up attempts go to another event with the same hall, so the measured seats start untouched. */
const WARMUP_EVENT_ID = 'warmup-event';

/** The same pseudo-random seat pairs for the service and the raw loop. */
function seatPairs(count: number): string[][] {
  const { map } = hallEvent(EVENT_ID, HALL);
  const ids = map.seats.map((s) => s.id);
  // mulberry32: small, fast, and good enough to spread picks evenly.
  let state = 7;
  const next = () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ids[((t ^ (t >>> 14)) >>> 0) % ids.length] as string;
  };
  return Array.from({ length: count }, () => [...new Set([next(), next()])].sort());
}

interface Run {
  samples: number[];
  ok: number;
  conflicts: number;
  errors: number;
  seconds: number;
  /** CPU the serving process used per attempt, in microseconds (HTTP runs only). */
  cpuUsPerAttempt?: number;
}

/** N workers take the next job until the jobs or the time run out. */
async function runWorkers(workers: number, jobs: string[][], job: (seats: string[], worker: number) => Promise<boolean>): Promise<Run> {
  const run: Run = { samples: [], ok: 0, conflicts: 0, errors: 0, seconds: 0 };
  const deadline = Date.now() + SECONDS * 1000;
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: workers }, async (_, worker) => {
      while (next < jobs.length && Date.now() < deadline) {
        const seats = jobs[next++] as string[];
        const t0 = performance.now();
        try {
          if (await job(seats, worker)) run.ok++;
          else run.conflicts++;
        } catch {
          run.errors++;
        }
        run.samples.push(performance.now() - t0);
      }
    }),
  );
  run.seconds = (performance.now() - started) / 1000;
  return run;
}

// ---- server mode: the booking service alone in this process --------------------------------------
async function serve(): Promise<void> {
  const url = process.env['BENCH_DATABASE_URL'] as string;
  const database = openServiceDatabase<BookingDatabase>(databaseConfigFor(url), url);
  await startDatabase(database, bookingMigrations(database.dialect));
  const catalogue = createInMemoryCatalogue();
  for (const eventId of [EVENT_ID, WARMUP_EVENT_ID]) {
    const { event, map } = hallEvent(eventId, HALL);
    catalogue.put(event, map);
  }
  const app = buildBookingApp({
    database,
    verifier: createTokenVerifier({ AUTH_MODE: 'dev', JWT_SECRET: SECRET }),
    catalogue,
    // Nothing calls /internal/* in the bench; the route still refuses whoever lacks this.
    serviceToken: randomBytes(24).toString('hex'),
    settings: { maxActiveHoldsPerBuyer: 1_000_000, holdSweepIntervalMs: 3_600_000 },
    logger: false,
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  process.stdout.write(`${JSON.stringify({ port: typeof address === 'object' && address ? address.port : 0 })}\n`);
  process.on('SIGTERM', () => {
    void app.close().then(() => database.close()).then(() => process.exit(0));
  });
}

// ---- ceiling mode: a bare fastify route in this process, answering every hold with a 409 ---------
async function serveCeiling(): Promise<void> {
  const app = Fastify({ logger: false });
  app.post('/api/holds', async (request, reply) => {
    const { seatIds } = request.body as { seatIds: string[] };
    return reply.code(409).type('application/problem+json').send({ type: 'about:blank', title: 'Seats unavailable', status: 409, unavailable: seatIds });
  });
  app.get('/api/availability/:eventId', async () => ({ seats: [] }));
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  process.stdout.write(`${JSON.stringify({ port: typeof address === 'object' && address ? address.port : 0 })}\n`);
  process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
}

type ServerMode = '--serve' | '--serve-ceiling';

async function startServer(mode: ServerMode, databaseUrl: string): Promise<{ child: ChildProcess; url: string }> {
  const profile = PROFILE_DIR && mode === '--serve' ? ['--cpu-prof', '--cpu-prof-dir', PROFILE_DIR] : [];
  const child = spawn(process.execPath, [...profile, '--conditions=source', '--import', 'tsx', fileURLToPath(import.meta.url), mode], {
    env: { ...process.env, BENCH_DATABASE_URL: databaseUrl },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`bench server exited with ${code}`)));
  });
  return { child, url: `http://127.0.0.1:${(JSON.parse(line) as { port: number }).port}` };
}

async function benchHttp(mode: ServerMode, databaseUrl: string, jobs: string[][]): Promise<Run> {
  const { child, url } = await startServer(mode, databaseUrl);
  try {
    const pool = new Pool(url, { connections: BUYERS, pipelining: 1 });
    const tokens = await Promise.all(Array.from({ length: BUYERS }, (_, i) => signDevToken(SECRET, { sub: `buyer-${i}`, role: 'buyer' })));
    const post = async (eventId: string, seatIds: string[], worker: number) => {
      const res = await pool.request({
        method: 'POST',
        path: '/api/holds',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${tokens[worker]}` },
        body: JSON.stringify({ eventId, seatIds }),
      });
      await res.body.dump();
      if (res.statusCode === 201) return true;
      if (res.statusCode === 409) return false;
      throw new Error(`status ${res.statusCode}`);
    };
    // Not measured: the measured event's inventory is created (by a read, which holds no seat), and
    // the warm-up opens the connections and JITs the path.
    const availability = await pool.request({ method: 'GET', path: `/api/availability/${EVENT_ID}` });
    await availability.body.dump();
    if (availability.statusCode !== 200) throw new Error(`availability: status ${availability.statusCode}`);
    if (WARMUP > 0) await runWorkers(BUYERS, jobs.slice(0, WARMUP), (seats, worker) => post(WARMUP_EVENT_ID, seats, worker));
    const cpuBefore = cpuMs(child.pid);
    const run = await runWorkers(BUYERS, jobs, (seats, worker) => post(EVENT_ID, seats, worker));
    run.cpuUsPerAttempt = ((cpuMs(child.pid) - cpuBefore) * 1000) / run.samples.length;
    await pool.close();
    return run;
  } finally {
    // Waiting for the exit keeps the server's CPU out of the raw loop's run (and lets it write its profile).
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }
}

const CLAIM_SQL =
  "UPDATE seats SET status = 'HELD', hold_id = ?, expires_at = ?, order_id = NULL WHERE event_id = ? AND seat_id IN (?, ?) " +
  "AND (status = 'AVAILABLE' OR (status = 'HELD' AND expires_at <= ?))";

const RAW_EVENT_ID = 'raw-event';
const RAW_WARMUP_EVENT_ID = 'raw-warmup-event';

/** The seat rows of the same hall (measured and warm-up), inserted through the service's own schema. */
async function prepareRawTable(databaseUrl: string): Promise<void> {
  const database = openServiceDatabase<BookingDatabase>(databaseConfigFor(databaseUrl), databaseUrl);
  await startDatabase(database, bookingMigrations(database.dialect));
  for (const eventId of [RAW_EVENT_ID, RAW_WARMUP_EVENT_ID]) {
    const { map } = hallEvent(eventId, HALL);
    const seats = planInventory(map);
    for (let i = 0; i < seats.length; i += 500) {
      await database.db
        .insertInto('seats')
        .values(
          seats.slice(i, i + 500).map((s) => ({
            event_id: eventId, seat_id: s.seatId, section: s.section, row_label: s.row, seat_number: s.number, kind: s.kind,
            tier: s.tier, price_cents: s.priceCents, x: s.x, y: s.y, status: 'AVAILABLE' as const, hold_id: null, expires_at: null, order_id: null,
          })),
        )
        .execute();
    }
  }
  await database.close();
}

function pairArgs(eventId: string, seats: string[], n: number): [string, number, string, string, string, number] {
  const now = Date.now();
  return [`raw-${n}`, now + 600_000, eventId, seats[0] as string, (seats[1] ?? seats[0]) as string, now];
}

async function benchRawSqlite(file: string, jobs: string[][]): Promise<Run> {
  await prepareRawTable(file);
  const db = new SQLite(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  const claim = db.prepare(CLAIM_SQL);
  let n = 0;
  const hold = db.transaction((eventId: string, seats: string[]) => {
    const changed = claim.run(...pairArgs(eventId, seats, n++)).changes;
    if (changed !== new Set(seats).size) throw new Error('conflict');
  });
  const attempt = (eventId: string) => async (seats: string[]) => {
    try {
      hold(eventId, seats);
      return true;
    } catch {
      return false;
    }
  };
  // One connection, as SQLite writers are serialized anyway.
  if (WARMUP > 0) await runWorkers(1, jobs.slice(0, WARMUP), attempt(RAW_WARMUP_EVENT_ID));
  const run = await runWorkers(1, jobs, attempt(RAW_EVENT_ID));
  db.close();
  return run;
}

async function benchRawMysql(url: string, jobs: string[][]): Promise<Run> {
  await prepareRawTable(url);
  const target = new URL(url);
  const pool = createPool({
    host: target.hostname, port: Number(target.port || 3306), user: decodeURIComponent(target.username || 'root'),
    password: decodeURIComponent(target.password), database: target.pathname.slice(1), connectionLimit: BUYERS,
  });
  let n = 0;
  const attempt = (eventId: string) => async (seats: string[]) => {
    const conn = await pool.getConnection();
    try {
      await conn.beginTransaction();
      const [result] = await conn.execute(CLAIM_SQL, pairArgs(eventId, seats, n++));
      if ((result as { affectedRows: number }).affectedRows !== new Set(seats).size) {
        await conn.rollback();
        return false;
      }
      await conn.commit();
      return true;
    } finally {
      conn.release();
    }
  };
  if (WARMUP > 0) await runWorkers(BUYERS, jobs.slice(0, WARMUP), attempt(RAW_WARMUP_EVENT_ID));
  const run = await runWorkers(BUYERS, jobs, attempt(RAW_EVENT_ID));
  await pool.end();
  return run;
}

function row(name: string, run: Run): Record<string, string | number> {
  const s = summarize(run.samples);
  return {
    name,
    requests: run.samples.length,
    held: run.ok,
    conflicts: run.conflicts,
    errors: run.errors,
    'attempts/s': run.samples.length / run.seconds,
    'holds/s': run.ok / run.seconds,
    'p50 ms': s.p50,
    'p99 ms': s.p99,
    'server CPU µs/attempt': run.cpuUsPerAttempt ?? '',
  };
}

const attemptsPerSecond = (run: Run) => run.samples.length / run.seconds;
const ratio = (a: Run, b: Run) => Number((attemptsPerSecond(a) / attemptsPerSecond(b)).toFixed(3));

async function main(): Promise<void> {
  const jobs = seatPairs(REQUESTS);
  const dialects: Dialect[] = process.env['MYSQL_URL'] ? ['sqlite', 'mysql'] : ['sqlite'];
  const rows: Array<Record<string, string | number>> = [];
  const ratios: Record<string, number> = {};
  const ceiling = await benchHttp('--serve-ceiling', '', jobs);
  rows.push(row(`HTTP ceiling: bare fastify route, same load generator (${BUYERS} buyers)`, ceiling));
  for (const dialect of dialects) {
    const dir = mkdtempSync(join(tmpdir(), 'holds-bench-'));
    const serviceDb = await createTestDatabase(dialect, 'bench_holds');
    const rawDb = await createTestDatabase(dialect, 'bench_raw');
    try {
      const service = await benchHttp('--serve', dialect === 'sqlite' ? join(dir, 'service.db') : serviceDb.url, jobs);
      const raw = dialect === 'sqlite' ? await benchRawSqlite(join(dir, 'raw.db'), jobs) : await benchRawMysql(rawDb.url, jobs);
      rows.push(row(`booking service over HTTP (${dialect}, ${BUYERS} buyers)`, service));
      rows.push(row(`raw conditional UPDATE loop (${dialect === 'sqlite' ? 'better-sqlite3, 1 connection' : `mysql2, ${BUYERS} connections`})`, raw));
      ratios[dialect] = ratio(service, raw);
      ratios[`${dialect}: service/ceiling`] = ratio(service, ceiling);
      ratios[`${dialect}: ceiling/raw`] = ratio(ceiling, raw);
    } finally {
      await serviceDb.drop();
      await rawDb.drop();
      rmSync(dir, { recursive: true, force: true });
    }
  }
  report('holds', rows, { 'ratio service/raw (attempts per second; goal >= 0.5)': ratios, buyers: BUYERS, requests: REQUESTS, 'warm-up attempts (not measured)': WARMUP });
}

if (process.argv.includes('--serve')) await serve();
else if (process.argv.includes('--serve-ceiling')) await serveCeiling();
else await main();
