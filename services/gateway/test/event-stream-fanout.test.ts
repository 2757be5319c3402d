/**
 * Shared live streams through the gateway against a real upstream connection (undici), where the
 * channel's own tests (event-stream-channel.test.ts) feed it in-memory streams: letting go of an
 * upstream stream — undici raises an abort error on its body then — must never take the gateway
 * down. The upstream is a plain node:http SSE server registered as the booking service.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, listenOnLoopback } from '../../../tests/support/free-port.js';
import { TEST_JWT_SECRET } from '../../event/test/event-test-app.js';
import { canonicalStreamPath } from '../src/proxy/event-stream-fanout.js';
import { type GatewayTestKit, startGatewayTestKit } from './gateway-test-kit.js';

let kit: GatewayTestKit;
let upstream: Server;
let gatewayUrl: string;
/** The upstream stream requests so far, and whether each asked to resume. */
const requests: Array<{ resume: boolean; res: ServerResponse }> = [];
/** Every path the upstream was asked for. */
const urls: string[] = [];
/** The upstream's streams that send a snapshot at once (paths with `/snap-`). */
const snapStreams: Array<{ url: string; res: ServerResponse }> = [];

/** A slow hold request with a stream request pipelined behind it, on one connection. */
function pipelined(streamPath: string): Socket {
  const { hostname, port } = new URL(gatewayUrl);
  const socket = connect(Number(port), hostname, () =>
    socket.write(
      `GET /api/holds/h1 HTTP/1.1\r\nHost: ${hostname}\r\n\r\n` +
        `GET ${streamPath} HTTP/1.1\r\nHost: ${hostname}\r\nAccept: text/event-stream\r\n\r\n`,
    ),
  );
  socket.on('error', () => undefined);
  return socket;
}

/** What a raw socket has received, once `done` says it is enough. */
function received(socket: Socket, done: (text: string) => boolean): Promise<string> {
  let text = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`not received in time; so far: ${text}`)), 10_000);
    socket.on('data', (chunk: Buffer) => {
      text += chunk.toString('latin1');
      if (done(text)) {
        clearTimeout(timer);
        resolve(text);
      }
    });
  });
}

/** A stream request on a raw socket, with the headers given. */
function watch(path: string, headers: Record<string, string> = {}): Socket {
  const { hostname, port } = new URL(gatewayUrl);
  const socket = connect(Number(port), hostname, () => {
    const extra = Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('');
    socket.write(`GET ${path} HTTP/1.1\r\nHost: ${hostname}\r\nAccept: text/event-stream\r\n${extra}\r\n`);
  });
  socket.on('error', () => undefined);
  return socket;
}

beforeAll(async () => {
  kit = await startGatewayTestKit(TEST_JWT_SECRET);
  upstream = createServer((request: IncomingMessage, res) => {
    urls.push(request.url ?? '');
    if (request.url?.startsWith('/api/holds/')) {
      // A slow answer, for a stream request pipelined behind it to wait for.
      setTimeout(() => res.writeHead(200, { 'content-type': 'application/json' }).end('{"holdId":"h1"}'), 300);
      return;
    }
    if (request.url?.includes('/snap-')) {
      snapStreams.push({ url: request.url, res });
      res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' });
      res.write('retry: 1000\n\nevent: snapshot\nid: 5\ndata: {"seq":5,"seats":{}}\n\n');
      return;
    }
    const resume = request.headers['last-event-id'] !== undefined;
    requests.push({ resume, res });
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' });
    // A resumed stream with nothing to replay says only its retry; a fresh one (the snapshot
    // refresh) is slow to send its snapshot: the clients leave meanwhile.
    res.write(resume ? 'retry: 1000\n\n' : ': preparing the snapshot\n\n');
  });
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  await kit.registerInstance('BOOKING-SERVICE', 'sse-upstream', (upstream.address() as { port: number }).port);
  const { gateway } = await kit.gatewayWith();
  gatewayUrl = `http://127.0.0.1:${await listenOnLoopback(gateway)}`;
});

afterAll(async () => {
  await kit?.close();
  upstream?.closeAllConnections();
  upstream?.close();
});

describe('a shared event stream through the gateway', () => {
  it('is one channel and one upstream stream for every spelling of one event id', async () => {
    const spellings = ['/api/availability/snap-a/stream', '/api/availability/%73nap-a/stream', '/api/availability/snap-%61/stream/', '/api/availability/%73%6e%61%70%2d%61/stream'];
    const sockets = spellings.map((path) => watch(path));
    try {
      for (const socket of sockets) await received(socket, (text) => text.includes('event: snapshot'));
      expect(urls.filter((url) => url.includes('nap-') || url.includes('%73'))).toEqual(['/api/availability/snap-a/stream']);
    } finally {
      for (const socket of sockets) socket.destroy();
    }
    expect(canonicalStreamPath('/api/availability/%ZZ/stream')).toBeUndefined();
    expect(canonicalStreamPath('/api/availability/a%2Fb/stream')).toBe('/api/availability/a%2Fb/stream');
  });

  it('answers a stream request pipelined behind another request on its connection, from the shared channel', async () => {
    const watcher = watch('/api/availability/snap-pipelined/stream');
    // The hold's answer takes 300 ms: the stream's response waits behind it, without a socket.
    const socket = pipelined('/api/availability/snap-pipelined/stream');
    try {
      await received(watcher, (text) => text.includes('event: snapshot'));
      const text = await received(socket, (so) => so.includes('event: snapshot'));
      expect(text.indexOf('{"holdId":"h1"}')).toBeGreaterThan(-1);
      expect(text.indexOf('text/event-stream')).toBeGreaterThan(text.indexOf('{"holdId":"h1"}'));
      // One upstream stream for both: the pipelined one joined the channel.
      expect(urls.filter((url) => url.includes('snap-pipelined'))).toHaveLength(1);
    } finally {
      socket.destroy();
      watcher.destroy();
    }
  });

  it('opens no upstream stream for a client gone while its stream request waited, and lets go of a relayed one', async () => {
    // Shared: the channel waits for the request's turn, and the client leaves first.
    const shared = pipelined('/api/availability/snap-gone-shared/stream');
    await new Promise((resolve) => setTimeout(resolve, 100));
    shared.destroy();
    // Relayed (no fan-out): the upstream stream is open before its turn; it must be let go.
    const { gateway: relaying } = await kit.gatewayWith({ streamFanout: false });
    const relayUrl = `http://127.0.0.1:${await listenOnLoopback(relaying)}`;
    const { hostname, port } = new URL(relayUrl);
    const relayed = connect(Number(port), hostname, () =>
      relayed.write(
        `GET /api/holds/h1 HTTP/1.1\r\nHost: ${hostname}\r\n\r\nGET /api/availability/snap-gone-relayed/stream HTTP/1.1\r\nHost: ${hostname}\r\nAccept: text/event-stream\r\n\r\n`,
      ),
    );
    relayed.on('error', () => undefined);
    await eventually(async () => snapStreams.some((s) => s.url.includes('snap-gone-relayed')) || undefined, 5_000, 'the relayed upstream stream');
    relayed.destroy();
    // It had stayed open for good: a response that never had a socket emits no 'close'.
    await eventually(async () => snapStreams.find((s) => s.url.includes('snap-gone-relayed'))?.res.closed || undefined, 5_000, 'the relayed stream let go');
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(urls.filter((url) => url.includes('snap-gone-shared'))).toEqual([]);
  });

  it('survives its last clients leaving while it refreshes its snapshot on a second upstream stream', async () => {
    const crashes: unknown[] = [];
    const onCrash = (error: unknown) => crashes.push(error);
    process.on('uncaughtException', onCrash);
    try {
      for (let round = 0; round < 3; round++) {
        const path = `/api/availability/ev-${round}/stream`;
        const before = requests.length;
        // A resuming client starts the shared stream without a snapshot...
        const resuming = watch(path, { 'last-event-id': '0' });
        await eventually(async () => requests.length > before || undefined, 5_000, 'the resumed upstream stream');
        // ...a newcomer needs one, so the channel opens a second upstream stream for it...
        const newcomer = watch(path);
        await eventually(async () => requests.slice(before).some((r) => !r.resume) || undefined, 5_000, 'the snapshot refresh');
        // ...and everyone leaves before the snapshot comes: the channel lets go of both streams.
        resuming.destroy();
        newcomer.destroy();
        // (A newcomer still waiting for its snapshot is noticed gone when that wait ends: seconds.)
        await eventually(async () => requests.slice(before).every((r) => r.res.destroyed) || undefined, 15_000, 'the upstream streams let go');
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(crashes).toEqual([]);
      // The gateway still serves.
      expect((await fetch(`${gatewayUrl}/health`)).status).toBe(200);
    } finally {
      process.off('uncaughtException', onCrash);
    }
  });
});
