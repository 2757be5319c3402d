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
import { type GatewayTestKit, startGatewayTestKit } from './gateway-test-kit.js';

let kit: GatewayTestKit;
let upstream: Server;
let gatewayUrl: string;
/** The upstream stream requests so far, and whether each asked to resume. */
const requests: Array<{ resume: boolean; res: ServerResponse }> = [];

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
