/**
 * One Server-Sent Events response: framing, comment heartbeats, and a bound on what may wait in
 * the socket's buffer — a client that reads too slowly is disconnected rather than allowed to
 * grow this process's memory without limit.
 *
 * A client that accepts gzip gets the frames gzip-coded, each deflated once for all clients
 * (gzip-event-stream.ts). After the head, frames go straight to the socket as pre-encoded chunks
 * (sse-frame.ts): with thousands of clients per change, ServerResponse.write's per-call work
 * (encoding a string, four buffers per chunk, a cork and a tick) was a large part of the fan-out
 * loop. `res` still owns the head and the end of the response (the closing zero-length chunk).
 */
import type { ServerResponse } from 'node:http';
import { type EventStreamCoding, eventStreamHeaders, EventStreamWriter, HEARTBEAT_FRAME, SseFrame } from '@stream-seat/platform';


export interface SseStreamOptions {
  heartbeatMs: number;
  /** Bytes allowed to wait unsent for one client before it is dropped. */
  maxBufferedBytes: number;
  /** Milliseconds the browser should wait before reconnecting. */
  retryMs: number;
  /** gzip or identity, from the request's Accept-Encoding (eventStreamCoding). */
  coding: EventStreamCoding;
  headers?: Record<string, string>;
  onDrop?: (reason: 'slow-client') => void;
  onClose?: () => void;
}

export interface SseStream {
  /** Writes one event; returns false when the stream is closed (or was just dropped). */
  send(event: string, id: number | undefined, data: unknown): boolean;
  /** Writes a frame encoded once for many clients. */
  sendFrame(frame: SseFrame): boolean;
  readonly closed: boolean;
  close(): void;
}

/** `retry:` frames by delay, shared by every stream (and deflated once, like any frame). */
const retryFrames = new Map<number, SseFrame>();
function retryFrame(ms: number): SseFrame {
  let frame = retryFrames.get(ms);
  if (!frame) {
    frame = SseFrame.text(`retry: ${ms}`);
    retryFrames.set(ms, frame);
  }
  return frame;
}

export function openSseStream(res: ServerResponse, options: SseStreamOptions): SseStream {
  res.writeHead(200, { ...eventStreamHeaders(options.coding), ...options.headers });
  res.flushHeaders();
  const socket = res.socket;
  // HTTP/1.1 responses without a length are chunked; an HTTP/1.0 client gets the bytes as they are.
  const writer = socket === null ? undefined : new EventStreamWriter(socket, res.chunkedEncoding, options.coding);
  writer?.start();
  let closed = false;

  function close(): void {
    if (closed) return;
    closed = true;
    clearInterval(heartbeat);
    writer?.finish();
    res.end();
    options.onClose?.();
  }

  function write(frame: SseFrame): boolean {
    if (closed || socket === null || socket.destroyed || writer === undefined) return false;
    // What is still queued from earlier writes: a reader keeping up leaves (almost) nothing.
    if (socket.writableLength > options.maxBufferedBytes) {
      options.onDrop?.('slow-client');
      closed = true;
      clearInterval(heartbeat);
      res.destroy();
      options.onClose?.();
      return false;
    }
    writer.write(frame);
    return true;
  }

  const heartbeat = setInterval(() => write(HEARTBEAT_FRAME), options.heartbeatMs);
  heartbeat.unref();
  res.on('close', close);
  // A client that left while the stream was being prepared closed its socket before anyone
  // listened: close now (after the caller has its handle), or its subscription would live on.
  if (res.destroyed || res.socket === null || res.socket.destroyed) queueMicrotask(close);
  write(retryFrame(options.retryMs));

  return {
    send(event, id, data) {
      return write(SseFrame.event(event, id, JSON.stringify(data)));
    },
    sendFrame: write,
    get closed() {
      return closed;
    },
    close,
  };
}
