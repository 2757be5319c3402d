/**
 * The shared stream's own rules, on real sockets: clients are node:http responses of a real
 * server and read with a real SSE client; the upstream side is the channel's `openUpstream`
 * seam, fed frame by frame by the test (the whole path with the real booking service is in
 * tests/e2e/live-availability.e2e.test.ts).
 */
import { createServer, type Server } from 'node:http';
import { connect } from 'node:net';
import { PassThrough } from 'node:stream';
import { eventStreamCoding } from '@stream-seat/platform';
import { afterEach, describe, expect, it } from 'vitest';
import { eventually } from '../../../tests/support/free-port.js';
import { openSse, type SseClient } from '../../../tests/support/sse-client.js';
import { EventStreamChannel, type UpstreamStream } from '../src/proxy/event-stream-channel.js';

interface Opened {
  lastEventId: number | undefined;
  /** The instance the channel asked to try last. */
  avoid: string | undefined;
  body: PassThrough;
}

const snapshot = (seq: number, seats: Record<string, string>) => `event: snapshot\nid: ${seq}\ndata: ${JSON.stringify({ seq, seats })}\n\n`;
const change = (seq: number, seatId: string, status = 'HELD') => `event: change\nid: ${seq}\ndata: ${JSON.stringify({ seq, changes: [{ seatId, status }] })}\n\n`;

let server: Server | undefined;
const clients: SseClient[] = [];

afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
  server = undefined;
});

/** A channel whose upstream streams are PassThroughs the test writes to, served by a real HTTP server. */
async function setUp(options: { ringSize?: number; maxBufferedBytes?: number; heartbeatMs?: number; upstreamIdleMs?: number; resumeAfter?: number } = {}) {
  const opened: Opened[] = [];
  const drops: string[] = [];
  const channel = new EventStreamChannel({
    openUpstream: async (lastEventId, avoid): Promise<UpstreamStream> => {
      const body = new PassThrough();
      // Each upstream from an instance of its own: i0, i1, …
      const instance = `i${opened.length}`;
      opened.push({ lastEventId, avoid, body });
      return { body, close: () => body.destroy(), instance };
    },
    ringSize: options.ringSize ?? 100,
    maxBufferedBytes: options.maxBufferedBytes ?? 1_048_576,
    heartbeatMs: options.heartbeatMs ?? 60_000,
    upstreamIdleMs: options.upstreamIdleMs ?? 180_000,
    firstSnapshotTimeoutMs: 2_000,
    reconnectDelaysMs: [10, 10, 10],
    onDrop: (reason) => drops.push(reason),
    onReconnect: () => undefined,
    onClosed: () => undefined,
    log: { warn: () => undefined },
  }, options.resumeAfter);
  const joined: boolean[] = [];
  server = createServer((request, res) => {
    const header = request.headers['last-event-id'];
    const coding = eventStreamCoding(request.headers['accept-encoding']);
    const ok = channel.join(res, {}, coding, typeof header === 'string' ? Number(header) : undefined, () => undefined);
    joined.push(ok);
    if (!ok) res.writeHead(409).end();
  });
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/`;
  const watch = async (lastEventId?: number, headers: Record<string, string> = {}) => {
    const client = await openSse(url, { ...headers, ...(lastEventId === undefined ? {} : { 'last-event-id': String(lastEventId) }) });
    clients.push(client);
    return client;
  };
  return { channel, opened, drops, joined, url, watch };
}

/** Polls until the probe answers (a channel event is asynchronous, a few ms at most). */
const soon = <T>(probe: () => Promise<T | undefined>) => eventually(probe, 5_000, 'the shared stream to get there');
const changeSeqs = (client: SseClient) => client.events.filter((e) => e.event === 'change').map((e) => Number(e.id));

describe('a shared event stream', () => {
  it('sends a late joiner the snapshot and the changes after it, then the live ones, in order', async () => {
    const { channel, opened, watch } = await setUp();
    await soon(async () => opened[0]);
    opened[0]?.body.write(`retry: 1000\n\n${snapshot(10, { A: 'AVAILABLE', B: 'AVAILABLE' })}`);
    await channel.ready;
    const early = await watch();
    opened[0]?.body.write(change(11, 'A') + change(12, 'B'));
    await early.next((e) => e.id === '12');
    const late = await watch();
    await late.next((e) => e.id === '12');
    opened[0]?.body.write(change(13, 'A', 'AVAILABLE'));
    for (const client of [early, late]) await client.next((e) => e.id === '13');
    expect(late.events.map((e) => `${e.event}:${e.id}`)).toEqual(['snapshot:10', 'change:11', 'change:12', 'change:13']);
    expect(changeSeqs(early)).toEqual([11, 12, 13]);
    // Only one upstream stream for both.
    expect(opened).toHaveLength(1);
  });

  it('sends gzip clients and plain ones the same events, and ends gzip streams with a valid trailer', async () => {
    const { channel, opened, watch } = await setUp();
    await soon(async () => opened[0]);
    const seats = Object.fromEntries(Array.from({ length: 20_000 }, (_, i) => [`S-${i}`, 'AVAILABLE']));
    opened[0]?.body.write(`retry: 1000\n\n${snapshot(10, seats)}`);
    await channel.ready;
    const gzipped = await watch(undefined, { 'accept-encoding': 'gzip, deflate, br' });
    const plain = await watch();
    opened[0]?.body.write(change(11, 'S-1'));
    const resumed = await watch(11, { 'accept-encoding': 'gzip' }); // starts mid-stream: no snapshot before its frames
    opened[0]?.body.write(change(12, 'S-2', 'BOOKED'));
    for (const client of [gzipped, plain, resumed]) await client.next((e) => e.id === '12');
    expect(gzipped.headers['content-encoding']).toBe('gzip');
    expect(plain.headers['content-encoding']).toBeUndefined();
    const seen = (client: SseClient) => client.events.map((e) => `${e.event}:${e.id}:${JSON.stringify(e.data).length}`);
    expect(seen(gzipped)).toEqual(seen(plain));
    expect(seen(resumed)).toEqual(seen(plain).slice(2));
    // The snapshot (about 480 KB) went out compressed.
    expect(gzipped.wireBytes).toBeLessThan(plain.wireBytes / 5);
    channel.close();
    for (const client of [gzipped, plain, resumed]) await client.ended;
    for (const client of [gzipped, resumed]) {
      expect(client.decodeError).toBeUndefined();
      expect(client.complete).toBe(true);
    }
  });

  it('gives a resuming client exactly what it missed from the ring, and refuses what the ring no longer has', async () => {
    const { channel, opened, watch, joined } = await setUp({ ringSize: 3 });
    await soon(async () => opened[0]);
    opened[0]?.body.write(snapshot(1, { A: 'AVAILABLE' }));
    await channel.ready;
    const anchor = await watch();
    opened[0]?.body.write([2, 3, 4, 5].map((seq) => change(seq, `S${seq}`)).join(''));
    await anchor.next((e) => e.id === '5');
    const resumed = await watch(3);
    await resumed.next((e) => e.id === '5');
    expect(resumed.events.map((e) => e.id)).toEqual(['4', '5']);
    // Seq 2 left the three-change ring: the caller must relay that client itself.
    const tooOld = await watch(1);
    expect(tooOld.status).toBe(409);
    expect(joined).toEqual([true, true, false]);
  });

  it('resumes its upstream after the last seq when the connection breaks, and the clients notice nothing', async () => {
    const { channel, opened, watch } = await setUp();
    await soon(async () => opened[0]);
    opened[0]?.body.write(snapshot(7, { A: 'AVAILABLE' }));
    await channel.ready;
    const client = await watch();
    opened[0]?.body.write(change(8, 'A'));
    await client.next((e) => e.id === '8');
    opened[0]?.body.destroy();
    const second = await soon(async () => opened[1]);
    expect(second.lastEventId).toBe(8);
    // The service replays from there (one repeat on the way is skipped).
    second.body.write(change(8, 'A') + change(9, 'B'));
    await client.next((e) => e.id === '9');
    expect(changeSeqs(client)).toEqual([8, 9]);
  });

  it('ends its clients when the resumed upstream answers with a snapshot (the thread is lost)', async () => {
    const { channel, opened, watch, drops } = await setUp();
    await soon(async () => opened[0]);
    opened[0]?.body.write(snapshot(7, { A: 'AVAILABLE' }));
    await channel.ready;
    const client = await watch();
    await client.next((e) => e.event === 'snapshot');
    opened[0]?.body.destroy();
    const second = await soon(async () => opened[1]);
    second.body.write(snapshot(900, { A: 'BOOKED' }));
    await client.ended;
    expect(channel.isClosed).toBe(true);
    expect(drops).toContain('upstream-lost');
  });

  it('drops a client that stops reading once its unsent bytes pass the bound, and keeps serving the others', async () => {
    const { channel, opened, watch, url, drops } = await setUp({ maxBufferedBytes: 64 * 1024 });
    await soon(async () => opened[0]);
    opened[0]?.body.write(snapshot(1, {}));
    await channel.ready;
    const reader = await watch();
    // A client that never reads: a tiny receive window, and nothing consumed.
    const { port } = new URL(url);
    const stalled = connect({ port: Number(port), host: '127.0.0.1' });
    stalled.on('connect', () => {
      stalled.pause();
      stalled.write('GET / HTTP/1.1\r\nHost: x\r\nAccept: text/event-stream\r\n\r\n');
    });
    const stalledClosed = new Promise((resolve) => stalled.on('close', resolve));
    stalled.on('error', () => undefined);
    await soon(async () => (channel.size === 2 ? true : undefined));
    // ~40 MB of changes: far more than the kernel buffers between two sockets hold.
    const big = 'x'.repeat(16 * 1024);
    let seq = 1;
    while (drops.length === 0 && seq < 2_500) {
      seq++;
      opened[0]?.body.write(`event: change\nid: ${seq}\ndata: {"seq":${seq},"changes":[],"pad":"${big}"}\n\n`);
      if (seq % 50 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    expect(drops).toEqual(['slow']);
    // Reading again, it finds its connection closed by the gateway.
    stalled.resume();
    await stalledClosed;
    await reader.next((e) => e.id === String(seq), 10_000);
    expect(channel.size).toBe(1);
  });

  it('lets go of its upstream when its last client leaves', async () => {
    const { channel, opened, watch } = await setUp();
    await soon(async () => opened[0]);
    opened[0]?.body.write(snapshot(3, {}));
    await channel.ready;
    const [a, b] = [await watch(), await watch()];
    a.close();
    await soon(async () => (channel.size === 1 ? true : undefined));
    expect(opened[0]?.body.destroyed).toBe(false);
    b.close();
    await soon(async () => (opened[0]?.body.destroyed ? true : undefined));
    expect(channel.isClosed).toBe(true);
  });

  it('never takes a frame larger than the bound on its way for a slow reader', async () => {
    const { channel, opened, watch, drops } = await setUp({ maxBufferedBytes: 16 * 1024 });
    await soon(async () => opened[0]);
    // A snapshot of a big venue, and then a big change: each far over the 16 KiB bound.
    const seats = Object.fromEntries(Array.from({ length: 20_000 }, (_, i) => [`SEAT-${i}`, 'AVAILABLE']));
    opened[0]?.body.write(snapshot(1, seats));
    await channel.ready;
    const client = await watch();
    const joined = await client.next((e) => e.event === 'snapshot', 10_000);
    expect(Object.keys((joined.data as { seats: object }).seats)).toHaveLength(20_000);
    opened[0]?.body.write(`event: change\nid: 2\ndata: {"seq":2,"changes":[],"pad":"${'y'.repeat(200_000)}"}\n\n`);
    opened[0]?.body.write(change(3, 'SEAT-1'));
    await client.next((e) => e.id === '3', 10_000);
    expect(drops).toEqual([]);
  });

  it('takes a silent upstream for dead and resumes it after the last seq', async () => {
    const { channel, opened, watch } = await setUp({ heartbeatMs: 50, upstreamIdleMs: 120 });
    await soon(async () => opened[0]);
    opened[0]?.body.write(snapshot(4, { A: 'AVAILABLE' }) + change(5, 'A'));
    await channel.ready;
    const client = await watch();
    // No byte from upstream any more (no heartbeat either): a half-open connection.
    const second = await soon(async () => opened[1]);
    expect(opened[0]?.body.destroyed).toBe(true);
    expect(second.lastEventId).toBe(5);
    // Another instance first: a frozen one still accepts connections, and would be silent again.
    expect(second.avoid).toBe('i0');
    second.body.write(change(6, 'A', 'AVAILABLE'));
    await client.next((e) => e.id === '6');
    expect(client.events.map((e) => e.id)).toEqual(['4', '5', '6']);
    // Heartbeats kept the client's connection alive meanwhile.
    expect(client.comments).toContain('heartbeat');
  });

  it('notices a silent upstream on its own clock, however rarely its clients get heartbeats', async () => {
    // Checked only at the clients' heartbeats, silence was noticed up to one heartbeat late: here never.
    const { channel, opened } = await setUp({ heartbeatMs: 60_000, upstreamIdleMs: 150 });
    await soon(async () => opened[0]);
    opened[0]?.body.write(snapshot(4, { A: 'AVAILABLE' }));
    await channel.ready;
    const second = await soon(async () => opened[1]);
    expect(second).toMatchObject({ lastEventId: 4, avoid: 'i0' });
  });

  it('starts from a resuming client, shares it with others resuming from there, and serves newcomers once it has a snapshot', async () => {
    const { channel, opened, watch, joined } = await setUp({ resumeAfter: 5 });
    await soon(async () => opened[0]);
    expect(opened[0]?.lastEventId).toBe(5);
    await channel.ready;
    const [a, b] = [await watch(5), await watch(5)];
    opened[0]?.body.write(change(6, 'A') + change(7, 'B'));
    for (const client of [a, b]) {
      await client.next((e) => e.id === '7');
      expect(client.events.map((e) => `${e.event}:${e.id}`)).toEqual(['change:6', 'change:7']);
    }
    // A newcomer needs a snapshot the channel does not have yet: relayed, while one is fetched.
    expect((await watch()).status).toBe(409);
    const refresh = await soon(async () => opened[1]);
    expect(refresh.lastEventId).toBeUndefined();
    refresh.body.write(snapshot(7, { A: 'HELD', B: 'HELD' }));
    await soon(async () => (refresh.body.destroyed ? true : undefined));
    const newcomer = await watch();
    await newcomer.next((e) => e.event === 'snapshot');
    opened[0]?.body.write(change(8, 'C'));
    await newcomer.next((e) => e.id === '8');
    expect(newcomer.events.map((e) => `${e.event}:${e.id}`)).toEqual(['snapshot:7', 'change:8']);
    expect(joined).toEqual([true, true, false, true]);
  });

  it('hands a snapshot to clients resuming from too far back, as the service would', async () => {
    const { channel, opened, watch } = await setUp({ resumeAfter: 2 });
    await soon(async () => opened[0]);
    await channel.ready;
    const client = await watch(2);
    opened[0]?.body.write(snapshot(5_000, { A: 'BOOKED' }) + change(5_001, 'B'));
    await client.next((e) => e.id === '5001');
    expect(client.events.map((e) => `${e.event}:${e.id}`)).toEqual(['snapshot:5000', 'change:5001']);
    expect(channel.isClosed).toBe(false);
  });
});
