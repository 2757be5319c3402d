/**
 * Server-Sent Events through the gateway, on the wire: the upstream's frames reach the client
 * byte for byte as well-formed chunks, each as it comes (not when the stream ends), the
 * upstream's end ends the client's response, and a client that leaves is let go upstream. The upstream is a plain node:http SSE server registered
 * as the booking service. This is the relay of streams the gateway does not share (fan-out off).
 */
import { createServer, type Server, type ServerResponse } from 'node:http';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, listenOnLoopback } from '../../../tests/support/free-port.js';
import { dechunk, rawGet } from '../../../tests/support/raw-http.js';
import { TEST_JWT_SECRET } from '../../event/test/event-test-app.js';
import { type GatewayTestKit, startGatewayTestKit } from './gateway-test-kit.js';

const FRAMES = ['retry: 1000\n\n', 'event: snapshot\nid: 4\ndata: {"seq":4,"name":"Zoë"}\n\n', 'event: change\nid: 5\ndata: {"seq":5}\n\n'];

let kit: GatewayTestKit;
let upstream: Server;
let gatewayUrl: string;
/** What the upstream does with each stream request it gets. */
let onStream: (res: ServerResponse) => void = () => undefined;

/** The text of the complete chunks at the start of a chunked body still arriving. */
function completeChunks(body: Buffer): string {
  let text = '';
  for (let pos = 0; ; ) {
    const eol = body.indexOf('\r\n', pos);
    if (eol < 0) return text;
    const size = Number.parseInt(body.toString('latin1', pos, eol), 16);
    if (size === 0 || body.length < eol + 4 + size) return text;
    text += body.toString('utf8', eol + 2, eol + 2 + size);
    pos = eol + 4 + size;
  }
}

/**
 * A GET on a raw socket whose body can be awaited while the response goes on: `bodyIncludes`
 * resolves once the complete chunks received so far contain the text (bounded, so that a proxy
 * that holds the bytes back fails the test instead of hanging it); `ended` with the whole body.
 */
function openRawStream(url: string) {
  const { hostname, port, pathname } = new URL(url);
  const socket = connect(Number(port), hostname, () =>
    socket.write(`GET ${pathname} HTTP/1.1\r\nHost: ${hostname}\r\nAccept: text/event-stream\r\n\r\n`),
  );
  let received = Buffer.alloc(0);
  const body = () => received.subarray(received.indexOf('\r\n\r\n') + 4);
  /** Checks to run on each arrival of bytes. */
  const onBytes = new Set<() => void>();
  const ended = new Promise<Buffer>((resolve, reject) => {
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      for (const check of onBytes) check();
      if (received.toString('latin1').endsWith('\r\n0\r\n\r\n')) {
        socket.destroy();
        resolve(body());
      }
    });
    socket.on('error', reject);
    socket.on('close', () => resolve(body()));
  });
  const bodyIncludes = (text: string) =>
    new Promise<void>((resolve, reject) => {
      const check = () => {
        if (!received.includes('\r\n\r\n') || !completeChunks(body()).includes(text)) return;
        onBytes.delete(check);
        clearTimeout(bound);
        resolve();
      };
      const bound = setTimeout(() => {
        onBytes.delete(check);
        reject(new Error(`the client did not receive ${JSON.stringify(text)}; got ${JSON.stringify(received.toString('latin1'))}`));
      }, 5_000);
      onBytes.add(check);
      check();
    });
  return { bodyIncludes, ended, close: () => socket.destroy() };
}

beforeAll(async () => {
  kit = await startGatewayTestKit(TEST_JWT_SECRET);
  upstream = createServer((_request, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' });
    onStream(res);
  });
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  await kit.registerInstance('BOOKING-SERVICE', 'sse-upstream', (upstream.address() as { port: number }).port);
  // The relay of one client's stream on its own connection (shared streams: live-availability e2e).
  const { gateway } = await kit.gatewayWith({ streamFanout: false });
  gatewayUrl = `http://127.0.0.1:${await listenOnLoopback(gateway)}/api/availability/ev-1/stream`;
});

afterAll(async () => {
  await kit?.close();
  upstream?.closeAllConnections();
  upstream?.close();
});

describe('an event stream through the gateway', () => {
  it('reaches the client byte for byte in well-formed chunks, and ends when the upstream ends', async () => {
    onStream = (res) => {
      for (const frame of FRAMES) res.write(frame);
      res.end();
    };
    const response = await rawGet(gatewayUrl);
    expect(response.head).toMatch(/^HTTP\/1\.1 200/);
    expect(response.head).toMatch(/\r\ncontent-type: text\/event-stream; charset=utf-8(\r\n|$)/i);
    expect(response.head).toMatch(/\r\ntransfer-encoding: chunked(\r\n|$)/i);
    expect(dechunk(response.body)).toBe(FRAMES.join(''));
  });

  it('passes each frame on while the upstream stream stays open, without waiting for its end', async () => {
    let upstreamResponse: ServerResponse | undefined;
    onStream = (res) => {
      upstreamResponse = res;
      res.write(FRAMES[1]);
    };
    const client = openRawStream(gatewayUrl);
    try {
      await client.bodyIncludes(FRAMES[1] ?? '');
      // The frame arrived while the upstream was still open: nothing waited for the stream's end.
      expect(upstreamResponse?.writableEnded).toBe(false);
      upstreamResponse?.end();
      expect(dechunk(await client.ended)).toBe(FRAMES[1]);
    } finally {
      client.close();
    }
  });

  it('lets go of the upstream stream when the client leaves', async () => {
    let upstreamClosed = false;
    onStream = (res) => {
      res.write(FRAMES[0]);
      res.on('close', () => (upstreamClosed = true));
    };
    await rawGet(gatewayUrl, { onHead: (socket) => socket.destroy() });
    await eventually(async () => (upstreamClosed ? true : undefined), 5_000, 'the upstream to see the client leave');
  });
});
