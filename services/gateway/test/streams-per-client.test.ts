/**
 * The cap on live streams one client address holds open at the gateway (STREAMS_PER_CLIENT), on
 * the wire: real HTTP on 127.0.0.1 through a real gateway to a real SSE upstream registered as the
 * booking service, with streams shared (fan-out, the default) and relayed one by one
 * (STREAM_FANOUT=false). The gateway trusts 127.0.0.1 as its proxy, as it trusts a load balancer
 * in production (TRUST_PROXY), so X-Forwarded-For names the client: two addresses, two clients.
 * Every test ends with no stream counted: no way out of a stream leaks a slot.
 */
import { once } from 'node:events';
import { createServer, type Server, type ServerResponse } from 'node:http';
import { connect, type Socket } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { eventually, listenOnLoopback } from '../../../tests/support/free-port.js';
import { openSse, type SseClient } from '../../../tests/support/sse-client.js';
import { TEST_JWT_SECRET } from '../../event/test/event-test-app.js';
import type { GatewayAppDeps } from '../src/app.js';
import { type GatewayTestKit, startGatewayTestKit } from './gateway-test-kit.js';

const CAP = 3;
/** The gateway's own cap, all clients together (MAX_CLIENT_STREAMS): above what the per-client tests hold. */
const GATEWAY_CAP = CAP + 2;
const STREAM_PATH = '/api/availability/ev-cap/stream';
const SNAPSHOT = 'retry: 1000\n\nevent: snapshot\nid: 1\ndata: {"seq":1,"seats":{"A-1":"AVAILABLE"}}\n\n';

let kit: GatewayTestKit;
let upstream: Server;
/** The upstream's open streams, how many it was asked for, and whether it answers 503 for now. */
const upstreamStreams = new Set<ServerResponse>();
let upstreamRequests = 0;
let upstreamRefuses = false;

/** A stream request as it goes on the wire, from `client` as the trusted proxy reports it. */
const streamRequest = (client: string) =>
  `GET ${STREAM_PATH} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\nX-Forwarded-For: ${client}\r\n\r\n`;

interface RawStream {
  ended(): Promise<true>;
  closed(): boolean;
}

/** Rejects when the promise has not settled in time: a hang fails with a message. */
async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const bound = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms)));
  try {
    return await Promise.race([promise, bound]);
  } finally {
    clearTimeout(timer);
  }
}

beforeAll(async () => {
  kit = await startGatewayTestKit(TEST_JWT_SECRET);
  upstream = createServer((_request, res) => {
    upstreamRequests++;
    if (upstreamRefuses) {
      res.writeHead(503).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' });
    res.write(SNAPSHOT);
    upstreamStreams.add(res);
    res.on('close', () => upstreamStreams.delete(res));
  });
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  await kit.registerInstance('BOOKING-SERVICE', 'sse-upstream', (upstream.address() as { port: number }).port);
});

afterAll(async () => {
  await kit?.close();
  upstream?.closeAllConnections();
  upstream?.close();
});

const modes: Array<{ mode: string; streamFanout: GatewayAppDeps['streamFanout'] }> = [
  // One reconnection attempt: a shared stream whose upstream ended gives up (and ends its clients) at once.
  { mode: 'shared (fan-out)', streamFanout: { reconnectDelaysMs: [10] } },
  { mode: 'relayed one by one (STREAM_FANOUT=false)', streamFanout: false },
];

describe.each(modes)('streams per client address, $mode', ({ streamFanout }) => {
  let base: string;
  let port: number;
  const clients: SseClient[] = [];
  const sockets: Socket[] = [];

  beforeAll(async () => {
    const { gateway } = await kit.gatewayWith({ streamsPerClient: CAP, maxClientStreams: GATEWAY_CAP, trustProxy: '127.0.0.1', streamFanout });
    port = await listenOnLoopback(gateway);
    base = `http://127.0.0.1:${port}`;
  });

  afterEach(async () => {
    for (const client of clients.splice(0)) client.close();
    for (const socket of sockets.splice(0)) socket.destroy();
    upstreamRefuses = false;
    await eventually(async () => ((await metric('gateway_stream_clients')) === 0 ? true : undefined), 5_000, 'the gateway to count no open stream');
  });

  async function metric(name: string): Promise<number> {
    const text = await (await fetch(`${base}/metrics`)).text();
    return Number(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\d+)`, 'm').exec(text)?.[1] ?? Number.NaN);
  }

  /** A stream request from `client` (its address, as the trusted proxy reports it), whatever the answer. */
  async function stream(client: string): Promise<SseClient> {
    const opened = await within(openSse(`${base}${STREAM_PATH}`, { 'x-forwarded-for': client }), 5_000, 'the stream to answer');
    clients.push(opened);
    return opened;
  }

  /** A stream that was accepted and has its snapshot. */
  async function watching(client: string): Promise<SseClient> {
    const opened = await stream(client);
    expect(opened.status).toBe(200);
    await opened.next((e) => e.event === 'snapshot');
    return opened;
  }

  /** A stream from `client` accepted, with its snapshot, once a stream closed elsewhere gives its slot back (the close takes a moment to be counted). */
  async function watchingOnceRoomIsMade(client: string): Promise<SseClient> {
    const accepted = await eventually(
      async () => {
        const next = await stream(client);
        if (next.status === 200) return next;
        next.close();
        return undefined;
      },
      5_000,
      'a stream accepted once another closed',
    );
    await accepted.next((e) => e.event === 'snapshot');
    return accepted;
  }

  /**
   * A stream on a connection of its own that the client keeps open after the response (HTTP/1.1
   * keep-alive, as browsers do): `ended` resolves at the response's last chunk.
   */
  async function rawStream(client: string): Promise<RawStream> {
    const socket = connect(port, '127.0.0.1');
    sockets.push(socket);
    await once(socket, 'connect');
    let received = '';
    let closed = false;
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => (received += chunk));
    socket.on('close', () => (closed = true));
    socket.write(streamRequest(client));
    await eventually(async () => (received.includes('event: snapshot') ? true : undefined), 5_000, 'the snapshot');
    return {
      ended: () => eventually(async () => (received.endsWith('\r\n0\r\n\r\n') ? true : undefined), 5_000, 'the stream to end'),
      closed: () => closed,
    };
  }

  /** One more stream from `client`: its status, headers and (for a problem) its body; an accepted stream is closed at once. */
  async function attempt(client: string) {
    const res = await fetch(`${base}${STREAM_PATH}`, {
      headers: { accept: 'text/event-stream', 'x-forwarded-for': client },
      signal: AbortSignal.timeout(5_000),
    });
    const problem = res.headers.get('content-type')?.startsWith('application/problem+json') ? ((await res.json()) as Record<string, unknown>) : undefined;
    if (!problem) await res.body?.cancel();
    return { status: res.status, retryAfter: res.headers.get('retry-after'), problem };
  }

  it('refuses a client its stream past the cap with a 429 problem, without asking the upstream; another client is unaffected', async () => {
    const alice = '203.0.113.10';
    for (let i = 0; i < CAP; i++) await watching(alice);
    const asked = upstreamRequests;

    const refusal = await attempt(alice);
    expect(refusal.status).toBe(429);
    expect(Number(refusal.retryAfter)).toBeGreaterThan(0);
    expect(refusal.problem).toMatchObject({
      type: expect.stringMatching(/\/too-many-streams$/),
      title: 'Too many open streams',
      status: 429,
      detail: expect.stringContaining(`At most ${CAP} live streams`),
      instance: STREAM_PATH,
      limit: CAP,
    });
    expect(upstreamRequests).toBe(asked);

    // Another address is another client, with its own count.
    await watching('198.51.100.20');
    expect(await metric('gateway_stream_clients')).toBe(CAP + 1);
    expect(await metric('gateway_stream_refused_total')).toBeGreaterThanOrEqual(1);
  });

  it('refuses any client a stream once the gateway holds its own cap, with a 503 to retry (elsewhere), and takes one again when a stream closes', async () => {
    const streams = [];
    for (let i = 0; i < CAP; i++) streams.push(await watching('203.0.113.14'));
    for (let i = 0; i < GATEWAY_CAP - CAP; i++) streams.push(await watching('198.51.100.21'));
    const asked = upstreamRequests;
    // A client holding nothing: refused all the same, without asking the upstream.
    const refusal = await attempt('192.0.2.30');
    expect(refusal.status).toBe(503);
    expect(Number(refusal.retryAfter)).toBeGreaterThan(0);
    expect(refusal.problem).toMatchObject({ type: expect.stringMatching(/\/streams-full$/), status: 503, limit: GATEWAY_CAP, instance: STREAM_PATH });
    expect(upstreamRequests).toBe(asked);
    expect(await metric('gateway_streams_full_total')).toBeGreaterThanOrEqual(1);
    streams[0]?.close();
    await watchingOnceRoomIsMade('192.0.2.30');
  });

  it('counts a stream the client closed no more: its next one is accepted', async () => {
    const alice = '203.0.113.11';
    const streams: SseClient[] = [];
    for (let i = 0; i < CAP; i++) streams.push(await watching(alice));
    expect((await attempt(alice)).status).toBe(429);

    // The client aborts one stream mid-way (its connection closes, as a closed tab's does).
    streams[0]?.close();
    await watchingOnceRoomIsMade(alice);
    // One slot came back, not more.
    expect((await attempt(alice)).status).toBe(429);
  });

  it('counts streams the upstream ended no more, though their clients keep the connections open', async () => {
    const alice = '203.0.113.12';
    const streams: RawStream[] = [];
    for (let i = 0; i < CAP; i++) streams.push(await rawStream(alice));
    // The service ends every stream and, for now, answers no new one.
    upstreamRefuses = true;
    for (const res of upstreamStreams) res.end();
    for (const client of streams) await client.ended();
    upstreamRefuses = false;

    for (let i = 0; i < CAP; i++) await watching(alice);
    expect((await attempt(alice)).status).toBe(429);
    // The slots came back with the responses' ends: the connections (kept alive) are still open.
    expect(streams.map((client) => client.closed())).toEqual(streams.map(() => false));
  });

  it('counts streams waiting on one connection (HTTP/1.1 pipelining) no more once that connection closes', async () => {
    const alice = '203.0.113.13';
    const socket = connect(port, '127.0.0.1');
    sockets.push(socket);
    await once(socket, 'connect');
    // The first streams; the others wait behind it on the same connection, and count all the same.
    socket.write(streamRequest(alice).repeat(CAP));
    await eventually(async () => ((await metric('gateway_stream_clients')) === CAP ? true : undefined), 5_000, 'the pipelined streams to be counted');
    expect((await attempt(alice)).status).toBe(429);

    socket.destroy();
    await eventually(async () => ((await metric('gateway_stream_clients')) === 0 ? true : undefined), 5_000, 'the closed connection to give its slots back');
    for (let i = 0; i < CAP; i++) await watching(alice);
    expect((await attempt(alice)).status).toBe(429);
  });
});
