import { createServer, type Server } from 'node:http';
import { gunzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { dechunk, dechunkBytes, rawGet } from '../../../../tests/support/raw-http.js';
import { openSse } from '../../../../tests/support/sse-client.js';
import { type EventStreamCoding, SseFrame } from '@stream-seat/platform';
import { openSseStream, type SseStream } from './sse-stream.js';

const servers: Server[] = [];
afterAll(() => servers.forEach((s) => s.close()));

async function serve(
  onStream: (stream: SseStream) => void,
  options: { heartbeatMs?: number; maxBufferedBytes?: number; drops?: string[]; coding?: EventStreamCoding },
) {
  const server = createServer((_request, response) => {
    const stream = openSseStream(response, {
      heartbeatMs: options.heartbeatMs ?? 60_000,
      maxBufferedBytes: options.maxBufferedBytes ?? 1024 * 1024,
      retryMs: 1000,
      coding: options.coding ?? 'identity',
      onDrop: (reason) => options.drops?.push(reason),
    });
    onStream(stream);
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as { port: number }).port}/`;
}

describe('an SSE stream', () => {
  it('frames events with their ids and sends comment heartbeats', async () => {
    const url = await serve((stream) => stream.send('snapshot', 7, { seq: 7 }), { heartbeatMs: 30 });
    const client = await openSse(url);
    expect(client.headers['content-type']).toMatch(/^text\/event-stream/);
    expect(await client.next((e) => e.event === 'snapshot')).toEqual({ event: 'snapshot', id: '7', data: { seq: 7 } });
    for (let i = 0; i < 50 && !client.comments.includes('heartbeat'); i++) await new Promise((r) => setTimeout(r, 20));
    expect(client.comments).toContain('heartbeat');
    client.close();
  });

  it('closes at once, and says so, when the client left before the stream opened', async () => {
    const closed: string[] = [];
    const server = createServer((request, response) => {
      request.socket.destroy(); // the client is gone while the server is still preparing
      setTimeout(() => {
        const stream = openSseStream(response, { heartbeatMs: 60_000, maxBufferedBytes: 1024, retryMs: 1000, coding: 'identity', onClose: () => closed.push('closed') });
        setTimeout(() => closed.push(stream.closed ? 'stream closed' : 'stream open'), 20);
      }, 20);
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    await fetch(`http://127.0.0.1:${port}/`).catch(() => undefined);
    for (let i = 0; i < 50 && closed.length < 2; i++) await new Promise((r) => setTimeout(r, 10));
    expect(closed).toEqual(['closed', 'stream closed']);
  });

  it('disconnects a client that does not read, instead of buffering without bound', async () => {
    const drops: string[] = [];
    let server: SseStream | undefined;
    const url = await serve((stream) => (server = stream), { maxBufferedBytes: 64 * 1024, drops });
    const client = await openSse(url);
    client.pause();
    const payload = { blob: 'x'.repeat(16 * 1024) };
    // Enough to fill the kernel's socket buffers, then the stream's own bound.
    for (let i = 0; i < 2_000 && server && !server.closed; i++) {
      server.send('change', i, payload);
      if (i % 50 === 49) await new Promise((r) => setTimeout(r, 5));
    }
    expect(server?.closed).toBe(true);
    expect(drops).toEqual(['slow-client']);
    client.close();
  });

  it('writes one shared frame to several clients as well-formed chunks, and ends with the last chunk', async () => {
    const frame = SseFrame.event('change', 3, JSON.stringify({ seq: 3, seat: 'Zoë-1' })); // bytes ≠ characters
    const url = await serve((stream) => {
      stream.sendFrame(frame);
      stream.close();
    }, {});
    const responses = await Promise.all([rawGet(url), rawGet(url)]);
    for (const response of responses) {
      expect(response.head).toMatch(/^HTTP\/1\.1 200/);
      expect(response.head).toMatch(/\r\ntransfer-encoding: chunked(\r\n|$)/i);
      expect(dechunk(response.body)).toBe(`retry: 1000\n\nevent: change\nid: 3\ndata: {"seq":3,"seat":"Zoë-1"}\n\n`);
    }
  });

  it('sends an HTTP/1.0 client the frames without chunked framing', async () => {
    const url = await serve((stream) => {
      stream.send('snapshot', 1, { seq: 1 });
      stream.close();
    }, {});
    const response = await rawGet(url, { version: '1.0' });
    expect(response.head).not.toMatch(/transfer-encoding/i);
    expect(response.body.toString()).toBe('retry: 1000\n\nevent: snapshot\nid: 1\ndata: {"seq":1}\n\n');
  });

  it('sends a client that accepts gzip one gzip stream, chunked or not, ending with its trailer', async () => {
    const frame = SseFrame.event('change', 3, JSON.stringify({ seq: 3, seat: 'Zoë-1' }));
    const url = await serve((stream) => {
      stream.sendFrame(frame);
      stream.send('change', 4, { seq: 4 });
      stream.close();
    }, { coding: 'gzip' });
    const expected = `retry: 1000\n\nevent: change\nid: 3\ndata: {"seq":3,"seat":"Zoë-1"}\n\nevent: change\nid: 4\ndata: {"seq":4}\n\n`;
    const chunked = await rawGet(url);
    expect(chunked.head).toMatch(/\r\ncontent-encoding: gzip(\r\n|$)/i);
    expect(chunked.head).toMatch(/\r\nvary: accept-encoding(\r\n|$)/i);
    // gunzipSync refuses a stream whose trailer (CRC-32 and length) is missing or wrong.
    expect(gunzipSync(dechunkBytes(chunked.body)).toString()).toBe(expected);
    const plain = await rawGet(url, { version: '1.0' });
    expect(gunzipSync(plain.body).toString()).toBe(expected);
  });
});
