/**
 * One Server-Sent Events response: framing, comment heartbeats, and a bound on what may wait in
 * the socket's buffer — a client that reads too slowly is disconnected rather than allowed to
 * grow this process's memory without limit.
 */
import type { ServerResponse } from 'node:http';

export interface SseStreamOptions {
  heartbeatMs: number;
  /** Bytes allowed to wait unsent for one client before it is dropped. */
  maxBufferedBytes: number;
  /** Milliseconds the browser should wait before reconnecting. */
  retryMs: number;
  headers?: Record<string, string>;
  onDrop?: (reason: 'slow-client') => void;
  onClose?: () => void;
}

export interface SseStream {
  /** Writes one event; returns false when the stream is closed (or was just dropped). */
  send(event: string, id: number | undefined, data: unknown): boolean;
  /** The same with data already serialized (shared by many clients). */
  sendJson(event: string, id: number | undefined, json: string): boolean;
  readonly closed: boolean;
  close(): void;
}

export function openSseStream(res: ServerResponse, options: SseStreamOptions): SseStream {
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache, no-transform',
    connection: 'keep-alive',
    // Proxies such as nginx must not buffer the stream.
    'x-accel-buffering': 'no',
    ...options.headers,
  });
  res.flushHeaders();
  let closed = false;

  function close(): void {
    if (closed) return;
    closed = true;
    clearInterval(heartbeat);
    res.end();
    options.onClose?.();
  }

  function write(chunk: string): boolean {
    if (closed) return false;
    // What is still queued from earlier writes: a reader keeping up leaves (almost) nothing.
    if (res.writableLength > options.maxBufferedBytes) {
      options.onDrop?.('slow-client');
      closed = true;
      clearInterval(heartbeat);
      res.destroy();
      options.onClose?.();
      return false;
    }
    res.write(chunk);
    return true;
  }

  const heartbeat = setInterval(() => write(': heartbeat\n\n'), options.heartbeatMs);
  heartbeat.unref();
  res.on('close', close);
  // A client that left while the stream was being prepared closed its socket before anyone
  // listened: close now (after the caller has its handle), or its subscription would live on.
  if (res.destroyed || res.socket === null || res.socket.destroyed) queueMicrotask(close);
  write(`retry: ${options.retryMs}\n\n`);

  return {
    send(event, id, data) {
      return this.sendJson(event, id, JSON.stringify(data));
    },
    sendJson(event, id, json) {
      const idLine = id === undefined ? '' : `id: ${id}\n`;
      return write(`event: ${event}\n${idLine}data: ${json}\n\n`);
    },
    get closed() {
      return closed;
    },
    close,
  };
}
