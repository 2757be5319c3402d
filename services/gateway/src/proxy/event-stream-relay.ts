/**
 * Relays an upstream Server-Sent Events body to the client: each upstream chunk becomes one
 * write of one chunk on the client's socket. With thousands of streams per change, fastify's
 * stream piping and ServerResponse.write (a cork, four buffers per chunk, a tick to uncork) were
 * most of the gateway's JavaScript per relayed frame. `res` still writes the head and the end
 * (the closing zero-length chunk); the bytes in between are the upstream's, unchanged.
 */
import { ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Readable } from 'node:stream';
import { httpChunk } from '@stream-seat/platform';
import type { FastifyReply, RawServerBase, RouteGenericInterface } from 'fastify';

/** True when the upstream answer is an event stream that this relay can carry (HTTP/1 client). */
export function isRelayableEventStream(reply: FastifyReply<RouteGenericInterface, RawServerBase>, method: string): boolean {
  const contentType = reply.getHeader('content-type');
  return method === 'GET' && reply.raw instanceof ServerResponse && typeof contentType === 'string' && contentType.startsWith('text/event-stream');
}

/**
 * Sends the reply's status and headers (already copied from upstream), then the body's bytes as
 * they come. Backpressure: a client that does not read pauses its upstream (whose own bound then
 * applies). Either side closing closes the other.
 */
export function relayEventStream(reply: FastifyReply<RouteGenericInterface, RawServerBase>, body: Readable): void {
  const res = reply.raw as ServerResponse;
  reply.hijack();
  for (const [name, value] of Object.entries(reply.getHeaders())) if (value !== undefined) res.setHeader(name, value);
  res.writeHead(reply.statusCode);
  res.flushHeaders();
  body.on('error', () => res.destroy());
  // The client left (or the socket failed): let go of the upstream, which then sees the disconnect.
  res.on('close', () => body.destroy());
  const relay = (socket: Socket) => {
    if (socket.destroyed) {
      body.destroy();
      return;
    }
    // HTTP/1.1 responses without a length are chunked; an HTTP/1.0 client gets the bytes as they are.
    const chunked = res.chunkedEncoding;
    const resume = () => body.resume();
    body.on('data', (bytes: Buffer) => {
      if (socket.destroyed || bytes.length === 0) return;
      if (!socket.write(chunked ? httpChunk(bytes) : bytes)) {
        body.pause();
        socket.once('drain', resume);
      }
    });
    body.on('end', () => res.end());
  };
  whenSocket(res, relay);
}

/**
 * Calls `use` with the response's socket once its head has been written to it. A response to a
 * request pipelined behind another on its connection has none until that one is answered (the
 * body had been let go then, and the stream never came); Node writes the queued head right after
 * it emits 'socket', so the bytes written directly follow a tick later.
 */
export function whenSocket(res: ServerResponse, use: (socket: Socket) => void): void {
  if (res.socket) {
    use(res.socket);
    return;
  }
  res.once('socket', (socket: Socket) => process.nextTick(() => use(socket)));
}
