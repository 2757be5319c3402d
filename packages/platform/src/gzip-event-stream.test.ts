import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createServer, get, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createGunzip, crc32 } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { crc32Combine } from './crc32-combine.js';
import { EventStreamWriter, eventStreamCoding } from './gzip-event-stream.js';
import { SseFrame } from './sse-frame.js';

describe('CRC-32 of joined bytes from the parts', () => {
  it('equals zlib’s CRC-32 of the whole, for empty, short and long parts', () => {
    for (const [a, b] of [
      [0, 0],
      [0, 5],
      [5, 0],
      [1, 1],
      [3, 1000],
      [1000, 1_000_003],
      [70_000, 65_536],
    ] as const) {
      const first = randomBytes(a);
      const second = randomBytes(b);
      expect(crc32Combine(crc32(first), crc32(second), b), `${a}+${b}`).toBe(crc32(Buffer.concat([first, second])));
    }
  });

  it('folds any number of parts, as a stream does frame by frame', () => {
    const parts = Array.from({ length: 50 }, (_, i) => randomBytes((i * 7919) % 3000));
    let crc = 0;
    for (const part of parts) crc = crc32Combine(crc, crc32(part), part.length);
    expect(crc).toBe(crc32(Buffer.concat(parts)));
  });
});

describe('the coding of a live stream', () => {
  it('is gzip when the client accepts it, else identity', () => {
    expect(eventStreamCoding('gzip, deflate, br, zstd')).toBe('gzip');
    expect(eventStreamCoding('br, gzip;q=0.5')).toBe('gzip');
    expect(eventStreamCoding('*')).toBe('gzip');
    expect(eventStreamCoding(undefined)).toBe('identity');
    expect(eventStreamCoding('br, deflate')).toBe('identity');
    expect(eventStreamCoding('gzip;q=0, *')).toBe('identity');
  });
});

describe('a gzip event stream made of frames deflated once', () => {
  let server: Server | undefined;
  afterEach(async () => {
    server?.closeAllConnections();
    await new Promise((resolve) => server?.close(resolve));
  });

  /** Serves each request the frames of `plan` (by the request's path), one step per `next(path)`. */
  async function serve(plan: Record<string, SseFrame[]>) {
    const steps = new Map<string, Array<() => void>>();
    server = createServer((req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'content-encoding': 'gzip' });
      res.flushHeaders();
      const writer = new EventStreamWriter(res.socket!, res.chunkedEncoding, 'gzip');
      writer.start();
      const own: Array<() => void> = [];
      steps.set(req.url ?? '', own);
      for (const frame of plan[req.url ?? ''] ?? []) own.push(() => writer.write(frame));
      own.push(() => {
        writer.finish();
        res.end();
      });
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as AddressInfo;
    return {
      open: async (path: string) => {
        const response = await new Promise<IncomingMessage>((resolve) => get({ host: '127.0.0.1', port, path }, resolve));
        return decoded(response);
      },
      next: (path: string) => steps.get(path)?.shift()?.(),
    };
  }

  /** The response body as gunzip gives it, readable as it grows; `ended` once gunzip accepted the trailer. */
  function decoded(response: IncomingMessage) {
    const gunzip = createGunzip();
    let text = '';
    let error: Error | undefined;
    gunzip.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
    gunzip.on('error', (e) => (error = e));
    const ended = once(gunzip, 'end');
    response.pipe(gunzip);
    return {
      /** Waits until the decoded text ends with `tail`. */
      async until(tail: string) {
        for (let i = 0; i < 200 && !text.endsWith(tail); i++) await new Promise((resolve) => setTimeout(resolve, 5));
        expect(error).toBeUndefined();
        return text;
      },
      ended: ended.then(() => {
        expect(error).toBeUndefined();
        return text;
      }),
    };
  }

  it('decodes each frame as it arrives, ends with a valid trailer, and lets a late joiner start mid-way', async () => {
    const snapshot = SseFrame.event('snapshot', 1, JSON.stringify({ seats: Object.fromEntries(Array.from({ length: 5000 }, (_, i) => [`A-${i}`, 'AVAILABLE'])) }));
    const change = SseFrame.event('change', 2, JSON.stringify({ seq: 2, changes: [{ seatId: 'A-7', status: 'HELD' }] }));
    const heartbeat = SseFrame.text(': heartbeat');
    const later = SseFrame.event('change', 3, JSON.stringify({ seq: 3, changes: [{ seatId: 'Zoë-1', status: 'BOOKED' }] }));
    // The same frame objects go to both clients: the second joins at `change` (no history before).
    const { open, next } = await serve({ '/first': [snapshot, change, heartbeat, later], '/late': [change, later] });

    const first = await open('/first');
    next('/first');
    expect(await first.until('\n\n')).toBe(snapshot.bytes.toString());
    next('/first');
    expect(await first.until('"HELD"}]}\n\n')).toBe(Buffer.concat([snapshot.bytes, change.bytes]).toString());
    next('/first');
    next('/first');
    const late = await open('/late');
    next('/late');
    next('/late');
    expect(await late.until('"BOOKED"}]}\n\n')).toBe(Buffer.concat([change.bytes, later.bytes]).toString());
    next('/first');
    next('/late');
    expect(await first.ended).toBe(Buffer.concat([snapshot.bytes, change.bytes, heartbeat.bytes, later.bytes]).toString());
    expect(await late.ended).toBe(Buffer.concat([change.bytes, later.bytes]).toString());
    // The large frame went out compressed — compressed once, for both clients' streams alike.
    expect(snapshot.deflated.length).toBeLessThan(snapshot.bytes.length / 5);
    expect(change.deflated).toBe(change.deflated);
    expect(change.deflatedChunked).toBe(change.deflatedChunked);
  });
});
