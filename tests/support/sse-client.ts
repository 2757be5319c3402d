/**
 * A small Server-Sent Events client over node:http, for tests that watch live availability. A
 * gzip-coded stream (asked for with an `accept-encoding` header) is decoded as it arrives.
 */
import { get, type IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';

export interface SseEvent {
  event: string;
  id: string | undefined;
  data: unknown;
}

export interface SseClient {
  status: number;
  headers: IncomingMessage['headers'];
  events: SseEvent[];
  comments: string[];
  /** Resolves with the first event (already received or still to come) that matches. */
  next(match: (event: SseEvent) => boolean, timeoutMs?: number): Promise<SseEvent>;
  /** Resolves when the server ends the stream. */
  ended: Promise<void>;
  /** The body was read to its end — for a gzip stream, up to a trailer that checked out. */
  readonly complete: boolean;
  /** Why a gzip stream could not be decoded, if it could not. */
  readonly decodeError: Error | undefined;
  /** Bytes of body received as sent (compressed, for a gzip stream). */
  readonly wireBytes: number;
  /** Stops reading without closing: the server's buffer for this client then fills up. */
  pause(): void;
  close(): void;
}

export function openSse(url: string, headers: Record<string, string> = {}): Promise<SseClient> {
  return new Promise((resolve, reject) => {
    const request = get(url, { agent: false, headers: { accept: 'text/event-stream', ...headers } }, (res) => {
      const events: SseEvent[] = [];
      const comments: string[] = [];
      const waiters = new Set<() => void>();
      let buffer = '';
      let complete = false;
      let decodeError: Error | undefined;
      let wireBytes = 0;
      res.on('data', (chunk: Buffer) => (wireBytes += chunk.length));
      const body: Readable = res.headers['content-encoding'] === 'gzip' ? res.pipe(createGunzip()) : res;
      body.on('error', (error) => (decodeError = error));
      body.on('end', () => (complete = true));
      body.setEncoding('utf8');
      // A megabyte snapshot comes in many chunks: they wait in a list until one ends a frame
      // (searching a growing string on every chunk would copy it each time).
      let waiting: string[] = [];
      body.on('data', (chunk: string) => {
        const endsFrame = chunk.includes('\n\n') || (chunk.startsWith('\n') && (waiting.at(-1) ?? buffer).endsWith('\n'));
        if (!endsFrame) {
          waiting.push(chunk);
          return;
        }
        buffer += waiting.join('') + chunk;
        waiting = [];
        for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
          const frame = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const fields = new Map<string, string>();
          for (const line of frame.split('\n')) {
            if (line.startsWith(':')) comments.push(line.slice(1).trim());
            const colon = line.indexOf(': ');
            if (colon > 0) fields.set(line.slice(0, colon), line.slice(colon + 2));
          }
          const data = fields.get('data');
          if (data !== undefined) {
            events.push({ event: fields.get('event') ?? 'message', id: fields.get('id'), data: JSON.parse(data) });
          }
          for (const wake of waiters) wake();
        }
      });
      const ended = new Promise<void>((done) => {
        body.on('end', done);
        body.on('error', () => done());
        // A message received whole ends when its decoder has read it all; a cut one ends here.
        res.on('close', () => (res.complete && body !== res ? undefined : done()));
      });
      resolve({
        status: res.statusCode ?? 0,
        headers: res.headers,
        events,
        comments,
        ended,
        get complete() {
          return complete;
        },
        get decodeError() {
          return decodeError;
        },
        get wireBytes() {
          return wireBytes;
        },
        next(match, timeoutMs = 5_000) {
          return new Promise((found, fail) => {
            const check = () => {
              const event = events.find(match);
              if (!event) return false;
              waiters.delete(check);
              clearTimeout(timer);
              found(event);
              return true;
            };
            const timer = setTimeout(() => {
              waiters.delete(check);
              fail(new Error(`no matching event within ${timeoutMs} ms; got ${JSON.stringify(events.map((e) => [e.event, e.id]))}`));
            }, timeoutMs);
            if (!check()) waiters.add(check);
          });
        },
        pause: () => res.pause(),
        close: () => {
          request.destroy();
          res.destroy();
        },
      });
    });
    request.on('error', reject);
  });
}
