/**
 * Seat-map latency for a 20,000-seat venue, through the event service on loopback: cold after a
 * restart (read the venue's stored map, build its template, price it), cold for a new event at a
 * venue already in memory (price the template), warm (200 from the in-memory cache) and
 * revalidated (If-None-Match → 304). The peer, in the same
 * run, is a bare node:http server answering with the same pre-serialized JSON and ETag — the
 * floor for serving those bytes from this process.
 */
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { databaseConfigFor, openServiceDatabase, startDatabase } from '@stream-seat/db';
import { createTokenVerifier, signDevToken } from '@stream-seat/platform';
import { request } from 'undici';
import { buildEventApp } from '../services/event/src/app.js';
import { eventMigrations } from '../services/event/src/db/migrations/index.js';
import type { EventDatabase } from '../services/event/src/db/schema.js';
import { report, summarize } from './bench-report.js';

const SEATS_PER_ROW = 50;
const ROWS = 20;
const SECTIONS = 20; // 20 × 20 × 50 = 20,000 seats
const RESTARTS = Number(process.env['BENCH_RESTARTS'] ?? 15);
const COLD_EVENTS = RESTARTS + 1 + Number(process.env['BENCH_COLD_EVENTS'] ?? 40);
const WARM_REQUESTS = Number(process.env['BENCH_WARM_REQUESTS'] ?? 300);
const REVALIDATIONS = Number(process.env['BENCH_REVALIDATIONS'] ?? 2_000);
const TIME_LIMIT_MS = 120_000;
const started = performance.now();
const inTime = () => performance.now() - started < TIME_LIMIT_MS;

async function timedGet(url: string, headers: Record<string, string> = {}): Promise<{ ms: number; status: number; etag: string; bytes: number }> {
  const t0 = performance.now();
  const res = await request(url, { headers });
  const body = await res.body.arrayBuffer();
  return { ms: performance.now() - t0, status: res.statusCode, etag: String(res.headers['etag'] ?? ''), bytes: body.byteLength };
}

/** Alternates requests to the two servers, so that a burst of load on the machine hits both alike. */
async function sideBySide(n: number, urls: [string, string], headers: Record<string, string>, expectStatus: number): Promise<[number[], number[]]> {
  const samples: [number[], number[]] = [[], []];
  for (let i = 0; i < n && inTime(); i++) {
    for (const k of [0, 1] as const) {
      const r = await timedGet(urls[k], headers);
      if (r.status !== expectStatus) throw new Error(`${urls[k]} answered ${r.status}, expected ${expectStatus}`);
      samples[k].push(r.ms);
    }
  }
  return samples;
}

// --- the event service, in process, on a fresh SQLite file ---
const dir = mkdtempSync(join(tmpdir(), 'stream-seat-bench-seatmap-'));
const file = join(dir, 'event.db');
const database = openServiceDatabase<EventDatabase>(databaseConfigFor(file), file);
await startDatabase(database, eventMigrations(database.dialect));
const secret = 'bench-secret-0123456789abcdef';
const verifier = createTokenVerifier({ AUTH_MODE: 'dev', JWT_SECRET: secret });
async function startService() {
  const service = buildEventApp({ database, verifier, logger: false });
  await service.listen({ host: '127.0.0.1', port: 0 });
  return { service, url: `http://127.0.0.1:${(service.server.address() as AddressInfo).port}` };
}
const { service: app, url: base } = await startService();
const auth = { authorization: `Bearer ${await signDevToken(secret, { sub: 'bench', role: 'organizer' })}`, 'content-type': 'application/json' };

async function post<T>(path: string, body?: unknown): Promise<T> {
  const res = await request(base + path, { method: 'POST', headers: body === undefined ? { authorization: auth.authorization } : auth, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  const text = await res.body.text();
  if (res.statusCode >= 300) throw new Error(`POST ${path}: ${res.statusCode} ${text.slice(0, 200)}`);
  return JSON.parse(text) as T;
}

const layout = {
  name: 'Bench Stadium',
  city: 'Loopback',
  sections: Array.from({ length: SECTIONS }, (_, s) => ({
    id: `S${s + 1}`,
    name: `Section ${s + 1}`,
    tier: s < 5 ? 'PREMIUM' : s < 12 ? 'STANDARD' : 'ECONOMY',
    rows: Array.from({ length: ROWS }, (_, r) => ({ label: `R${r + 1}`, seats: SEATS_PER_ROW, curve: 0.5 })),
  })),
};
const t0 = performance.now();
const venue = await post<{ id: string; capacity: number }>('/api/venues', layout);
const createVenueMs = performance.now() - t0;
const startsAt = new Date(Date.now() + 30 * 86_400_000).toISOString();
const eventIds: string[] = [];
for (let i = 0; i < COLD_EVENTS; i++) {
  const event = await post<{ id: string }>('/api/events', {
    venueId: venue.id,
    name: `Bench night ${i}`,
    startsAt,
    currency: 'EUR',
    prices: { PREMIUM: 9000 + i, STANDARD: 6000, ECONOMY: 3000 },
  });
  await post(`/api/events/${event.id}/publish`);
  eventIds.push(event.id);
}

// Cold after a restart: a fresh service instance (nothing in memory) fetches an event's map.
const restarted: number[] = [];
for (const id of eventIds.slice(0, RESTARTS)) {
  const fresh = await startService();
  const r = await timedGet(`${fresh.url}/api/events/${id}/seatmap`);
  if (r.status !== 200) throw new Error(`cold fetch answered ${r.status}`);
  restarted.push(r.ms);
  await fresh.service.close();
}
// Cold event: the first fetch of each event's map, its venue's template already in memory.
await timedGet(`${base}/api/events/${eventIds[RESTARTS]}/seatmap`);
const cold: number[] = [];
let mapBytes = 0;
for (const id of eventIds.slice(RESTARTS + 1)) {
  const r = await timedGet(`${base}/api/events/${id}/seatmap`);
  if (r.status !== 200) throw new Error(`cold fetch answered ${r.status}`);
  cold.push(r.ms);
  mapBytes = r.bytes;
}
const hot = `${base}/api/events/${eventIds[0]}/seatmap`;
const first = await timedGet(hot);
// Compressed: the first request of a coding pays its compression; later ones get the cached bytes.
const brotli = { accept: { 'accept-encoding': 'br' } };
const compressed: Record<string, { ms: number; bytes: number }> = {};
for (const coding of ['br', 'gzip']) {
  const r = await timedGet(hot, { 'accept-encoding': coding });
  if (r.status !== 200) throw new Error(`${coding} fetch answered ${r.status}`);
  compressed[coding] = { ms: r.ms, bytes: r.bytes };
}

// --- the peer: the same bytes (identity, or the service's brotli) from a bare node:http server ---
const bodyOf = async (headers: Record<string, string> = {}) => Buffer.from(await (await request(hot, { headers })).body.arrayBuffer());
const mapJson = await bodyOf();
const mapBrotli = await bodyOf(brotli.accept);
const peer = createServer((req, res) => {
  if (req.headers['if-none-match'] === first.etag) {
    res.writeHead(304, { etag: first.etag }).end();
    return;
  }
  const br = req.headers['accept-encoding'] === 'br';
  res
    .writeHead(200, { 'content-type': 'application/json; charset=utf-8', etag: first.etag, 'cache-control': 'public, max-age=60', ...(br ? { 'content-encoding': 'br' } : {}) })
    .end(br ? mapBrotli : mapJson);
});
peer.listen(0, '127.0.0.1');
await once(peer, 'listening');
const peerUrl = `http://127.0.0.1:${(peer.address() as AddressInfo).port}/seatmap`;
const [warm, peerWarm] = await sideBySide(WARM_REQUESTS, [hot, peerUrl], {}, 200);
const [revalidated, peerRevalidated] = await sideBySide(REVALIDATIONS, [hot, peerUrl], { 'if-none-match': first.etag }, 304);
const [warmBrotli, peerWarmBrotli] = await sideBySide(WARM_REQUESTS, [hot, peerUrl], brotli.accept, 200);

peer.close();
await app.close();
await database.close();
rmSync(dir, { recursive: true, force: true });

const s = {
  restarted: summarize(restarted),
  cold: summarize(cold),
  warm: summarize(warm),
  revalidated: summarize(revalidated),
  peerWarm: summarize(peerWarm),
  peerRevalidated: summarize(peerRevalidated),
  warmBrotli: summarize(warmBrotli),
  peerWarmBrotli: summarize(peerWarmBrotli),
};
const row = (caseName: string, server: string, x: ReturnType<typeof summarize>, peerP50?: number) => ({
  case: caseName,
  server,
  n: x.n,
  p50_ms: x.p50,
  p99_ms: x.p99,
  max_ms: x.max,
  ...(peerP50 ? { p50_vs_peer: x.p50 / peerP50 } : {}),
});
report(
  'seatmap',
  [
    row('cold 200 after a restart (nothing in memory)', 'event service', s.restarted, s.peerWarm.p50),
    row('cold 200 (first fetch of an event; venue template in memory)', 'event service', s.cold, s.peerWarm.p50),
    row('warm 200 (no If-None-Match)', 'event service', s.warm, s.peerWarm.p50),
    row('warm 200 (no If-None-Match)', 'node:http peer', s.peerWarm),
    row('304 (If-None-Match)', 'event service', s.revalidated, s.peerRevalidated.p50),
    row('304 (If-None-Match)', 'node:http peer', s.peerRevalidated),
    row('warm 200 in brotli (Accept-Encoding: br)', 'event service', s.warmBrotli, s.peerWarmBrotli.p50),
    row('warm 200 in brotli (Accept-Encoding: br)', 'node:http peer', s.peerWarmBrotli),
  ],
  {
    seats: venue.capacity,
    seatMapBytes: mapBytes,
    brotliBytes: compressed['br']?.bytes,
    gzipBytes: compressed['gzip']?.bytes,
    'first brotli fetch ms (compresses)': Math.round(compressed['br']?.ms ?? 0),
    'first gzip fetch ms (compresses)': Math.round(compressed['gzip']?.ms ?? 0),
    createVenueMs: Math.round(createVenueMs),
    dialect: 'sqlite',
    node: process.version,
    note: 'sequential requests over one keep-alive connection on 127.0.0.1; client and servers share one process',
  },
);
