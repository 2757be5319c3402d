/**
 * Live availability fan-out: N Server-Sent Events clients on one booking instance — directly,
 * then through the gateway — while seats change at a steady rate; reports commit-to-client
 * latency p50/p99 and the booking process's RSS. The peer, in the same run, is a bare node:http
 * SSE broadcaster in its own process fanning the same number of messages to the same number of
 * clients: the ratio is the cost of the real path (database commit, bus, sequencer, gateway).
 * Everything runs on 127.0.0.1; the client count, rate and duration are bounded.
 *
 * `FANOUT_CODING=gzip`: every client asks as a browser does (gzip) and gets gzip streams — the
 * platform's frames deflated once for all clients; the peer then deflates each message once too.
 */
import { fork } from 'node:child_process';
import { constants, deflateRawSync } from 'node:zlib';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launchPlatform, waitUntilRoutable } from '../scripts/platform-launcher.js';
import { freePort } from '../tests/support/free-port.js';
import { report, summarize } from './bench-report.js';
import { cpuMs, rssMb } from './process-usage.js';
import { openAudience } from './fanout-audience.js';

const CLIENTS = Number(process.env['FANOUT_CLIENTS'] ?? 5_000);
const RATE = Number(process.env['FANOUT_RATE'] ?? 10);
const SECONDS = Number(process.env['FANOUT_SECONDS'] ?? 10);
const GZIP = process.env['FANOUT_CODING'] === 'gzip';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The peer: a bare SSE broadcaster; POST /publish fans a message out to every client. A client
 * that accepts gzip gets each message deflated once for all (a sync flush after each), behind a
 * gzip header.
 */
function runPeer(): void {
  const clients = new Map<ServerResponse, boolean>();
  const deflated = (text: string) => deflateRawSync(Buffer.from(text), { level: constants.Z_BEST_SPEED, finishFlush: constants.Z_SYNC_FLUSH });
  const server = createServer((request, response) => {
    if (request.method === 'POST') {
      let body = '';
      request.on('data', (c: Buffer) => (body += c.toString()));
      request.on('end', () => {
        const frame = `event: change\ndata: ${body}\n\n`;
        let gzipped: Buffer | undefined;
        for (const [client, gzip] of clients) client.write(gzip ? (gzipped ??= deflated(frame)) : frame);
        response.end();
      });
      return;
    }
    const gzip = /\bgzip\b/.test(request.headers['accept-encoding'] ?? '');
    response.writeHead(200, { 'content-type': 'text/event-stream', ...(gzip ? { 'content-encoding': 'gzip' } : {}) });
    if (gzip) response.write(Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 4, 255]));
    const hello = 'event: hello\ndata: {}\n\n';
    response.write(gzip ? deflated(hello) : hello);
    clients.set(response, gzip);
    request.on('close', () => clients.delete(response));
  });
  server.listen(0, '127.0.0.1', () => process.send?.((server.address() as { port: number }).port));
}

interface Processes {
  /** The process that fans out (booking, or the peer). */
  server: number | undefined;
  /** The gateway, when the path goes through it. */
  relay?: number | undefined;
}

async function measurePath(label: string, streamUrl: string, change: (i: number) => Promise<void>, pids: Processes) {
  const clients = await openAudience(streamUrl, CLIENTS, { gzip: GZIP });
  await clients.ready;
  process.stderr.write(`${label}: ${CLIENTS} clients ready\n`);
  const rssConnected = rssMb(pids.server);
  const total = RATE * SECONDS;
  const cpuBefore = { server: cpuMs(pids.server), relay: cpuMs(pids.relay), generator: process.cpuUsage() };
  const started = Date.now();
  for (let i = 0; i < total; i++) {
    await change(i);
    const due = started + ((i + 1) * 1000) / RATE;
    await sleep(Math.max(0, due - Date.now()));
  }
  await sleep(1_000);
  const generatorCpu = process.cpuUsage(cpuBefore.generator);
  const perChange = (ms: number) => ms / total;
  const cpu = {
    'server cpu ms/change': perChange(cpuMs(pids.server) - cpuBefore.server),
    'gateway cpu ms/change': pids.relay ? perChange(cpuMs(pids.relay) - cpuBefore.relay) : 0,
    'generator cpu ms/change': perChange((generatorCpu.user + generatorCpu.system) / 1000),
  };
  const stats = summarize(clients.latencies);
  clients.close();
  return { path: label, clients: CLIENTS, 'gzip clients': clients.gzipped, changes: total, deliveries: stats.n, gaps: clients.gaps, repeats: clients.repeats, disconnects: clients.disconnects, 'p50 ms': stats.p50, 'p99 ms': stats.p99, 'max ms': stats.max, 'rss MB': rssConnected, ...cpu };
}

async function main(): Promise<void> {
  if (process.argv[2] === 'peer') return runPeer();
  const dataDir = mkdtempSync(join(tmpdir(), 'stream-seat-fanout-'));
  const ports = { discovery: await freePort(), gateway: await freePort(), event: await freePort(), booking: await freePort() };
  const platform = launchPlatform({
    ports,
    renewSeconds: 2,
    // The whole audience comes from 127.0.0.1: no per-address cap on streams (STREAMS_PER_CLIENT).
    env: { LOG_LEVEL: 'warn', RATE_LIMIT_MAX: '1000000', HOLDS_RATE_LIMIT_MAX: '1000000', STREAMS_PER_CLIENT: '1000000' },
    serviceEnv: { event: { DATABASE_URL: join(dataDir, 'event.db') }, booking: { DATABASE_URL: join(dataDir, 'booking.db') } },
  });
  const peer = fork(new URL(import.meta.url).pathname, ['peer'], { execArgv: ['--conditions=source', '--import', 'tsx'] });
  try {
    await waitUntilRoutable(platform.urls.gateway);
    const gw = platform.urls.gateway;
    const token = async (sub: string, role: string) =>
      ((await (await fetch(`${gw}/api/auth/dev-token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ sub, role }) })).json()) as { token: string }).token;
    const organizer = { authorization: `Bearer ${await token('bench-organizer', 'organizer')}`, 'content-type': 'application/json' };
    const rows = Array.from({ length: 10 }, (_, i) => ({ label: String.fromCharCode(65 + i), seats: 30 }));
    const post = async <T>(path: string, body: unknown): Promise<T> => {
      const res = await fetch(`${gw}${path}`, { method: 'POST', headers: organizer, body: JSON.stringify(body) });
      if (!res.ok) throw new Error(`POST ${path}: ${res.status} ${await res.text()}`);
      return (await res.json()) as T;
    };
    const venue = await post<{ id: string }>('/api/venues', { name: 'Fan-out Hall', city: 'Bench', sections: [{ id: 'MAIN', name: 'Main', tier: 'A', rows }] });
    const startsAt = new Date(Date.now() + 30 * 86_400_000).toISOString();
    const event = await post<{ id: string }>('/api/events', { venueId: venue.id, name: 'Fan-out', startsAt, currency: 'EUR', prices: { A: 1000 } });
    await post(`/api/events/${event.id}/publish`, {});
    const seats = rows.flatMap((r) => Array.from({ length: r.seats }, (_, n) => `MAIN-${r.label}-${n + 1}`));
    let next = 0;
    const hold = async () => {
      const buyer = { authorization: `Bearer ${await token(`buyer-${next}`, 'buyer')}`, 'content-type': 'application/json' };
      const seatId = seats[next++ % seats.length];
      const res = await fetch(`${platform.urls.booking}/api/holds`, { method: 'POST', headers: buyer, body: JSON.stringify({ eventId: event.id, seatIds: [seatId] }) });
      if (res.status !== 201) throw new Error(`hold ${seatId}: ${res.status} ${await res.text()}`);
    };
    // The booking instance finds the catalogue through its own registry cache: wait for it.
    for (let i = 0; i < 100 && (await fetch(`${platform.urls.booking}/api/availability/${event.id}`)).status !== 200; i++) await sleep(200);
    process.stderr.write(`event ${event.id} on sale; connecting ${CLIENTS} clients\n`);
    const bookingPid = platform.processes.get('booking')?.pid;
    const results = [];
    results.push(await measurePath('booking direct', `${platform.urls.booking}/api/availability/${event.id}/stream`, hold, { server: bookingPid }));
    results.push(await measurePath('through gateway', `${gw}/api/availability/${event.id}/stream`, hold, { server: bookingPid, relay: platform.processes.get('gateway')?.pid }));
    const peerPort = await new Promise<number>((resolve) => peer.once('message', (port) => resolve(Number(port))));
    results.push(
      await measurePath(
        'peer: bare node:http SSE',
        `http://127.0.0.1:${peerPort}/`,
        async (i) => {
          await fetch(`http://127.0.0.1:${peerPort}/publish`, { method: 'POST', body: JSON.stringify({ seq: i + 1, changes: [], committedAt: Date.now() }) });
        },
        { server: peer.pid },
      ),
    );
    const peerP99 = results[2]?.['p99 ms'] ?? Number.NaN;
    report('fanout', results.map((r) => ({ ...r, 'p99 / peer': r['p99 ms'] / peerP99 })), { clients: CLIENTS, ratePerSecond: RATE, seconds: SECONDS, coding: GZIP ? 'gzip' : 'identity' });
  } finally {
    peer.kill();
    await platform.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
