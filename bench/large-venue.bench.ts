/**
 * Holds and availability on the largest venue the catalogue allows (200 rows × 500 seats =
 * 100,000), in process (fastify's inject: no socket), on SQLite and, with MYSQL_URL, MariaDB/MySQL.
 * Peer: an explicit-seats hold of the same size on the same event, the cheapest way to hold —
 * best available costs this many times as much. Also: 10 best-available holds at once (the time
 * until all are answered), GET availability of the whole event (unchanged since the last read, and
 * with a seat held before each read; and both again as a browser asks, `Accept-Encoding: gzip,
 * deflate, br, zstd`, which gets brotli: bytes and time, compression included), and both again once 80 % of the
 * seats are sold (scattered over the hall; written as the service writes a sale: the seats, the
 * event's seq and one entry in its change log).
 *
 * The live stream's snapshot of the whole event (a new watcher's first frame) is fetched over a
 * socket by clients alternately as a browser asks (gzip) and without compression — the peer:
 * bytes on the wire and the time until the snapshot is decoded and parsed.
 *
 * `LARGE_VENUE_HOLDS` (30) holds of each kind, `LARGE_VENUE_ROUNDS` (3) rounds of 10 at once,
 * `LARGE_VENUE_READS` (10) availability reads.
 */
import { performance } from 'node:perf_hooks';
import { type Dialect } from '@stream-seat/db';
import { sql } from 'kysely';
import { type BookingTestApp, createBookingTestApp } from '../services/booking/test/booking-test-app.js';
import { createInMemoryCatalogue, hallEvent } from '../services/booking/test/in-memory-catalogue.js';
import { openSse } from '../tests/support/sse-client.js';
import { report, summarize } from './bench-report.js';

const HOLDS = Number(process.env['LARGE_VENUE_HOLDS'] ?? 30);
const ROUNDS = Number(process.env['LARGE_VENUE_ROUNDS'] ?? 3);
const READS = Number(process.env['LARGE_VENUE_READS'] ?? 10);
const WATCHERS = Number(process.env['LARGE_VENUE_WATCHERS'] ?? 10);
const ROWS = 200;
const SEATS_PER_ROW = 500;

async function timed(work: () => Promise<{ statusCode: number; body: string }>, expected: number): Promise<number> {
  const start = performance.now();
  const res = await work();
  const ms = performance.now() - start;
  if (res.statusCode !== expected) throw new Error(`answered ${res.statusCode}, not ${expected}: ${res.body.slice(0, 200)}`);
  return ms;
}

async function measure(dialect: Dialect) {
  const catalogue = createInMemoryCatalogue();
  const { event, map } = hallEvent(`large-venue-${dialect}`, { rows: ROWS, seatsPerRow: SEATS_PER_ROW, floor: 0 });
  catalogue.put(event, map);
  const t: BookingTestApp = await createBookingTestApp(dialect, { catalogue, settings: { holdTtlSeconds: 3600, maxActiveHoldsPerBuyer: 100_000 } });
  try {
    const headers = await t.auth('bench-buyer');
    const hold = (payload: object) => () => t.app.inject({ method: 'POST', url: '/api/holds', headers, payload: { eventId: event.id, ...payload } });
    const availability = () => t.app.inject({ method: 'GET', url: `/api/availability/${event.id}` });
    let browserBytes = 0;
    const browserAvailability = async () => {
      const res = await t.app.inject({ method: 'GET', url: `/api/availability/${event.id}`, headers: { 'accept-encoding': 'gzip, deflate, br, zstd' } });
      if (res.headers['content-encoding'] !== 'br') throw new Error(`availability as a browser asks: ${String(res.headers['content-encoding'])}, not br`);
      browserBytes = res.rawPayload.length;
      return res;
    };
    // Not measured: creating the inventory, loading the layout and the prices.
    await timed(availability, 200);
    await timed(hold({ quantity: 2, together: true }), 201);
    await timed(hold({ seatIds: [`ORCH-${rowLabel(ROWS - 1)}-1`, `ORCH-${rowLabel(ROWS - 1)}-2`] }), 201);

    const bestAvailable: number[] = [];
    for (let i = 0; i < HOLDS; i++) bestAvailable.push(await timed(hold({ quantity: 2, together: true }), 201));
    // Explicit pairs far from the stage, where best available does not reach.
    const explicit: number[] = [];
    for (let i = 0; i < HOLDS; i++) {
      const row = rowLabel(ROWS - 2 - Math.floor(i / 100));
      const n = 1 + 2 * (i % 100);
      explicit.push(await timed(hold({ seatIds: [`ORCH-${row}-${n}`, `ORCH-${row}-${n + 1}`] }), 201));
    }
    const atOnce: number[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      const start = performance.now();
      const answers = await Promise.all(Array.from({ length: 10 }, () => hold({ quantity: 2, together: true })()));
      atOnce.push(performance.now() - start);
      if (answers.some((a) => a.statusCode !== 201)) throw new Error(`10 at once: ${answers.map((a) => a.statusCode).join(',')}`);
    }
    const reads: number[] = [];
    for (let i = 0; i < READS; i++) reads.push(await timed(availability, 200));
    // A seat held before each read: every read renders the 100,000 seats anew.
    const readsChanged: number[] = [];
    for (let i = 0; i < READS; i++) {
      await timed(hold({ seatIds: [`ORCH-${rowLabel(ROWS - 5)}-${i + 1}`] }), 201);
      readsChanged.push(await timed(availability, 200));
    }
    const identityBytes = (await availability()).rawPayload.length;
    const readsBrowser: number[] = [];
    for (let i = 0; i < READS; i++) readsBrowser.push(await timed(browserAvailability, 200));
    const readsChangedBrowser: number[] = [];
    for (let i = 0; i < READS; i++) {
      await timed(hold({ seatIds: [`ORCH-${rowLabel(ROWS - 6)}-${i + 1}`] }), 201);
      readsChangedBrowser.push(await timed(browserAvailability, 200));
    }
    const streamUrl = `${await t.app.listen({ port: 0, host: '127.0.0.1' })}/api/availability/${event.id}/stream`;
    const snapshots = await streamSnapshots(streamUrl);

    await sellMost(t, event.id, 0.8);
    const bestAvailableSold: number[] = [];
    for (let i = 0; i < HOLDS; i++) bestAvailableSold.push(await timed(hold({ quantity: 2, together: true }), 201));
    const readsSold: number[] = [];
    for (let i = 0; i < READS; i++) readsSold.push(await timed(availability, 200));
    const snapshotsSold = await streamSnapshots(streamUrl);
    return {
      snapshots,
      snapshotsSold,
      bestAvailable: summarize(bestAvailable),
      explicit: summarize(explicit),
      atOnce: summarize(atOnce),
      reads: summarize(reads),
      readsChanged: summarize(readsChanged),
      readsBrowser: summarize(readsBrowser),
      readsChangedBrowser: summarize(readsChangedBrowser),
      availabilityBytes: { identity: identityBytes, browser: browserBytes },
      bestAvailableSold: summarize(bestAvailableSold),
      readsSold: summarize(readsSold),
    };
  } finally {
    await t.close();
  }
}

/**
 * New watchers one after another, gzip and identity in turn (which goes first alternates): time to
 * the parsed snapshot, bytes on the wire. Each round first has an unmeasured watcher read the
 * snapshot, which both then share from the snapshot cache (kept 1 s, booking's streamSnapshotMaxAgeMs), as a
 * crowd joining at once does; the first gzip watcher of a snapshot pays for its compression.
 */
async function streamSnapshots(url: string) {
  const codings = { gzip: { ms: [] as number[], bytes: 0 }, identity: { ms: [] as number[], bytes: 0 } };
  const watch = async (coding: 'gzip' | 'identity') => {
    const start = performance.now();
    const client = await openSse(url, coding === 'gzip' ? { 'accept-encoding': 'gzip, deflate, br, zstd' } : {});
    await client.next((e) => e.event === 'snapshot', 30_000);
    const ms = performance.now() - start;
    if ((client.headers['content-encoding'] ?? 'identity') !== coding) throw new Error(`asked for ${coding}, got ${client.headers['content-encoding']}`);
    client.close();
    return { ms, bytes: client.wireBytes };
  };
  for (let i = 0; i < WATCHERS; i++) {
    await watch('identity');
    for (const coding of i % 2 === 0 ? (['gzip', 'identity'] as const) : (['identity', 'gzip'] as const)) {
      const { ms, bytes } = await watch(coding);
      codings[coding].ms.push(ms);
      codings[coding].bytes = bytes;
    }
  }
  return { gzip: { ...summarize(codings.gzip.ms), bytes: codings.gzip.bytes }, identity: { ...summarize(codings.identity.ms), bytes: codings.identity.bytes } };
}

/** Books about `fraction` of the available seats, scattered, in one transaction, as a sale records it. */
async function sellMost(t: BookingTestApp, eventId: string, fraction: number): Promise<void> {
  await t.database.db.transaction().execute(async (trx) => {
    const picked = sql`event_id = ${eventId} AND status = 'AVAILABLE' AND MOD(x * 7919 + y * 104729, 1000) < ${Math.round(fraction * 1000)}`;
    const seats = await sql<{ seat_id: string }>`SELECT seat_id FROM seats WHERE ${picked}`.execute(trx);
    await sql`UPDATE seats SET status = 'BOOKED' WHERE ${picked}`.execute(trx);
    await sql`UPDATE inventories SET seq = seq + 1 WHERE event_id = ${eventId}`.execute(trx);
    const { rows } = await sql<{ seq: number }>`SELECT seq FROM inventories WHERE event_id = ${eventId}`.execute(trx);
    const changes = JSON.stringify(seats.rows.map((r) => ({ seatId: r.seat_id, status: 'BOOKED' })));
    await sql`INSERT INTO seat_changes (event_id, seq, changes_json, created_at) VALUES (${eventId}, ${Number(rows[0]?.seq)}, ${changes}, ${Date.now()})`.execute(trx);
  });
}

/** hallEvent's row labels: A…Z, then A1…Z1, … */
function rowLabel(r: number): string {
  return String.fromCharCode(65 + (r % 26)) + (r >= 26 ? String(Math.floor(r / 26)) : '');
}

const dialects: Dialect[] = process.env['MYSQL_URL'] ? ['sqlite', 'mysql'] : ['sqlite'];
const rows: Array<Record<string, string | number>> = [];
const ratios: Record<string, number> = {};
const streamRatios: Record<string, number> = {};
for (const dialect of dialects) {
  const m = await measure(dialect);
  rows.push(
    { database: dialect, case: `best-available hold of 2, one at a time (${m.bestAvailable.n})`, 'p50 ms': m.bestAvailable.p50, 'p99 ms': m.bestAvailable.p99 },
    { database: dialect, case: `peer: explicit hold of 2 seats, one at a time (${m.explicit.n})`, 'p50 ms': m.explicit.p50, 'p99 ms': m.explicit.p99 },
    { database: dialect, case: `10 best-available holds at once, until all answered (${m.atOnce.n} rounds)`, 'p50 ms': m.atOnce.p50, 'p99 ms': m.atOnce.max },
    { database: dialect, case: `GET availability of 100,000 seats, unchanged since the last read (${m.reads.n})`, 'p50 ms': m.reads.p50, 'p99 ms': m.reads.p99 },
    { database: dialect, case: `GET availability of 100,000 seats, a seat held before each (${m.readsChanged.n})`, 'p50 ms': m.readsChanged.p50, 'p99 ms': m.readsChanged.p99 },
    { database: dialect, case: `the same, as a browser asks (br; ${Math.round(m.availabilityBytes.browser / 1024)} KB instead of ${Math.round(m.availabilityBytes.identity / 1024)} KB), unchanged (${m.readsBrowser.n})`, 'p50 ms': m.readsBrowser.p50, 'p99 ms': m.readsBrowser.p99 },
    { database: dialect, case: `the same, as a browser asks (br), a seat held before each: compressed anew (${m.readsChangedBrowser.n})`, 'p50 ms': m.readsChangedBrowser.p50, 'p99 ms': m.readsChangedBrowser.p99 },
    { database: dialect, case: `80 % sold: best-available hold of 2, one at a time (${m.bestAvailableSold.n})`, 'p50 ms': m.bestAvailableSold.p50, 'p99 ms': m.bestAvailableSold.p99 },
    { database: dialect, case: `80 % sold: GET availability (${m.readsSold.n})`, 'p50 ms': m.readsSold.p50, 'p99 ms': m.readsSold.p99 },
  );
  for (const [state, s] of [['on sale', m.snapshots], ['80 % sold', m.snapshotsSold]] as const) {
    for (const coding of ['gzip', 'identity'] as const) {
      const c = s[coding];
      const who = coding === 'gzip' ? 'as a browser asks (gzip)' : 'peer: uncompressed';
      rows.push({ database: dialect, case: `${state}: a new watcher's stream snapshot, ${who} (${c.n}; ${Math.round(c.bytes / 1024)} KB)`, 'p50 ms': c.p50, 'p99 ms': c.p99 });
    }
    streamRatios[`${dialect} ${state}: snapshot bytes gzip / uncompressed`] = Number((s.gzip.bytes / s.identity.bytes).toFixed(3));
    streamRatios[`${dialect} ${state}: snapshot time gzip / uncompressed (p50, loopback)`] = Number((s.gzip.p50 / s.identity.p50).toFixed(2));
  }
  ratios[dialect] = Number((m.bestAvailable.p50 / m.explicit.p50).toFixed(2));
  streamRatios[`${dialect}: GET availability bytes, br / uncompressed`] = Number((m.availabilityBytes.browser / m.availabilityBytes.identity).toFixed(3));
}
report('large-venue', rows, { 'best available / explicit hold (p50)': ratios, 'compressed / uncompressed (stream snapshot; GET availability)': streamRatios, seats: ROWS * SEATS_PER_ROW });
